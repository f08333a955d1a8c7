"""PostgreSQL connections: pinged only after sitting idle, and never handed back to the pool in autocommit."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from community_hall import tenancy as tenancy_module
from community_hall.menu.models import ServiceItem
from community_hall.tenancy import community_session, tenancy
from tests.menu.conftest import menu  # noqa: F401 - reuse the menu fixture


@pytest.fixture
def backend():
    return "postgresql"


pytestmark = pytest.mark.postgres


def _pooled_autocommit(app) -> list[bool]:
    # Every connection the pool holds, as the next session would get it.
    with app.app_context():
        engine = tenancy().community_engine("comm-a")
        held = [engine.raw_connection() for _ in range(engine.pool.checkedin())]
        try:
            return [c.driver_connection.autocommit for c in held]
        finally:
            for c in held:
                c.close()


def test_the_stamp_read_leaves_no_connection_in_autocommit(app, client, menu):  # noqa: F811
    for _ in range(3):
        assert client.get("/c/comm-a/menu/").status_code == 200
    modes = _pooled_autocommit(app)
    assert modes and not any(modes)
    with app.app_context():  # and a session's write still rolls back
        session = community_session("comm-a")
        item = ServiceItem.code == "ZJ-001"
        session.execute(update(ServiceItem).where(item).values(name="gone"))
        session.rollback()
        assert session.scalar(select(ServiceItem.name).where(item)) != "gone"


def test_a_connection_killed_while_idle_is_replaced_before_use(app, client, menu, monkeypatch):  # noqa: F811
    assert client.get("/c/comm-a/menu/").status_code == 200
    with app.app_context():
        engine = tenancy().community_engine("comm-a")
        killer = engine.pool._creator()  # a connection outside the pool
        killer.autocommit = True
        killed = killer.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
        killer.close()
    assert killed >= 1
    monkeypatch.setattr(tenancy_module, "PING_AFTER_IDLE", 0.0)
    # Without the ping the pooled connection is dead and this request would fail.
    page = client.get("/c/comm-a/menu/")
    assert page.status_code == 200 and "开具居住证明" in page.get_data(as_text=True)
