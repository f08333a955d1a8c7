"""hall backup / hall restore: online copies while tickets keep coming, whole-site and one-community restores."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time

from sqlalchemy import create_engine, text

from community_hall.backup import backup_site
from community_hall.migrate import community_revision, head_revision, upgrade_community
from community_hall.tenancy import tenancy
from tests.backup.site import integrity, slugs, submit, ticket_numbers
from tests.conftest import AuthActions


def _backup(app, dest) -> str:
    result = app.test_cli_runner().invoke(args=["hall", "backup", str(dest)])
    assert result.exit_code == 0, result.output
    assert "Backup complete: " in result.output
    return result.output.split("Backup complete: ")[1].strip()


def _restore(app, src, *args):
    return app.test_cli_runner().invoke(args=["hall", "restore", str(src), *args])


def _ledger_ok(app, count: int) -> None:
    result = app.test_cli_runner().invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 0 and result.output.count(": ok") == count, result.output


def _rows(app) -> dict:
    """Row count of every table of every database of a site, as the backup's manifest records them."""
    from community_hall.backup import _counts

    t = app.extensions["tenancy"]
    with app.app_context():
        return {name: _counts(t, None if name == "registry" else name) for name in ["registry", *slugs(app)]}


def _dump(path: str) -> list[str]:
    """Every statement that recreates a SQLite database (its whole content, whatever the WAL holds)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_round_trip_of_the_demo_site(demo, make_app, tmp_path, backend):
    numbers = [submit(demo, "yangliu") for _ in range(3)] + [submit(demo, "qinghe")]
    path = _backup(demo, tmp_path / "backups")
    assert os.path.basename(path).startswith("hall-backup-")
    with open(os.path.join(path, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    assert manifest["backend"] == backend
    assert manifest["heads"] == {"registry": head_revision("registry"), "community": head_revision("community")}
    assert [e["slug"] for e in manifest["communities"]] == ["jinxiu", "qinghe", "yangliu"]
    yangliu = manifest["communities"][2]
    assert yangliu["revision"] == head_revision("community") and yangliu["rows"]["tickets"] == 3
    assert len(yangliu["sha256"]) == 64 and manifest["registry"]["rows"]["users"] == 29

    target = make_app("restored")
    result = _restore(target, path)
    assert result.exit_code == 0, result.output
    assert "Restored registry, jinxiu, qinghe, yangliu." in result.output
    assert _rows(target) == {"registry": manifest["registry"]["rows"],
                             **{e["slug"]: e["rows"] for e in manifest["communities"]}}
    assert ticket_numbers(target, "yangliu") == set(numbers[:3])
    assert set(integrity(target).values()) <= {"ok"}
    _ledger_ok(target, 3)
    client = target.test_client()
    assert AuthActions(client).login("yangliu-res1", "demo-password").status_code in (302, 200)
    assert client.get("/c/yangliu/").status_code == 200
    # The restored site goes on: the next ticket of the day follows the restored ones.
    assert submit(target, "yangliu").endswith("-0004")


def test_backup_while_tickets_keep_coming(demo, make_app, tmp_path):
    """Every ticket acknowledged before the backup began is in it; writers are not stopped by it."""
    acked: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            slug = ("yangliu", "qinghe")[n % 2]
            try:
                acked.append((slug, submit(demo, slug, f"居民{n}")))
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
                return
            n += 1

    def wait_for_progress(_line):
        # Called after each database is copied: the backup goes on only once another ticket was committed,
        # so writes provably happen while the backup runs.
        seen = len(acked)
        deadline = time.monotonic() + 10
        while len(acked) == seen and not errors and time.monotonic() < deadline:
            time.sleep(0.005)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        while len(acked) < 5 and not errors:
            time.sleep(0.01)
        before = list(acked)
        with demo.app_context():
            path = backup_site(tenancy(), str(tmp_path / "backups"), wait_for_progress)
        during = len(acked) - len(before)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not errors, errors
    assert during >= 4   # one ticket after each of the four databases was copied

    target = make_app("restored")
    result = _restore(target, path)
    assert result.exit_code == 0, result.output
    restored = {slug: ticket_numbers(target, slug) for slug in ("yangliu", "qinghe")}
    missing = [(slug, number) for slug, number in before if number not in restored[slug]]
    assert missing == []
    # Nothing half-written: every restored ticket was acknowledged (and so fully committed) by the writer.
    assert {(s, n) for s, ns in restored.items() for n in ns} <= set(acked)
    assert set(integrity(target).values()) <= {"ok"}
    _ledger_ok(target, 3)


def test_restoring_one_community_leaves_the_others_untouched(demo, tmp_path, backend):
    kept = submit(demo, "yangliu")
    path = _backup(demo, tmp_path / "backups")
    later = submit(demo, "yangliu")
    other = submit(demo, "qinghe")
    untouched = {name: rows for name, rows in _rows(demo).items() if name != "yangliu"}
    t = demo.extensions["tenancy"]
    others = ("hall.sqlite3", "communities/qinghe.sqlite3", "communities/jinxiu.sqlite3")
    files = {name: _dump(os.path.join(t.data_dir, name)) for name in others} if backend == "sqlite" else {}
    with demo.app_context():   # the running site has yangliu open while it is restored
        assert ticket_numbers(demo, "yangliu") == {kept, later}
        result = _restore(demo, path, "--community", "yangliu")
        assert result.exit_code == 0, result.output
        assert "Restored yangliu." in result.output
    assert ticket_numbers(demo, "yangliu") == {kept}
    assert other in ticket_numbers(demo, "qinghe")
    assert {name: rows for name, rows in _rows(demo).items() if name != "yangliu"} == untouched
    for name, content in files.items():
        assert _dump(os.path.join(t.data_dir, name)) == content, name
    assert set(integrity(demo).values()) <= {"ok"}
    _ledger_ok(demo, 3)
    # Page-cache stamps moved past every value cached before the restore.
    with demo.app_context():
        from community_hall.pagecache import CacheStamp
        from community_hall.tenancy import community_session

        assert min(s.version for s in community_session("yangliu").query(CacheStamp)) > 1


def test_refusals_change_nothing(app, build, make_app, tmp_path, backend):
    build.two_communities()
    path = _backup(app, tmp_path / "backups")
    with open(os.path.join(path, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)

    target = make_app("target")
    with target.app_context():
        from community_hall.migrate import upgrade_registry

        upgrade_registry(tenancy())
    # Not a backup, a folder of backups, an unknown community.
    result = _restore(target, tmp_path / "backups")
    assert result.exit_code != 0 and "give one of them" in result.output
    result = _restore(app, path, "--community", "comm-z")
    assert result.exit_code != 0 and "comm-z is not in this backup" in result.output
    # The whole site over a site that has communities.
    result = _restore(app, path)
    assert result.exit_code != 0 and "The target site is not empty (it has communities: comm-a, comm-b)" in result.output
    # One community into a site that does not have it.
    result = _restore(target, path, "--community", "comm-a")
    assert result.exit_code != 0 and "comm-a is not registered on this site" in result.output

    def edited(name, change):
        copy = tmp_path / name
        import shutil

        shutil.copytree(path, copy)
        data = json.loads(json.dumps(manifest))
        change(data, copy)
        with open(copy / "manifest.json", "w", encoding="utf-8") as f:
            json.dump(data, f)
        return copy

    newer = edited("newer", lambda m, _c: m["communities"][0].update(revision="c9999"))
    result = _restore(target, newer)
    assert result.exit_code != 0 and "made by newer code" in result.output and "comm-a at c9999" in result.output
    escape = edited("escape", lambda m, _c: m["communities"][0].update(file="../../../etc/passwd"))
    result = _restore(target, escape)
    assert result.exit_code != 0 and "names another file or schema" in result.output
    other = "sqlite" if backend == "postgresql" else "postgresql"
    result = _restore(target, edited("other", lambda m, _c: m.update(backend=other)))
    assert result.exit_code != 0 and f"This backup is of a {other} site" in result.output

    def damage(m, copy):
        with open(copy / m["communities"][1]["file"], "r+b") as f:
            f.seek(100)
            f.write(b"\xff\xff")
    result = _restore(target, edited("damaged", damage))
    assert result.exit_code != 0 and "The backup is damaged" in result.output
    assert slugs(target) == []
    if backend == "sqlite":
        assert not os.path.exists(target.extensions["tenancy"].community_path("comm-a"))


def test_an_older_backup_is_migrated_on_restore(app, build, make_app, tmp_path, backend):
    build.community("comm-a")
    with app.app_context():
        upgrade_community(tenancy(), "comm-a", "c0019", down=True)
    path = _backup(app, tmp_path / "backups")
    target = make_app("target")
    result = _restore(target, path)
    assert result.exit_code == 0, result.output
    assert f"comm-a: migrated c0019 -> {head_revision('community')}" in result.output
    with target.app_context():
        assert community_revision(tenancy(), "comm-a") == head_revision("community")
        if backend == "postgresql":
            with tenancy().migration_engine().connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM c_comm_a.alembic_version")).scalar() == 1


def test_a_community_locked_by_a_writer_is_refused_and_unchanged(demo, tmp_path, backend, monkeypatch):
    import community_hall.backup as backup

    path = _backup(demo, tmp_path / "backups")
    later = submit(demo, "yangliu")
    t = demo.extensions["tenancy"]
    monkeypatch.setattr(backup, "BUSY_SECONDS", 0.5)
    monkeypatch.setattr(backup, "LOCK_TIMEOUT", "500ms")
    if backend == "sqlite":
        holder = sqlite3.connect(t.community_path("yangliu"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")   # a writer in the middle of its transaction
        release = holder
    else:
        other_process = create_engine(t.database_url)   # like a worker's pool, not this process's own
        release = other_process.connect()
        release.execute(text("LOCK TABLE c_yangliu.tickets IN ROW EXCLUSIVE MODE"))   # an open write transaction
    try:
        result = _restore(demo, path, "--community", "yangliu")
    finally:
        if backend == "sqlite":
            release.execute("ROLLBACK")
        else:
            release.rollback()
        release.close()
        if backend != "sqlite":
            other_process.dispose()
    assert result.exit_code != 0
    assert ("stayed locked by another writer" if backend == "sqlite" else "stayed in use for 500ms") in result.output
    assert later in ticket_numbers(demo, "yangliu")


def _fake_backup(dest, stamp: str) -> None:
    os.makedirs(dest / f"hall-backup-{stamp}")
    (dest / f"hall-backup-{stamp}" / "manifest.json").write_text("{}")


def test_pruning_keeps_recent_daily_weekly_and_monthly_backups(tmp_path):
    from datetime import UTC, datetime, timedelta

    from community_hall.backup import prune_backups

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    dest = tmp_path / "backups"
    hours = [*range(0, 48, 6), *range(48, 24 * 400, 24)]   # every 6 hours for two days, then daily for 400 days
    stamps = [(now - timedelta(hours=h)).strftime("%Y%m%dT%H%M%SZ") for h in hours]
    for stamp in stamps:
        _fake_backup(dest, stamp)
    os.makedirs(dest / "notes")   # not a backup: never touched
    os.makedirs(dest / "hall-backup-20261123T110000Z-2")   # no manifest (incomplete): never touched
    kept, removed = prune_backups(str(dest), keep_hours=24, daily=7, weekly=4, monthly=12, dry_run=True, now=now)
    assert len(kept) + len(removed) == len(stamps) and os.path.isdir(dest / f"hall-backup-{stamps[-1]}")
    assert [f"hall-backup-{s}" for s in stamps[:4]] == kept[:4]   # the last 24 hours, every 6 hours
    days = {k[12:20] for k in kept}
    assert {(now - timedelta(days=d)).strftime("%Y%m%d") for d in range(7)} <= days
    assert {k[12:18] for k in kept} == {f"2026{m:02d}" for m in range(1, 12)} | {"202512"}   # 12 months
    weeks = {datetime.strptime(k[12:20], "%Y%m%d").isocalendar()[:2] for k in kept}
    assert {(2026, 48), (2026, 47), (2026, 46), (2026, 45)} <= weeks
    assert len(kept) <= 4 + 7 + 4 + 12
    prune_backups(str(dest), now=now)
    assert sorted(os.listdir(dest)) == sorted([*kept, "notes", "hall-backup-20261123T110000Z-2"])
