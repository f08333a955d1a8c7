"""The national calendar past the holiday package's years: the law, imported arrangements, the notice, moved deadlines.

Facts relied on (lunar-python 1.4.8, printed while writing): 春节 2027 is Sat 6 Feb (除夕 Fri 5 Feb), 清明 2027 Mon 5 Apr,
端午 2027 Wed 9 Jun, 中秋 2027 Wed 15 Sep; 春节 2028 Wed 26 Jan, 清明 2028 Tue 4 Apr, 端午 2028 Sun 28 May,
中秋 2028 Tue 3 Oct. chinese-calendar 1.11.0 knows 2004–2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from community_hall import arrangements
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.window import services
from community_hall.window.models import Ticket, TicketEvent
from community_hall.workdays import NationalCalendar, WorkCalendar, carry_over, statutory_days_off
from tests.menu.conftest import menu  # noqa: F401 - the menu fixture
from tests.window.conftest import STAFF

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAW = WorkCalendar()          # no arrangement imported: the package's years, then the law

# A made-up official arrangement of 2027 for the tests (the real one is announced in the autumn of 2026):
# 春节 Fri 5 – Thu 11 Feb off with make-up working days Sat 30 Jan and Sat 20 Feb.
DAYS_OFF_2027 = {"元旦": ["01-01"], "春节": [f"02-{d:02}" for d in range(5, 12)], "清明": ["04-05"],
                 "劳动节": ["05-01", "05-02", "05-03", "05-04"], "端午": ["06-09"], "中秋": ["09-15"],
                 "国庆节": [f"10-{d:02}" for d in range(1, 6)]}
ARRANGEMENT_2027 = "date,kind,name\n" + "".join(
    f"2027-{day},off,{name}\n" for name, days in DAYS_OFF_2027.items() for day in days) + \
    "2027-01-30,work,春节\n2027-02-20,work,春节\n"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _on_the_day_the_issue_was_filed(clock):
    """Every test here runs on 2026-12-05 09:00 in Shanghai (tests that need another moment set it): the dates
    below are compared with the app's clock, never with the real one."""
    clock.set_now(at(2026, 12, 5, 9))


@pytest.mark.parametrize("day", [
    date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10), date(2027, 4, 5),
    date(2027, 5, 3), date(2027, 5, 4), date(2027, 6, 9), date(2027, 9, 15), date(2027, 10, 1), date(2027, 10, 4),
    date(2027, 10, 5),
    date(2028, 1, 3), date(2028, 1, 25), date(2028, 1, 28), date(2028, 4, 4), date(2028, 5, 1), date(2028, 5, 2),
    date(2028, 5, 29), date(2028, 10, 2), date(2028, 10, 3), date(2028, 10, 4),
])
def test_statutory_weekdays_of_2027_and_2028_are_days_off_without_a_package_update(day):
    with pytest.raises(NotImplementedError):      # the package really does not know the year
        chinese_calendar.is_workday(day)
    assert day.weekday() < 5
    assert not LAW.is_workday(day)
    assert LAW.holiday_name(day)
    assert LAW.describe(day).provisional and LAW.describe(day).source == "law"


def test_ordinary_days_of_2027_are_working_days_and_provisional():
    assert LAW.is_workday(date(2027, 3, 3)) and LAW.describe(date(2027, 3, 3)).provisional
    assert not LAW.is_workday(date(2027, 3, 6))       # an ordinary Saturday
    assert LAW.holiday_name(date(2027, 3, 6)) is None


def test_2025_and_2026_answer_exactly_as_the_package_does():
    day = date(2025, 1, 1)
    while day.year < 2027:
        assert LAW.is_workday(day) == chinese_calendar.is_workday(day), day
        assert LAW.describe(day).source == "package" and not LAW.describe(day).provisional
        day += timedelta(days=1)


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_law_agrees_with_the_official_arrangements_the_package_knows(year):
    # Every statutory day off the law computes (lunar dates, 清明, 补假) was a day off in that year's arrangement.
    for day, name in statutory_days_off(year).items():
        assert not chinese_calendar.is_workday(day), (day, name)


@settings(max_examples=60, deadline=None)
@given(st.integers(2027, 2100))
def test_every_future_year_has_the_statutory_days_and_no_holiday_on_a_weekend_without_its_make_up_day(year):
    days = statutory_days_off(year)
    names = sorted(set(days.values()))
    assert names == sorted({"元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆节"})
    weekday_days_off = [d for d in days if d.weekday() < 5]
    # 11 statutory days; each falling on a weekend is made up on a weekday (two holidays sharing a day excepted).
    assert len(days) >= 11 - 1 and len(weekday_days_off) >= 11 - 1
    assert all(d.year == year for d in days)


def test_a_due_date_across_spring_festival_2027_skips_it():
    # Accepted Thu 4 Feb 2027 with 3 working days: 5–10 Feb are off (除夕 to 初三 and two days made up).
    due = LAW.due_date(at(2027, 2, 4, 10).astimezone(UTC), 3)
    assert due.astimezone(SHANGHAI).date() == date(2027, 2, 15)


def test_an_imported_arrangement_wins_and_ends_the_provisional_year():
    years = arrangements.parse(ARRANGEMENT_2027.encode())
    cal = WorkCalendar(national=NationalCalendar(years))
    assert cal.is_workday(date(2027, 1, 30)) and cal.describe(date(2027, 1, 30)).source == "arrangement"
    assert not cal.is_workday(date(2027, 2, 11))           # off by the arrangement, a working day by the law
    assert cal.is_workday(date(2027, 3, 3)) and not cal.describe(date(2027, 3, 3)).provisional
    assert not cal.national.is_provisional_year(2027) and cal.national.is_provisional_year(2028)
    # Local overrides stay on top.
    local = WorkCalendar({date(2027, 1, 30): False}, NationalCalendar(years))
    assert not local.is_workday(date(2027, 1, 30)) and local.describe(date(2027, 1, 30)).source == "local"


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2026, 12, 1), date(2027, 3, 31)), st.integers(0, 30))
def test_carry_over_keeps_the_number_of_working_days(start, n):
    new = WorkCalendar(national=NationalCalendar(arrangements.parse(ARRANGEMENT_2027.encode())))
    due = LAW.add_workdays(start, n)
    moved = carry_over(LAW, new, start, due)
    if due > start:
        assert new.workdays_between(start, moved) == LAW.workdays_between(start, due)
        assert new.is_workday(moved)


@pytest.mark.parametrize(("text", "line", "says"), [
    ("day,kind\n2027-01-01,off\n", 1, "header"),
    ("date,kind,name\n2027-13-01,off,元旦\n", 2, "not a date"),
    ("date,kind,name\n2027-01-01,holiday,元旦\n", 2, "kind"),
    ("date,kind,name\n2027-01-01,off,元旦\n2027-01-04,work,元旦\n", 3, "weekday"),
    ("date,kind,name\n2027-01-01,off,元旦\n2027-01-01,off,元旦\n", 3, "twice"),
    ("date,kind,name\n2027-01-30,work,\n2030W011,off,元旦\n", 3, "not a date"),     # an ISO week date
    ("date,kind,name\n20300102,off,元旦\n", 2, "not a date"),
    ('date,kind,name\n2030-01-01,off,"元旦\n2030-01-02,off,x\n', 2, "control characters"),   # a quote left open
    ("date,kind,name\n2030-01-01,off,元\x07旦\n", 2, "control characters"),
    ("date,kind,name\n2030-01-01,off,\n", 2, "name the holiday"),
    ("date,kind,name\n2030-01-01,off,=cmd|' /c calc'!A1\n", 2, "may not start with"),
    ("date,kind,name\n1999-01-01,off,元旦\n", 2, "outside 2000–2200"),
    ("date,kind,name\n", 0, "no days"),
])
def test_a_bad_file_is_refused_with_the_line_and_the_reason(text, line, says):
    with pytest.raises(arrangements.ArrangementRejected) as err:
        arrangements.parse(text.encode())
    assert any(p.line == line and says in p.message for p in err.value.problems), err.value.problems


def test_old_mac_line_endings_are_read():
    years = arrangements.parse(ARRANGEMENT_2027.replace("\n", "\r").encode())
    assert len(years[2027]) == 22


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(arrangements.ArrangementRejected):
        arrangements.parse("date,kind,name\n2027-01-01,off,元旦\n".encode("gbk"))


# --- the command line and the site ------------------------------------------------------------------


def _write(tmp_path, text: str):
    path = tmp_path / "arrangement.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _rows(app) -> list[tuple]:
    with app.app_context():
        return sorted((d.day, d.is_workday, d.name) for d in registry_session().query(arrangements.NationalDay))


def test_import_show_and_check(app, runner, clock, tmp_path):
    clock.set_now(at(2026, 12, 5, 9))           # 2027 starts within eight weeks
    result = runner.invoke(args=["hall", "calendar", "check"])
    assert result.exit_code == 1 and "2027" in result.output and "calendar import" in result.output
    shown = runner.invoke(args=["hall", "calendar", "show", "2027"])
    assert shown.exit_code == 0 and "the law (provisional)" in shown.output
    assert "2027-02-08 Mon off  春节" in shown.output and "2027-01-30" not in shown.output

    result = runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, ARRANGEMENT_2027)])
    assert result.exit_code == 0, result.output
    assert "2027: 20 days off, 2 make-up working days imported" in result.output
    shown = runner.invoke(args=["hall", "calendar", "show", "2027"])
    assert "2027-01-30 Sat work 春节\timported arrangement" in shown.output
    assert "2027-02-11 Thu off  春节\timported arrangement" in shown.output
    check = runner.invoke(args=["hall", "calendar", "check"])
    assert check.exit_code == 0 and check.output == ""          # silent when all is well: cron mails nothing
    package = runner.invoke(args=["hall", "calendar", "show", "2026"])
    assert "chinese-calendar package" in package.output and "2026-02-14 Sat work 春节" in package.output
    with app.app_context():
        from community_hall.audit import SiteAuditEvent
        assert registry_session().query(SiteAuditEvent).filter_by(action="calendar.import").count() == 1


def test_a_bad_import_changes_nothing(app, runner, tmp_path):
    assert runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, ARRANGEMENT_2027)]).exit_code == 0
    before = _rows(app)
    bad = ARRANGEMENT_2027.replace("2027-02-20,work,春节", "2027-02-22,work,春节")   # a Monday as a make-up day
    line = bad.splitlines().index("2027-02-22,work,春节") + 1
    result = runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, bad)])
    assert result.exit_code != 0
    assert f"line {line}:" in result.output and "weekday" in result.output and "nothing was imported" in result.output
    assert _rows(app) == before


def test_show_includes_a_communitys_local_overrides(app, build, runner):
    build.community("comm-a")
    with app.app_context():
        from community_hall.window.calendar import set_override
        set_override(community_session("comm-a"), date(2027, 3, 3), False, "停电检修", None)
    shown = runner.invoke(args=["hall", "calendar", "show", "2027", "--community", "comm-a"])
    assert "2027-03-03 Wed off  -\tlocal override" in shown.output
    assert runner.invoke(args=["hall", "calendar", "show", "2027", "--community", "nowhere"]).exit_code != 0


def test_the_notice_for_heads_and_the_street_office_comes_and_goes(app, build, client, auth, runner, clock, zh,
                                                                  tmp_path):
    build.two_communities()
    clock.set_now(at(2026, 12, 5, 9))
    notice = zh("The official holiday arrangement for %(years)s is not loaded.", years="2027")
    for username, path, sees in (("head-a", "/c/comm-a/calendar", True), ("head-a", "/c/comm-a/", True),
                                 ("district", "/district", True), ("staff-a", "/c/comm-a/", False),
                                 ("res-a", "/c/comm-a/", False)):
        auth.login(username)
        page = client.get(path).get_data(as_text=True)
        assert (notice in page) is sees, (username, path)
        auth.logout()
    assert runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, ARRANGEMENT_2027)]).exit_code == 0
    auth.login("head-a")
    page = client.get("/c/comm-a/calendar").get_data(as_text=True)
    assert notice not in page
    # In late 2027, 2028 is the year that is missing.
    clock.set_now(at(2027, 11, 20, 9))
    page = client.get("/c/comm-a/calendar").get_data(as_text=True)
    assert zh("The official holiday arrangement for %(years)s is not loaded.", years="2028") in page


def test_the_calendar_page_marks_provisional_days(app, build, client, auth, clock, zh):
    build.two_communities()
    clock.set_now(at(2026, 12, 20, 9))
    auth.login("head-a")
    page = client.get("/c/comm-a/calendar").get_data(as_text=True)
    assert "2027-01-01" in page
    assert zh("provisional: from the statutory holidays, the year's official arrangement is not loaded") in page


def test_importing_moves_open_deadlines_and_says_why(app, menu, runner, clock, tmp_path):  # noqa: F811
    clock.set_now(at(2027, 2, 1, 10))                      # Monday 1 Feb 2027
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        ticket = services.submit_ticket(session, community, services.Submission(
            item_code="SB-001", resident_name="王秀兰", resident_phone="13800138001"), services.Actor(None, "王秀兰",
                                                                                                  "resident"))
        ticket = services.accept(session, community, ticket, STAFF, ["身份证"])     # 5 working days
        version, ticket_id = ticket.version, ticket.id
        done = services.submit_ticket(session, community, services.Submission(
            item_code="SB-001", resident_name="李四", resident_phone="13800138002"), services.Actor(None, "李四",
                                                                                                "resident"))
        done = services.accept(session, community, done, STAFF, ["身份证"])
        done = services.complete(session, done, STAFF, "已办结")
        done_id, done_due = done.id, done.due_at
        # A first inquiry logged on Thu 4 Feb, one working day to answer: Thu 11 Feb by the law, Fri 12 by the
        # arrangement.
        from community_hall.routing.models import Inquiry
        from community_hall.routing.services import InquiryData, log_inquiry
        inquiry_id = log_inquiry(session, community, 1, InquiryData(resident_name="赵六", text="低保怎么办", topic="低保"),
                                 now=at(2027, 2, 4, 10).astimezone(UTC)).id
    with app.app_context():
        t = community_session("comm-a").get(Ticket, ticket_id)
        # By the law: 2, 3, 4 Feb, then 5–10 off, then 11 and 12 Feb.
        assert t.due_at.replace(tzinfo=UTC).astimezone(SHANGHAI) == at(2027, 2, 12, 17, 30)

    result = runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, ARRANGEMENT_2027)])
    assert result.exit_code == 0, result.output
    assert "comm-a: deadlines moved: 1 ticket(s), 1 inquiry(ies), 0 hand-over(s), 0 follow-up(s)" in result.output
    with app.app_context():
        session = community_session("comm-a")
        t = session.get(Ticket, ticket_id)
        # By the arrangement: 2, 3, 4 Feb, then 5–11 off, then 12 and 15 Feb (13–14 are a weekend).
        assert t.due_at.replace(tzinfo=UTC).astimezone(SHANGHAI) == at(2027, 2, 15, 17, 30)
        assert t.version == version + 1
        event = session.query(TicketEvent).filter_by(ticket_id=t.id, action="due_moved").one()
        assert "2027-02-12 17:30 → 2027-02-15 17:30" in event.note and "2027" in event.note
        assert session.get(Ticket, done_id).due_at == done_due        # finished work is history: untouched
        moved = session.get(Inquiry, inquiry_id).answer_due_at.replace(tzinfo=UTC).astimezone(SHANGHAI)
        assert moved == at(2027, 2, 12, 17, 30)
    # Importing the same arrangement again moves nothing.
    again = runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, ARRANGEMENT_2027)])
    assert "deadlines moved" not in again.output


def test_a_row_of_the_neighbouring_year_sets_that_day_only(app, runner, tmp_path):
    # Real arrangements cross the year: the 2023 one began on 2022-12-31. Such a row must not replace its year.
    assert runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, ARRANGEMENT_2027)]).exit_code == 0
    next_year = "date,kind,name\n2027-12-31,off,元旦\n" + "".join(
        f"2028-{day},off,假日\n" for day in ("01-01", "01-03", "01-25", "01-26", "01-27", "01-28", "01-31", "04-04",
                                              "05-01", "05-02", "10-02"))
    result = runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, next_year)])
    assert result.exit_code == 0, result.output
    assert "2027: 1 days off, 0 make-up working days imported, single days" in result.output
    with app.app_context():
        national = arrangements.load(registry_session())
    assert not national.day(date(2027, 2, 11)).workday            # the 2027 arrangement is still whole
    assert national.day(date(2027, 1, 30)).workday
    assert not national.day(date(2027, 12, 31)).workday            # … with the new day
    assert not national.is_provisional_year(2028) and not national.day(date(2028, 1, 31)).workday
    # A single day of a year the package knows changes that day only; the year keeps the package's answers.
    assert runner.invoke(args=["hall", "calendar", "import",
                               _write(tmp_path, "date,kind,name\n2026-12-31,off,元旦\n")]).exit_code == 0
    with app.app_context():
        national = arrangements.load(registry_session())
    assert not national.day(date(2026, 12, 31)).workday and national.day(date(2026, 12, 31)).source == "arrangement"
    assert national.day(date(2026, 2, 14)).workday and national.day(date(2026, 2, 14)).source == "package"


def _accepted_ticket(app, name: str, phone: str, slug: str = "comm-a") -> int:
    with app.app_context():
        session, community = community_session(slug), get_community(slug)
        ticket = services.submit_ticket(session, community, services.Submission(
            item_code="SB-001", resident_name=name, resident_phone=phone), services.Actor(None, name, "resident"))
        return services.accept(session, community, ticket, STAFF, ["身份证"]).id


def _due(app, ticket_id: int, slug: str = "comm-a") -> datetime:
    with app.app_context():
        return community_session(slug).get(Ticket, ticket_id).due_at.replace(tzinfo=UTC).astimezone(SHANGHAI)


def test_an_import_cut_short_in_one_community_is_finished_once_by_apply(app, menu, runner, clock, tmp_path,  # noqa: F811
                                                                         monkeypatch):
    from community_hall.menu import services as menu_services
    from community_hall.routing import calendar_change
    from tests.menu.conftest import ITEMS, create_post

    with app.app_context():
        session = community_session("comm-b")
        create_post(session, "SB", "社会保障岗", "2号窗口")
        menu_services.create_item(session, menu_services.clean_item(ITEMS[0]))
        session.commit()
    clock.set_now(at(2027, 2, 1, 10))
    a, b = _accepted_ticket(app, "王秀兰", "13800138001"), _accepted_ticket(app, "李四", "13800138002", "comm-b")
    real_move = calendar_change._move

    def locked_in_b(session, zone, old, new, why):
        if session.get_bind().url.database and "comm-b" in session.get_bind().url.database:
            raise RuntimeError("database is locked")        # comm-b's file is busy at that moment
        return real_move(session, zone, old, new, why)

    monkeypatch.setattr(calendar_change, "_move", locked_in_b)
    result = runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, ARRANGEMENT_2027)])
    assert result.exit_code == 1 and "comm-b: deadlines NOT moved" in result.output and "calendar apply" in result.output
    assert _due(app, a) == at(2027, 2, 15, 17, 30) and _due(app, b, "comm-b") == at(2027, 2, 12, 17, 30)
    monkeypatch.setattr(calendar_change, "_move", real_move)
    result = runner.invoke(args=["hall", "calendar", "apply"])
    assert result.exit_code == 0 and "comm-b: deadlines moved: 1 ticket(s)" in result.output
    assert "comm-a" not in result.output
    assert _due(app, b, "comm-b") == at(2027, 2, 15, 17, 30) and _due(app, a) == at(2027, 2, 15, 17, 30)
    again = runner.invoke(args=["hall", "calendar", "apply"])
    assert again.exit_code == 0 and again.output == ""
    runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, ARRANGEMENT_2027)])
    assert _due(app, a) == at(2027, 2, 15, 17, 30) and _due(app, b, "comm-b") == at(2027, 2, 15, 17, 30)


def test_a_local_closed_day_set_later_does_not_pull_a_deadline_earlier(app, menu, runner, clock, tmp_path):  # noqa: F811
    clock.set_now(at(2027, 3, 1, 10))                      # Monday 1 March: 5 working days, due Mon 8 March
    ticket = _accepted_ticket(app, "王秀兰", "13800138001")
    assert _due(app, ticket) == at(2027, 3, 8, 17, 30)
    with app.app_context():
        from community_hall.window.calendar import set_override
        set_override(community_session("comm-a"), date(2027, 3, 8), False, "停电检修", None)
    # The arrangement changes nothing between 1 and 8 March: the deadline stays.
    result = runner.invoke(args=["hall", "calendar", "import", _write(tmp_path, ARRANGEMENT_2027)])
    assert result.exit_code == 0 and "deadlines moved" not in result.output
    assert _due(app, ticket) == at(2027, 3, 8, 17, 30)
