"""Ratings (好差评): once per finished ticket, validated, bad ones followed up in order and in time; figures; pages."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from community_hall.accounts.models import User
from community_hall.errors import HallError
from community_hall.tenancy import community_session, get_community, registry_session, utcnow
from community_hall.window import ratings, services
from community_hall.window.models import CalendarOverride, Ticket, TicketEvent
from community_hall.window.ratings_models import FollowUp, Notification, Rating
from community_hall.workdays import WorkCalendar
from tests.window.conftest import STAFF

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEAD = services.Actor(None, "站长a", "staff")


def _aware(dt):
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def user_id(app, username):
    with app.app_context():
        return registry_session().scalar(select(User.id).where(User.username == username))


def finish(app, submit, how="complete", **overrides) -> str:
    """A new ticket of comm-a brought to done (or declined, or left at an earlier state); its number."""
    ticket = submit(**overrides)
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        t = session.get(Ticket, ticket.id)
        if how in ("accepted", "in_progress", "complete"):
            t = services.accept(session, community, t, STAFF, ["身份证"])
        if how in ("in_progress", "complete"):
            t = services.start(session, t, STAFF)
        if how == "complete":
            t = services.complete(session, t, STAFF, "已办结，请到2号窗口领取。")
        if how == "decline":
            t = services.decline(session, t, STAFF, "不符合申请条件")
        if how == "withdraw":
            t = services.withdraw(session, t, services.Actor(None, "王秀兰", "resident"))
        return t.number


def rate(app, number, level=5, scores=(5, 5, 5), comment="", channel="offline", rater="resident", **kwargs):
    with app.app_context():
        session = community_session("comm-a")
        return ratings.rate_ticket(session, services.ticket_by_number(session, number), level, scores, comment,
                                   channel, rater, **kwargs)


def followup_of(session, number) -> FollowUp | None:
    return session.scalar(select(FollowUp).join(Ticket, Ticket.id == FollowUp.ticket_id)
                          .where(Ticket.number == number))


# --- the service ---------------------------------------------------------------------------------
def test_a_ticket_is_rated_once_and_the_rating_is_on_its_timeline(app, submit):
    number = finish(app, submit)
    rating = rate(app, number, 4, (5, 4, 3), "很好")
    assert (rating.level, rating.scores, rating.channel, rating.rater) == (4, (5, 4, 3), "offline", "resident")
    with pytest.raises(HallError) as err:
        rate(app, number, 5)
    assert err.value.field == "level"
    with app.app_context():
        session = community_session("comm-a")
        assert session.query(Rating).count() == 1
        event = session.scalars(select(TicketEvent).where(TicketEvent.action == "rate")).one()
        assert (event.from_status, event.to_status, event.note) == ("done", "done", "4/5")
        assert session.query(FollowUp).count() == 0  # 满意 needs no follow-up


@pytest.mark.parametrize("how, allowed", [
    ("submitted", False), ("accepted", False), ("in_progress", False), ("withdraw", False),
    ("complete", True), ("decline", True),
])
def test_only_finished_tickets_can_be_rated(app, submit, how, allowed):
    number = finish(app, submit, how)
    if allowed:
        assert rate(app, number).id
    else:
        with pytest.raises(HallError):
            rate(app, number)
        with app.app_context():
            assert community_session("comm-a").query(Rating).count() == 0


@pytest.mark.parametrize("kwargs, field", [
    ({"level": 0}, "level"), ({"level": 6}, "level"), ({"level": None}, "level"), ({"level": "很好"}, "level"),
    ({"scores": (5, 5)}, "score_1"), ({"scores": (5, 0, 5)}, "score_2"), ({"scores": (5, 5, 6)}, "score_3"),
    ({"scores": (5, 5, None)}, "score_3"), ({"comment": "长" * 501}, "comment"),
    ({"level": 2, "comment": "  "}, "comment"), ({"channel": "phone"}, "channel"), ({"rater": "neighbour"}, "rater"),
])
def test_levels_scores_and_comments_are_validated(app, submit, kwargs, field):
    number = finish(app, submit)
    with pytest.raises(HallError) as err:
        rate(app, number, **kwargs)
    assert err.value.field == field
    with app.app_context():
        assert community_session("comm-a").query(Rating).count() == 0


def test_a_bad_rating_opens_a_follow_up_due_in_15_working_days(app, submit):
    number = finish(app, submit)
    rating = rate(app, number, 2, (2, 3, 1), "等了很久")
    with app.app_context():
        session = community_session("comm-a")
        followup = followup_of(session, number)
        assert followup.status == "open" and followup.rating_id == rating.id
        opened = _aware(rating.created_at).astimezone(SHANGHAI).date()
        due = _aware(followup.due_at).astimezone(SHANGHAI)
        assert due.date() == WorkCalendar().add_workdays(opened, 15)
        assert due.time() == time(17, 30)  # until the office closes on that day
        assert not ratings.is_followup_overdue(followup)


def test_the_follow_up_limit_is_configurable_and_counts_local_closures(app, submit):
    app.config["RATING_FOLLOWUP_WORKDAYS"] = 5
    today = utcnow().astimezone(SHANGHAI).date()
    closed = WorkCalendar().add_workdays(today, 2)  # the station closes on a working day inside the window
    with app.app_context():
        session = community_session("comm-a")
        session.add(CalendarOverride(day=closed, is_workday=False, note="停电"))
        session.commit()
    number = finish(app, submit)
    rate(app, number, 1, (1, 1, 1), "态度差")
    with app.app_context():
        due = _aware(followup_of(community_session("comm-a"), number).due_at).astimezone(SHANGHAI).date()
    assert due == WorkCalendar({closed: False}).add_workdays(today, 5)
    assert due == WorkCalendar().add_workdays(today, 6)


def test_follow_up_steps_go_in_order_and_each_is_recorded(app, submit):
    number = finish(app, submit)
    rate(app, number, 2, (2, 2, 2), "材料说明不清楚")
    with app.app_context():
        session = community_session("comm-a")
        followup = followup_of(session, number)
        for step in ("verify", "rectify", "close"):
            with pytest.raises(HallError):
                ratings.follow_up_step(session, followup, step, "跳过", HEAD, justified=True)
        with pytest.raises(HallError) as err:
            ratings.follow_up_step(session, followup, "contact", "  ", HEAD)
        assert err.value.field == "note"
        ratings.follow_up_step(session, followup, "contact", "电话回访，居民反映等待时间长", HEAD)
        with pytest.raises(HallError):
            ratings.follow_up_step(session, followup, "contact", "再次回访", HEAD)
        with pytest.raises(HallError) as err:
            ratings.follow_up_step(session, followup, "verify", "核实属实", HEAD)
        assert err.value.field == "justified"
        ratings.follow_up_step(session, followup, "verify", "核实属实", HEAD, justified=True)
        ratings.follow_up_step(session, followup, "rectify", "增设一次性告知单", HEAD)
        ratings.follow_up_step(session, followup, "close", "已改进，感谢您的监督", HEAD)
        followup = session.get(FollowUp, followup.id)
        assert followup.status == "closed" and followup.justified is True
        assert followup.contact_note.startswith("电话回访") and followup.rectify_note == "增设一次性告知单"
        assert followup.reply == "已改进，感谢您的监督"
        assert all(getattr(followup, f"{s}_at") for s in ("contacted", "verified", "rectified", "closed"))
        assert ratings.closed_in_time(followup) is True
        assert ratings.next_step(followup) is None
        with pytest.raises(HallError):
            ratings.follow_up_step(session, followup, "close", "再答复", HEAD)


def test_concurrent_double_submission_stores_one_rating(app, submit):
    number = finish(app, submit)
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        with app.app_context():
            session = community_session("comm-a")
            ticket = services.ticket_by_number(session, number)
            barrier.wait()
            try:
                ratings.rate_ticket(session, ticket, 2, (2, 2, 2), "慢", "offline", "resident")
                outcomes.append("rated")
            except HallError:
                outcomes.append("refused")

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["rated", "refused"]
    with app.app_context():
        session = community_session("comm-a")
        assert session.query(Rating).count() == 1 and session.query(FollowUp).count() == 1


def test_the_unique_constraint_is_the_last_word(app, submit, monkeypatch):
    number = finish(app, submit)
    rate(app, number)
    monkeypatch.setattr(ratings, "rating_of", lambda session, ticket_id: None)  # as if the check raced
    with pytest.raises(HallError, match="already been rated"):
        rate(app, number)
    with app.app_context():
        assert community_session("comm-a").query(Rating).count() == 1


def test_figures_count_satisfaction_follow_ups_and_replies(app, submit):
    numbers = [finish(app, submit) for _ in range(6)]
    for number, level in zip(numbers, (5, 4, 3, 2, 1, 1), strict=True):
        rate(app, number, level, (level, level, level), "" if level > 2 else "不满意的地方")
    with app.app_context():
        session = community_session("comm-a")
        on_time, late, contacted = (followup_of(session, n) for n in numbers[3:])
        session.execute(update(FollowUp).where(FollowUp.id == late.id).values(due_at=utcnow() - timedelta(days=1)))
        session.commit()
        for f in (on_time, late):
            for step in ratings.STEPS:
                ratings.follow_up_step(session, session.get(FollowUp, f.id), step, "记录", HEAD, justified=False)
        ratings.follow_up_step(session, contacted, "contact", "已回访", HEAD)
        # Bounds in another zone are compared as instants, not as wall-clock text.
        start = (utcnow() - timedelta(minutes=5)).astimezone(SHANGHAI)
        found = ratings.figures(session, start, utcnow() + timedelta(minutes=5))
        empty = ratings.figures(session, datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 4, 1, tzinfo=UTC))
    assert found == {
        "ratings": 6, "levels": {5: 1, 4: 1, 3: 1, 2: 1, 1: 2}, "satisfied": 3, "satisfaction_rate": 0.5, "bad": 3,
        "followed_up": 3, "rectified": 2, "replied": 2, "closed_in_time": 1, "followup_rate": 1.0,
        "reply_rate": pytest.approx(2 / 3),
    }
    assert empty["ratings"] == 0 and empty["satisfaction_rate"] is None and empty["reply_rate"] is None


# --- the pages -----------------------------------------------------------------------------------
def _form_errors(html: str) -> str:
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return summary.group(0) if summary else ""


def test_a_resident_who_tracked_the_ticket_rates_it_on_the_page(app, client, auth, submit):
    number = finish(app, submit)  # submitted online by someone without an account
    with client.session_transaction() as s:
        s["tracked"] = [number]
    page = client.get(f"/c/comm-a/rate/{number}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for level in range(1, 6):
        assert f'name="level" type="radio" value="{level}"' in html or f'value="{level}" name="level"' in html \
            or re.search(rf'<input[^>]*name="level"[^>]*value="{level}"', html)
    assert "Very satisfied" in html and "Very dissatisfied" in html
    assert "Accuracy of the service guide" in html  # an online application gets the online sub-scores
    bad = auth.post(f"/c/comm-a/rate/{number}?lang=en", {"level": "9", "score_1": "5", "score_2": "5", "score_3": "5"})
    assert bad.status_code == 200 and "Choose how satisfied you are." in _form_errors(bad.get_data(as_text=True))
    done = auth.post(f"/c/comm-a/rate/{number}", {"level": "2", "score_1": "3", "score_2": "2", "score_3": "2",
                                                  "comment": "办事指南没写清楚要复印件"})
    assert done.status_code == 303
    with app.app_context():
        session = community_session("comm-a")
        rating = session.scalar(select(Rating))
        assert (rating.level, rating.channel, rating.rater, rating.rater_user_id) == (2, "online", "resident", None)
        assert followup_of(session, number).status == "open"
    thanks = client.get(f"/c/comm-a/rate/{number}?lang=en").get_data(as_text=True)
    assert "Thank you for your rating" in thanks and 'name="level"' not in thanks
    again = auth.post(f"/c/comm-a/rate/{number}", {"level": "5", "score_1": "5", "score_2": "5", "score_3": "5"})
    assert again.status_code == 200
    with app.app_context():
        assert community_session("comm-a").query(Rating).count() == 1


def test_strangers_get_404_and_the_owner_may_rate(app, client, auth, build, submit):
    build.user("res-a2", "comm-a", "resident", "居民a2")
    number = finish(app, submit, resident_user_id=user_id(app, "res-a"))
    assert client.get(f"/c/comm-a/rate/{number}").status_code == 404           # anonymous, nothing proved
    assert client.get("/c/comm-a/rate/COMM-A-20200101-0001").status_code == 404
    auth.login("res-a2")
    assert client.get(f"/c/comm-a/rate/{number}").status_code == 404           # another resident
    auth.post(f"/c/comm-a/rate/{number}", {"level": "1", "score_1": "1", "score_2": "1", "score_3": "1",
                                           "comment": "x"})
    auth.logout()
    auth.login("head-b")
    assert client.get(f"/c/comm-a/rate/{number}").status_code == 404           # staff of another community
    auth.logout()
    auth.login("res-a")
    assert client.get(f"/c/comm-a/rate/{number}").status_code == 200
    with app.app_context():
        assert community_session("comm-a").query(Rating).count() == 0


def test_staff_record_a_rating_on_the_residents_behalf_at_the_window(app, client, auth, submit):
    number = finish(app, submit, channel="window")
    auth.login("staff-a")
    html = client.get(f"/c/comm-a/rate/{number}?lang=en").get_data(as_text=True)
    assert "Attitude of staff" in html and "Let the resident choose" in html
    response = auth.post(f"/c/comm-a/rate/{number}", {"level": "5", "score_1": "5", "score_2": "4", "score_3": "5"})
    assert response.status_code == 303
    with app.app_context():
        rating = community_session("comm-a").scalar(select(Rating))
    assert (rating.rater, rating.channel, rating.rater_user_id) == ("staff_on_behalf", "offline", user_id(app, "staff-a"))


def test_an_unfinished_ticket_shows_no_form(app, client, submit):
    number = finish(app, submit, "accepted")
    with client.session_transaction() as s:
        s["tracked"] = [number]
    html = client.get(f"/c/comm-a/rate/{number}?lang=en").get_data(as_text=True)
    assert "once it is finished" in html and 'name="level"' not in html


def test_follow_ups_are_for_the_head_only(app, client, auth, submit):
    number = finish(app, submit)
    rate(app, number, 1, (1, 1, 1), "很差")
    with app.app_context():
        followup_id = followup_of(community_session("comm-a"), number).id
    pages = ["/c/comm-a/followups", f"/c/comm-a/followups/{followup_id}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    for username, status in (("staff-a", 403), ("res-a", 403), ("head-b", 404), ("staff-b", 404), ("head-a", 200)):
        auth.login(username)
        for url in pages:
            assert client.get(url).status_code == status, (username, url)
        if status != 200:
            auth.post(pages[1], {"step": "contact", "note": "冒充"})
        auth.logout()
    with app.app_context():
        assert followup_of(community_session("comm-a"), number).status == "open"


def test_the_head_works_a_follow_up_to_its_close_and_the_resident_is_told(app, client, auth, submit):
    resident = user_id(app, "res-a")
    number = finish(app, submit, resident_user_id=resident)
    rate(app, number, 2, (3, 2, 2), "窗口人员态度冷淡")
    with app.app_context():
        session = community_session("comm-a")
        followup_id = followup_of(session, number).id
        session.execute(update(FollowUp).values(due_at=utcnow() - timedelta(hours=1)))
        session.commit()
    auth.login("head-a")
    listing = client.get("/c/comm-a/followups?lang=en").get_data(as_text=True)
    assert number in listing and "Overdue" in listing and 'class="overdue"' in listing
    url = f"/c/comm-a/followups/{followup_id}"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "窗口人员态度冷淡" in page and "13800138001" in page and "Contact the resident" in page
    out_of_order = auth.post(url + "?lang=en", {"step": "verify", "note": "先核实", "justified": "yes"})
    assert out_of_order.status_code == 200 and "in order" in _form_errors(out_of_order.get_data(as_text=True))
    assert auth.post(url, {"step": "contact", "note": "已电话回访"}).status_code == 303
    missing = auth.post(url + "?lang=en", {"step": "verify", "note": "核实"})
    assert "justified" in _form_errors(missing.get_data(as_text=True))
    assert auth.post(url, {"step": "verify", "note": "调取录像，属实", "justified": "yes"}).status_code == 303
    assert auth.post(url, {"step": "rectify", "note": "已批评教育并培训", "justified": ""}).status_code == 303
    assert auth.post(url, {"step": "close", "note": "已整改，感谢您的监督。"}).status_code == 303
    with app.app_context():
        session = community_session("comm-a")
        followup = session.get(FollowUp, followup_id)
        assert followup.status == "closed" and followup.closed_by == user_id(app, "head-a")
        assert ratings.closed_in_time(followup) is False  # it was overdue
        told = session.scalars(select(Notification).where(Notification.kind == "followup_reply")).one()
        assert told.user_id == resident and "已整改，感谢您的监督。" in told.message
    closed = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Closed late." in closed and "Record this step" not in closed
