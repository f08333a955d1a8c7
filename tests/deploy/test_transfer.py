"""hall export / hall import: demo data SQLite -> PostgreSQL -> SQLite, compared table by table; refusals."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from sqlalchemy import func

from community_hall import create_app
from community_hall.accounts.services import DEMO_PASSWORD, add_new_member
from community_hall.audit import AuditEvent, record
from community_hall.demo import seed_demo
from community_hall.migrate import upgrade_registry
from community_hall.tenancy import community_session, get_community, tenancy
from community_hall.transfer import export_site, import_site
from community_hall.window.services import Actor, Submission, submit_ticket
from tests.conftest import AuthActions


@pytest.fixture
def make_app(app_config, tmp_path):
    """make_app(name, database_url=None) -> a test app on its own data directory (and database)."""
    apps = []

    def make(name, database_url=None):
        app = create_app({**app_config, "HALL_DATA_DIR": str(tmp_path / name), "DATABASE_URL": database_url})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["tenancy"].dispose()


@pytest.fixture(scope="module")
def demo_dump(tmp_path_factory):
    """The demo site (SQLite) exported once; tests copy what they change."""
    base = tmp_path_factory.mktemp("demo")
    app = create_app({"TESTING": True, "HALL_ENV": "test", "HALL_DATA_DIR": str(base / "site"), "SECRET_KEY": "x",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade_registry(tenancy())
        list(seed_demo())
        summary = export_site(tenancy(), str(base / "dump"))
    app.extensions["tenancy"].dispose()
    assert summary.communities == 3 and summary.rows > 1000
    return str(base / "dump")


def _contents(dump: str) -> dict[str, str]:
    """Every table file of a dump, by relative path (the manifest minus when and where it was made)."""
    files = {}
    for folder, _dirs, names in os.walk(dump):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                files[os.path.relpath(path, dump)] = f.read()
    manifest = json.loads(files.pop("manifest.json"))
    del manifest["created_at"], manifest["source_backend"]
    files["manifest"] = json.dumps(manifest, sort_keys=True)
    return files


def _works(app):
    """The moved site works: ledger-check, a demo sign-in, a community page, new rows get fresh ids."""
    result = app.test_cli_runner().invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 0 and result.output.count(": ok") == 3, result.output
    client = app.test_client()
    assert AuthActions(client).login("yangliu-res1", DEMO_PASSWORD).status_code == 302
    page = client.get("/c/yangliu/")
    assert page.status_code == 200 and "杨柳社区" in page.get_data(as_text=True)
    with app.app_context():
        # New rows in tables that already had rows (audit_log: 49 in yangliu, users: 29): on PostgreSQL these
        # inserts collide with imported ids unless the sequences were reset.
        session, community = community_session("yangliu"), get_community("yangliu")
        last_event = session.query(func.max(AuditEvent.id)).scalar()
        assert last_event >= 40
        ticket = submit_ticket(session, community, Submission(item_code="SB-001", resident_name="王秀兰",
                                                              resident_phone="13800138001"),
                               Actor(None, "王秀兰", "resident"))
        assert ticket.id == 1
        record(session, None, "site.moved")
        session.commit()
        assert session.query(func.max(AuditEvent.id)).scalar() == last_event + 1
        user = add_new_member(community, "resident", "moved-in", "password123", "新居民")
        assert user.id == 30


@pytest.mark.postgres
def test_sqlite_to_postgresql_and_back(demo_dump, make_app, pg_cluster, tmp_path):
    pg = make_app("pg", pg_cluster.create_database(f"hall_transfer_{os.getpid()}"))
    with pg.app_context():
        summary = import_site(tenancy(), demo_dump)
        assert summary.communities == 3
        export_site(tenancy(), str(tmp_path / "from-pg"))
    assert _contents(str(tmp_path / "from-pg")) == _contents(demo_dump)   # every table, every row, every value

    back = make_app("back")
    with back.app_context():
        import_site(tenancy(), str(tmp_path / "from-pg"))
        export_site(tenancy(), str(tmp_path / "from-back"))
    assert _contents(str(tmp_path / "from-back")) == _contents(demo_dump)

    _works(pg)
    _works(back)


def test_the_cli_moves_a_site(demo_dump, make_app, tmp_path):
    target = make_app("cli")
    result = target.test_cli_runner().invoke(args=["hall", "import", demo_dump])
    assert result.exit_code == 0, result.output
    assert "Imported 3 communities" in result.output
    result = target.test_cli_runner().invoke(args=["hall", "export", str(tmp_path / "again")])
    assert result.exit_code == 0 and "Exported 3 communities" in result.output
    assert _contents(str(tmp_path / "again")) == _contents(demo_dump)
    _works(target)


def _nothing_imported(app):
    with app.app_context():
        t = tenancy()
        assert not os.listdir(os.path.join(t.data_dir, "communities"))
        result = app.test_cli_runner().invoke(args=["hall", "export", os.path.join(t.data_dir, "..", "probe")])
        assert "Exported 0 communities, 0 rows" in result.output or "no registry" in result.output


def _refused(app, src, message):
    result = app.test_cli_runner().invoke(args=["hall", "import", src])
    assert result.exit_code != 0
    assert message in result.output, result.output
    return result


def test_a_non_empty_site_is_refused(demo_dump, make_app):
    app = make_app("full")
    with app.app_context():
        upgrade_registry(tenancy())
    from tests.helpers import Builder

    Builder(app).community("comm-a")
    _refused(app, demo_dump, "The target site is not empty (it has communities: comm-a)")
    with app.app_context():
        assert get_community("yangliu") is None


def test_a_stale_dump_is_refused(demo_dump, make_app, tmp_path):
    src = str(tmp_path / "old")
    shutil.copytree(demo_dump, src)
    with open(os.path.join(src, "manifest.json")) as f:
        manifest = json.load(f)
    manifest["communities"][1]["revision"] = "c0005"
    with open(os.path.join(src, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    app = make_app("stale")
    result = _refused(app, src, "The dump's schema differs from this code's: qinghe at c0005")
    assert "hall migrate` on the source site" in result.output
    _nothing_imported(app)


@pytest.mark.parametrize("damage, message", [
    ("no-manifest", "manifest.json is missing"),
    ("bad-manifest", "manifest.json is damaged"),
    ("missing-file", "The dump is incomplete"),
    ("edited-row", "does not match its manifest entry"),
])
def test_a_damaged_dump_is_refused(demo_dump, make_app, tmp_path, damage, message):
    src = str(tmp_path / "damaged-dump")
    shutil.copytree(demo_dump, src)
    if damage == "no-manifest":
        os.remove(os.path.join(src, "manifest.json"))
    elif damage == "bad-manifest":
        with open(os.path.join(src, "manifest.json"), "w") as f:
            f.write('{"format": "community-hall-dump", "version": 1, "registry": ')
    elif damage == "missing-file":
        os.remove(os.path.join(src, "communities", "jinxiu", "tickets.jsonl"))
    else:
        path = os.path.join(src, "registry", "users.jsonl")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("jiedao", "hacker", 1))
    app = make_app("damaged")
    _refused(app, src, message)
    _nothing_imported(app)


def test_export_needs_a_new_directory(demo_dump, app, runner, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    result = runner.invoke(args=["hall", "export", str(tmp_path / "full")])
    assert result.exit_code != 0 and "exists and is not an empty directory" in result.output
    assert os.listdir(tmp_path / "full") == ["x"]


def test_values_keep_their_types():
    from datetime import UTC, date, datetime, timedelta, timezone
    from decimal import Decimal

    from sqlalchemy import Column, DateTime

    from community_hall.transfer import decode, encode

    aware = datetime(2026, 1, 2, 11, 30, tzinfo=timezone(timedelta(hours=8)))
    column = Column("x", DateTime(timezone=True))
    assert decode(encode(aware), column) == aware and decode(encode(aware), column).tzinfo == UTC
    assert encode(datetime(2026, 1, 2, 3, 30)) == {"$dt": "2026-01-02T03:30:00+00:00"}   # SQLite's naive UTC
    for value in (date(2024, 2, 29), Decimal("12.50"), b"\x00\xff", True, None, 7, "社区"):
        assert decode(json.loads(json.dumps(encode(value))), column) == value


def test_a_failing_import_leaves_the_target_empty(demo_dump, make_app, tmp_path):
    import hashlib

    src = str(tmp_path / "dup-dump")
    shutil.copytree(demo_dump, src)
    # A consistent dump (checksums fixed) whose last community breaks a unique constraint half-way.
    path = os.path.join(src, "communities", "yangliu", "shifts.jsonl")
    with open(path, "rb") as f:
        lines = f.readlines()
    lines.append(lines[0])
    with open(path, "wb") as f:
        f.writelines(lines)
    with open(os.path.join(src, "manifest.json")) as f:
        manifest = json.load(f)
    entry = next(e for e in manifest["communities"] if e["slug"] == "yangliu")
    entry["tables"]["shifts"] = {"rows": len(lines), "sha256": hashlib.sha256(b"".join(lines)).hexdigest()}
    with open(os.path.join(src, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    app = make_app("dup")
    result = _refused(app, src, "The import failed (IntegrityError")
    assert "registry is left empty" in result.output
    _nothing_imported(app)
    # Fixed, the same target takes the good dump.
    result = app.test_cli_runner().invoke(args=["hall", "import", demo_dump])
    assert result.exit_code == 0, result.output
