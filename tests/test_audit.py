"""Audit logs: hash chain, append-only (ORM and triggers), tamper detection by `hall audit-check`, concurrent
writers, the migration chaining old rows, what is recorded, and the head's page. Both backends."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from community_hall.accounts.models import User
from community_hall.audit import (
    GENESIS,
    AppendOnlyError,
    AuditEvent,
    SiteAuditEvent,
    record,
    record_apart,
    record_site,
    row_hash,
    verify,
)
from community_hall.migrate import upgrade_community
from community_hall.tenancy import community_session, registry_session, tenancy
from tests.menu.conftest import menu  # noqa: F401 - the menu fixture, for tickets
from tests.window.conftest import drive, submit  # noqa: F401 - a ticket of comm-a and its actions


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


@pytest.fixture
def site(build):
    build.two_communities()
    return build


def _record(app, slug: str, n: int, prefix: str = "test.event") -> None:
    with app.app_context():
        session = community_session(slug)
        for i in range(n):
            record(session, 1, f"{prefix}", f"detail {i} 细节")
            session.commit()


def _events(app, slug: str) -> list[AuditEvent]:
    with app.app_context():
        return list(community_session(slug).scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _raw(app, slug: str, sql: str, backend: str) -> None:
    """Run SQL on a community's database outside the ORM (as someone with database access would)."""
    with app.app_context():
        t = tenancy()
        engine = t.community_engine(slug)
        with engine.begin() as conn:
            if backend == "postgresql":
                conn.execute(text(f'SET LOCAL search_path TO "{t.schema_name(slug)}"'))
            conn.execute(text(sql))


def _drop_triggers(app, slug: str, backend: str) -> None:
    if backend == "postgresql":
        _raw(app, slug, "DROP TRIGGER audit_log_no_change ON audit_log", backend)
    else:
        _raw(app, slug, "DROP TRIGGER audit_log_no_update", backend)
        _raw(app, slug, "DROP TRIGGER audit_log_no_delete", backend)


def test_rows_are_linked_and_the_check_passes(app, site, runner):
    _record(app, "comm-a", 3)
    events = _events(app, "comm-a")
    assert len(events) >= 3
    assert events[0].prev_hash == GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    last = events[-1]
    assert last.hash == row_hash(last.prev_hash, last.at, last.actor_user_id, last.action, last.detail, last.ip)
    assert last.ip == "system"   # recorded outside a request and outside a command
    result = runner.invoke(args=["hall", "audit-check"])
    assert result.exit_code == 0, result.output
    assert f"comm-a: {len(events)} events, chain intact" in result.output
    assert "site: " in result.output and "comm-b: " in result.output


def test_the_orm_refuses_to_change_or_remove_audit_rows(app, site):
    _record(app, "comm-a", 1)
    with app.app_context():
        session = community_session("comm-a")
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        event.detail = "something else"
        with pytest.raises(AppendOnlyError):
            session.commit()
        session.rollback()
        session.delete(session.get(AuditEvent, event.id))
        with pytest.raises(AppendOnlyError):
            session.commit()
        session.rollback()
        with pytest.raises(AppendOnlyError):
            session.execute(AuditEvent.__table__.update().values(detail="x").where(AuditEvent.id == event.id))
        with pytest.raises(AppendOnlyError):
            session.query(AuditEvent).filter(AuditEvent.id == event.id).delete()
    assert _events(app, "comm-a")[-1].detail == "detail 0 细节"


def test_the_database_refuses_raw_updates_and_deletes(app, site, backend):
    _record(app, "comm-a", 2)
    before = [(e.id, e.detail) for e in _events(app, "comm-a")]
    for sql in ("UPDATE audit_log SET detail = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            _raw(app, "comm-a", sql, backend)
    with app.app_context():
        record_site(registry_session(), None, "test.site")
        registry_session().commit()
        t = tenancy()
        with pytest.raises(DBAPIError, match="append-only"), t.registry_engine.begin() as conn:
            conn.execute(SiteAuditEvent.__table__.delete())
    assert [(e.id, e.detail) for e in _events(app, "comm-a")] == before


@pytest.mark.parametrize("tamper", ["update", "delete-middle", "delete-last"])
def test_tampering_is_detected_and_named(app, site, runner, backend, tamper):
    _record(app, "comm-a", 4)
    events = _events(app, "comm-a")
    _drop_triggers(app, "comm-a", backend)
    target = events[-2]
    if tamper == "update":
        _raw(app, "comm-a", f"UPDATE audit_log SET detail = 'forged' WHERE id = {target.id}", backend)
        expected = f"comm-a: BROKEN at row {target.id}: its contents do not match its hash"
    elif tamper == "delete-middle":
        _raw(app, "comm-a", f"DELETE FROM audit_log WHERE id = {target.id}", backend)
        expected = f"comm-a: BROKEN at row {events[-1].id}: does not follow the previous row"
    else:
        _raw(app, "comm-a", f"DELETE FROM audit_log WHERE id = {events[-1].id}", backend)
        expected = "comm-a: BROKEN at the end"
    result = runner.invoke(args=["hall", "audit-check", "--community", "comm-a"])
    assert result.exit_code != 0
    assert expected in result.output
    assert "1 audit logs are broken: comm-a" in result.output
    assert runner.invoke(args=["hall", "audit-check", "--community", "comm-b"]).exit_code == 0


def test_two_writers_at_once_keep_one_linear_chain(app, site):
    before = len(_events(app, "comm-a"))
    errors = []

    def write(name):
        try:
            _record(app, "comm-a", 15, f"thread.{name}")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    events = _events(app, "comm-a")
    assert len(events) == before + 30
    assert len({e.prev_hash for e in events}) == len(events)   # no two rows follow the same predecessor
    with app.app_context():
        with tenancy().community_engine("comm-a").connect() as conn:
            count, broken = verify(conn)
    assert broken is None and count == len(events)


def test_the_migration_chains_rows_written_before_it(app, site, runner, backend):
    with app.app_context():
        upgrade_community(tenancy(), "comm-a", "c0020", down=True)
    _raw(app, "comm-a", "INSERT INTO audit_log (at, actor_user_id, action, detail) "
                        "VALUES ('2026-01-02 03:04:05.000006', 7, 'old.event', '旧的')", backend)
    with app.app_context():
        upgrade_community(tenancy(), "comm-a")
    events = _events(app, "comm-a")
    assert events[-1].action == "old.event" and events[-1].ip == "" and events[-1].hash
    _record(app, "comm-a", 1)
    assert _events(app, "comm-a")[-1].prev_hash == events[-1].hash
    result = runner.invoke(args=["hall", "audit-check", "--community", "comm-a"])
    assert result.exit_code == 0, result.output


def test_sign_ins_failures_sign_outs_and_password_changes_go_to_the_site_log(app, site, client, auth, runner):
    auth.login("staff-a", "wrong-password")
    auth.login("nobody-here", "wrong-password")
    auth.login("staff-a")
    auth.post("/account/password", {"old_password": "password123", "new_password": "a-new-password-1",
                                    "confirm": "a-new-password-1"})
    auth.logout()
    with app.app_context():
        rows = registry_session().execute(select(SiteAuditEvent.action, SiteAuditEvent.detail, SiteAuditEvent.ip)
                                          .order_by(SiteAuditEvent.id)).all()
    actions = [(a, d) for a, d, _ip in rows]
    with app.app_context():
        staff = registry_session().scalar(select(User.id).where(User.username == "staff-a"))
    # A failure keeps what was typed; the account itself is named by id, which outlives a deletion's new username.
    assert actions[-5:] == [("login.failed", "staff-a"), ("login.failed", "nobody-here"), ("login", f"user #{staff}"),
                            ("password.change", f"user #{staff}"), ("logout", "")]
    assert {ip for _a, _d, ip in rows[-5:]} == {"127.0.0.1"}
    assert runner.invoke(args=["hall", "audit-check"]).exit_code == 0


def test_exports_are_recorded_with_who_and_from_where(app, site, client, auth, runner, tmp_path):
    auth.login("head-a")
    assert client.get("/c/comm-a/menu/export.csv").status_code == 200
    assert runner.invoke(args=["hall", "export", str(tmp_path / "dump")]).exit_code == 0
    with app.app_context():
        event = community_session("comm-a").scalars(select(AuditEvent).where(AuditEvent.action == "menu.export")).one()
        site_event = registry_session().scalars(select(SiteAuditEvent).where(
            SiteAuditEvent.action == "site.export")).one()
        head_id = registry_session().scalar(select(User.id).where(User.username == "head-a"))
    assert event.actor_user_id == head_id and event.ip == "127.0.0.1"
    assert site_event.ip == "cli"


def test_ticket_transitions_by_staff_are_recorded(app, submit, runner):  # noqa: F811
    ticket = submit()
    drive(app, ticket.id, "accept", "complete")
    with app.app_context():
        rows = community_session("comm-a").execute(select(AuditEvent.action, AuditEvent.detail)
                                                   .where(AuditEvent.action.startswith("ticket."))
                                                   .order_by(AuditEvent.id)).all()
    assert [a for a, _d in rows] == ["ticket.accept", "ticket.complete"]
    assert rows[0][1].startswith(ticket.number) and "submitted -> accepted" in rows[0][1]
    assert runner.invoke(args=["hall", "audit-check", "--community", "comm-a"]).exit_code == 0


def test_heads_read_their_log_with_filters(app, site, client, auth):
    _record(app, "comm-a", 3, "test.alpha")
    _record(app, "comm-a", 2, "test.beta")
    auth.login("head-a")
    page = client.get("/c/comm-a/audit?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<caption>Audit events, page 1</caption>" in html
    assert "test.alpha" in html and "test.beta" in html
    assert html.index("test.beta") < html.index("test.alpha")   # newest first
    only = client.get("/c/comm-a/audit?action=test.b").get_data(as_text=True)
    assert "test.beta" in only and "test.alpha" not in only
    theirs = client.get("/c/comm-a/audit?actor=res-a").get_data(as_text=True)
    assert "test.alpha" not in theirs and "member.create.resident" in theirs   # res-a's own sign-up
    with app.app_context():
        resident = registry_session().scalar(select(User.id).where(User.username == "res-a"))
    assert f"user #{resident} (res-a)" in theirs        # the account named by id, shown with its username now
    unknown = client.get("/c/comm-a/audit?actor=nobody-at-all&lang=en")
    assert unknown.status_code == 400 and "No such user: nobody-at-all" in unknown.get_data(as_text=True)
    bad = client.get("/c/comm-a/audit?date_from=yesterday&lang=en")
    assert bad.status_code == 400 and "Enter a date as YYYY-MM-DD." in bad.get_data(as_text=True)
    assert client.get("/c/comm-a/audit?date_from=2000-01-01&date_to=2000-01-02").get_data(as_text=True).count(
        "test.alpha") == 0
    assert "Audit log" in client.get("/c/comm-a/?lang=en").get_data(as_text=True)   # in the head's menu
    assert client.get("/c/comm-b/audit").status_code == 404
    chinese = client.get("/c/comm-a/audit?lang=zh_CN").get_data(as_text=True)
    assert "<caption>审计记录，第 1 页</caption>" in chinese and "来源地址" in chinese


@pytest.mark.parametrize(("username", "status"), [("staff-a", 403), ("res-a", 403), ("district", 200)])
def test_who_may_read_the_log(app, site, client, auth, username, status):
    auth.login(username)
    assert client.get("/c/comm-a/audit").status_code == status


def test_the_log_pages(app, site, client, auth):
    with app.app_context():
        session = community_session("comm-a")
        for i in range(60):
            record(session, None, "bulk.event", f"n{i:02d}")
        session.commit()
        total = session.scalar(select(func.count()).select_from(AuditEvent))
    auth.login("head-a")
    first = client.get("/c/comm-a/audit?action=bulk").get_data(as_text=True)
    assert "n59" in first and "n09" not in first and "page=2" in first
    second = client.get("/c/comm-a/audit?action=bulk&page=2").get_data(as_text=True)
    assert "n09" in second and "n59" not in second
    assert total >= 60


def test_a_request_that_has_read_can_still_record_apart(app, site, backend):
    """Exports and reports read first; a write in their read transaction could find SQLite locked."""
    with app.app_context():
        reading = community_session("comm-a")
        reading.scalar(select(func.count()).select_from(AuditEvent))    # a read transaction is open
        _record(app, "comm-a", 1, "meanwhile")                          # another writer commits
        record_apart(tenancy().community_engine("comm-a"), None, "apart.event", "read first")
        reading.rollback()
    events = _events(app, "comm-a")
    assert [e.action for e in events[-2:]] == ["meanwhile", "apart.event"]
    assert events[-1].prev_hash == events[-2].hash
