"""Comm-a and comm-b (tests/helpers.py) with a second member of staff in comm-a and a post SB; lookup helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community_hall.accounts.models import User
from community_hall.rosters import services
from community_hall.rosters.models import Post
from community_hall.tenancy import community_session, get_community, registry_session


def uid(app, username: str) -> int:
    """A user's id by username."""
    with app.app_context():
        return registry_session().query(User.id).filter_by(username=username).scalar()


def rows(app, model, slug: str = "comm-a", **filters) -> list:
    """Every row of a roster table in a community (detached copies of the columns, as dicts)."""
    with app.app_context():
        found = community_session(slug).query(model).filter_by(**filters).order_by(model.id).all()
        return [{c.name: getattr(r, c.name) for c in model.__table__.columns} for r in found]


def tomorrow(app, days: int = 1):
    """A day in comm-a's zone, `days` after today."""
    with app.app_context():
        return services.today(get_community("comm-a")) + timedelta(days=days)


@pytest.fixture
def roster(app, build):
    """comm-a (head-a, staff-a, staff-a2, res-a) with post SB; comm-b (head-b, staff-b, res-b)."""
    build.two_communities()
    build.user("staff-a2", "comm-a", "staff", "员工二")
    with app.app_context():
        session = community_session("comm-a")
        post = services.create_post(session, "SB", "社会保障岗", "2号窗口")
        session.commit()
        return post.id


@pytest.fixture
def add_shift(app):
    """add_shift(username, day, start, end, kind="regular") -> shift id, straight through the service."""

    def _add(username, day, start="08:30", end="17:30", kind="regular", slug="comm-a"):
        with app.app_context():
            community = get_community(slug)
            session = community_session(slug)
            data = services.clean_shift(session, community, uid(app, username), day, start, end, kind)
            shift = services.add_shift(session, community, None, data)
            session.commit()
            return shift.id

    return _add


def post_of(app, post_id: int) -> dict:
    """The post's columns."""
    return next(r for r in rows(app, Post) if r["id"] == post_id)
