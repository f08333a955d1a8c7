"""The demo site's rosters: every post has two different holders among the staff, and shifts are published."""

from __future__ import annotations

from community_hall.demo import seed_demo
from community_hall.rosters.models import Post, Shift
from community_hall.rosters.services import staff_of, today
from community_hall.tenancy import community_session, get_community
from community_hall.window.services import calendar_for


def test_demo_posts_have_holders_and_shifts_for_this_month_and_the_next(app):
    with app.app_context():
        lines = list(seed_demo())
        assert any("shifts published" in line for line in lines)
        community = get_community("qinghe")
        session = community_session("qinghe")
        staff = {p.user_id for p in staff_of(session, community)}
        posts = session.query(Post).all()
        assert posts and all(p.a_holder_id in staff and p.b_holder_id in staff and p.a_holder_id != p.b_holder_id
                             for p in posts)
        shifts = session.query(Shift).all()
        first = today(community).replace(day=1)
        months = {(s.day.year, s.day.month) for s in shifts}
        assert (first.year, first.month) in months and len(months) == 2
        calendar = calendar_for(session)
        assert all(s.published and calendar.is_workday(s.day) for s in shifts)
        late = [s for s in shifts if s.kind == "late"]
        assert late and {(s.start, s.end) for s in late} == {("10:00", "19:00")}
        assert {s.user_id for s in late} <= {p.b_holder_id for p in posts}
        count = len(shifts)
        assert not any("shifts published" in line for line in seed_demo())  # seeding again adds nothing
        assert session.query(Shift).count() == count
