"""One fuzzing site per module: comm-a with the demo menu, roster, volunteers, activities, orders and tickets, and an
object for every form that acts on one (appointments, a certificate, a swap, a team request, a follow-up, attendance,
orders in each state, a family grant, the free-order pool); its pages crawled as every role so each form (its action,
fields and the role that sees it) is known."""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import text

from community_hall import create_app
from community_hall.migrate import upgrade_registry
from community_hall.tenancy import community_session, registry_session, tenancy
from tests.helpers import PASSWORD, Builder

# Examples per form and per API operation; raise for a long run: FUZZ_EXAMPLES=500 make test PYTEST_ARGS=tests/fuzz
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# Who uses the site, in the order a form is tried with: the first role whose pages show the form posts it.
ROLES = ("head-a", "staff-a", "res-a", "district", None)
SLUGS = ("comm-a", "comm-b")
SPEC = {"head": ("head-a", "站长a"), "staff": [("staff-a", "员工a"), ("staff-a2", "员工a2")],
        "people": [("res-a", "居民a", "13800000007", "1-1-101"), ("res-a2", "居民a2", "13800000017", "1-1-102"),
                   ("res-a3", "居民a3", "13800000027", "1-1-103")]}
PAGES_PER_ENDPOINT = 2      # the crawl opens at most this many addresses of one GET endpoint per role


@dataclass
class Form:
    """A form found on a page: where it posts, its fields and their values as the page had them."""

    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)   # name -> values (options for a select)
    files: set[str] = field(default_factory=set)                 # names of file inputs
    kinds: dict[str, str] = field(default_factory=dict)          # name -> input type, "select" or "textarea"
    page: str = ""


class FormParser(HTMLParser):
    """Forms, their fields and the page's links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("action") or "", (a.get("method") or "get").upper())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            self._form.kinds.setdefault(a["name"], a.get("type") or "text")
            if a.get("type") == "file":
                self._form.files.add(a["name"])
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self._form.fields.setdefault(a["name"], [])
                self._form.fields[a["name"]].append(a.get("value", "on"))
            else:
                self._form.fields.setdefault(a["name"], []).insert(0, a.get("value", ""))
        elif tag == "select":
            self._select = a["name"]
            self._form.kinds.setdefault(a["name"], "select")
            self._form.fields.setdefault(a["name"], [])
        elif tag == "option" and self._select:
            self._form.fields[self._select].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.kinds.setdefault(a["name"], "textarea")
            self._form.fields.setdefault(a["name"], [""])
        elif tag == "button" and a.get("value") is not None:
            self._form.fields.setdefault(a["name"], []).append(a["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form.fields[self._textarea][0] += data


def parse(html: str) -> FormParser:
    """The forms and links of a page."""
    parser = FormParser()
    parser.feed(html)
    return parser


def make_app(tmp_path_factory):
    """A test app on fresh SQLite files; CSRF is off (tests/accounts and others check it), limits off."""
    app = create_app({
        "TESTING": True, "HALL_ENV": "test", "HALL_DATA_DIR": str(tmp_path_factory.mktemp("fuzz") / "data"),
        "DATABASE_URL": None, "SECRET_KEY": "test-secret-not-for-production",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "PAGE_CACHE": False})
    with app.app_context():
        upgrade_registry(tenancy())
    return app


def populate(app) -> None:
    """comm-a and comm-b with their people, and in comm-a what the demo site has and a ticket in each early state."""
    from community_hall import demo
    from community_hall.tenancy import get_community

    build = Builder(app)
    build.two_communities()
    for username, name in SPEC["staff"][1:]:
        build.user(username, "comm-a", "staff", name)
    for username, name, phone, _address in SPEC["people"][1:]:
        build.user(username, "comm-a", "resident", name, phone=phone)
    build.user("res-a4", "comm-a", "resident", "居民a4", phone="13800000037")     # a volunteer asking to join a team
    with app.app_context():
        community = get_community("comm-a")
        demo.seed_menu(community)
        demo.seed_roster(community, SPEC)
        demo.seed_volunteers(community, SPEC)
        demo.seed_activities(community, SPEC)
        demo.seed_orders(community, SPEC)
        make_tickets(app)
        make_objects(app)


def make_tickets(app) -> None:
    """Tickets of res-a: one new, one accepted, one in progress, one returned for materials, one done."""
    from community_hall.accounts.models import User
    from community_hall.tenancy import get_community
    from community_hall.window import services

    session, community = community_session("comm-a"), get_community("comm-a")
    res = registry_session().query(User).filter_by(username="res-a").one()
    staff = services.Actor(None, "员工a", "staff")
    resident = services.Actor(res.id, "居民a", "resident")
    code = session.execute(text("SELECT code FROM service_items WHERE published ORDER BY code LIMIT 1")).scalar()
    for steps in ((), ("accept",), ("accept", "start"), ("return",), ("accept", "start", "complete")):
        t = services.submit_ticket(session, community, services.Submission(
            item_code=code, resident_name="居民a", resident_phone="13800000007", resident_user_id=res.id,
            home_address="幸福里3号楼"), resident)
        for step in steps:
            if step == "accept":
                t = services.accept(session, community, t, staff, [])
            elif step == "start":
                t = services.start(session, t, staff)
            elif step == "return":
                t = services.return_for_materials(session, t, staff, ["户口簿"])
            else:
                t = services.complete(session, t, staff, "已办结")
    # Two home visits: one waiting to be planned, one planned for staff-a (its outcome form).
    from community_hall.visits import services as visits
    from community_hall.visits.models import HomeVisit

    head = registry_session().query(User).filter_by(username="head-a").one()
    staff_a = registry_session().query(User).filter_by(username="staff-a").one()
    for _ in range(2):
        services.submit_ticket(session, community, services.Submission(
            item_code=code, resident_name="居民a", resident_phone="13800000007", resident_user_id=res.id,
            channel="home_visit", home_address="幸福里3号楼2单元501"), resident)
    session.commit()
    visits.sync_visits(session)
    visit = session.query(HomeVisit).order_by(HomeVisit.id).first()
    visits.assign(session, community, visit, services.Actor(head.id, "站长a", "staff"), visits.today(community).isoformat(),
                  "3号楼", "第二网格", staff_a.id)
    session.commit()


def make_objects(app) -> None:
    """What the remaining forms act on: two booked appointments of res-a, an issued certificate, a team res-a is not in
    with a pending request to join, a low rating with its follow-up, an activity under way with sign-ups, orders
    accepted by res-a and done for res-a, a family grant of res-a and a resident in the free-order pool."""
    from datetime import timedelta
    from types import SimpleNamespace

    from sqlalchemy import select

    from community_hall.accounts.models import User
    from community_hall.appointments import services as appointments
    from community_hall.rosters import services as rosters
    from community_hall.rosters.models import Shift
    from community_hall.tenancy import get_community, utcnow
    from community_hall.timebank import certificates, family, orders, teams
    from community_hall.timebank import volunteers as vol_services
    from community_hall.timebank.activity_models import Activity, ActivitySignup
    from community_hall.timebank.order_models import POOL_REASONS, RELATIONS, Order
    from community_hall.timebank.volunteers import approved_volunteer
    from community_hall.window import ratings
    from community_hall.window import services as window
    from community_hall.window.models import Ticket

    session, community = community_session("comm-a"), get_community("comm-a")
    users = {u.username: u for u in registry_session().query(User).filter(User.username.in_(
        ("head-a", "staff-a", "staff-a2", "res-a", "res-a2", "res-a3", "res-a4")))}
    head = users["head-a"]
    head_actor = orders.Actor(head.id, "站长a", "staff")
    # Appointments: res-a books the first bookable item on the next two open days (cancel, reschedule, staff check-in).
    item = appointments.bookable_items(session)[0]
    days = appointments.open_days(session, community)
    booked = [d for d in days if d > appointments.local_now(community).date()][:2]
    for day in booked:
        slot = appointments.day_slots(session, community, appointments.window_for(session, item), day)[0]
        appointments.book(session, community, item.code, day, slot.slot.key, "居民a", "13800000007", users["res-a"].id)
    # staff-a asks to give their next shift to staff-a2 (the head's decision form).
    shift = session.scalar(select(Shift).where(Shift.user_id == users["staff-a"].id, Shift.published,
                                               Shift.day > rosters.today(community)).order_by(Shift.day))
    rosters.request_swap(session, community, users["staff-a"].id, shift, users["staff-a2"].id, "家里有事")
    session.commit()
    # A fourth volunteer, approved, who asks to join a new team of res-a2 (res-a is not in it: the join form).
    application = vol_services.Application(real_name="居民a4", phone="13800000037", emergency_name="家属",
                                           emergency_phone="13000000000", consent=True)
    newcomer = vol_services.approve(session, community, vol_services.apply(session, users["res-a4"].id, application).id,
                                    head.id)
    res_a, res_a2 = approved_volunteer(session, users["res-a"].id), approved_volunteer(session, users["res-a2"].id)
    team = teams.save_team(session, "便民维修队", "修理小家电。", res_a2.id, [res_a2.id])
    session.commit()
    teams.ask_to_join(session, team.id, newcomer)
    session.commit()
    # Pages the crawl would not reach within PAGES_PER_ENDPOINT: the staff's list of the first booked day, the new team.
    app.config["FUZZ_PAGES"] = [f"/c/comm-a/appointments/day?day={booked[0].isoformat()}",
                                f"/c/comm-a/timebank/teams/{team.id}"]
    # A certificate of res-a (the revoke form on the head's list).
    certificates.issue(session, community, res_a.id, SimpleNamespace(user_id=head.id, name="站长a"))
    session.commit()
    # Another done ticket of res-a (the first stays to be rated), rated 1 with a comment: a follow-up for the head.
    done = session.query(Ticket).filter_by(status="done").order_by(Ticket.id).first()
    staff = window.Actor(None, "员工a", "staff")
    ticket = window.submit_ticket(session, community, window.Submission(
        item_code=done.item_code, resident_name="居民a", resident_phone="13800000007", resident_user_id=users["res-a"].id,
        home_address="幸福里3号楼"), window.Actor(users["res-a"].id, "居民a", "resident"))
    ticket = window.complete(session, window.start(session, window.accept(session, community, ticket, staff, []), staff),
                             staff, "已办结")
    ratings.rate_ticket(session, ticket, 1, [1, 1, 1], "等了很久", ratings.channel_for(ticket, "resident"), "resident")
    session.commit()
    # An activity that began an hour ago (published then), with res-a and res-a2 signed up: attendance to take.
    begins = utcnow().replace(microsecond=0) - timedelta(hours=1)
    activity = Activity(title="小区义务理发", description="为老人理发。", starts_at=begins,
                        ends_at=begins + timedelta(hours=3), place="社区活动室", slots=6, skills="", team_id=None,
                        minutes=120, status="open",
                        organiser_user_id=head.id, organiser_name="站长a", created_at=begins - timedelta(days=7))
    session.add(activity)
    session.flush()
    for volunteer in (res_a, res_a2):
        session.add(ActivitySignup(activity_id=activity.id, volunteer_id=volunteer.id, status="signed_up",
                                   signed_up_at=begins - timedelta(days=2), updated_at=begins - timedelta(days=2)))
    session.commit()
    # Orders: one of res-a3 accepted by res-a (its done form), one of res-a done by res-a2 (its confirm form).
    today = appointments.local_now(community).date()
    item_id = orders.volunteer_items(session)[0].id
    for who, phone, server, finish in (("res-a3", "13800000027", res_a, False), ("res-a", "13800000007", res_a2, True)):
        user = users[who]
        order = orders.place(session, user.id, orders.NewOrder(
            item_id=item_id, wanted_day=today + timedelta(days=3), wanted_part="am", address="1-1-103",
            phone=phone, note="换灯泡"), orders.Actor(user.id, who, "resident"), today)
        orders.dispatch(session, order.id, server.id, head_actor)
        server_actor = orders.Actor(server.user_id, "志愿者", "resident")
        orders.accept(session, order.id, server_actor)
        if finish:
            orders.complete(session, order.id, server_actor, "1.5", "已换好")
    # Each order a form acts on, whatever the crawl's limit of pages per endpoint reaches.
    app.config["FUZZ_PAGES"] += [f"/c/comm-a/orders/{o.id}" for o in session.query(Order).order_by(Order.id)]
    # res-a lets res-a2 pay with their hours; res-a3 orders for free from the donation pool.
    family.grant(session, users["res-a"].id, "res-a2", RELATIONS[0], None)
    session.commit()
    orders.mark_eligible(session, "res-a3", POOL_REASONS[0], head_actor)
    session.commit()


# The audit logs record attempts too (a refused password change is worth knowing about): not "stored data".
AUDIT_TABLES = {"audit_log", "audit_chain", "site_audit_log", "site_audit_chain"}


def data_names(app) -> set[str]:
    """Names the site's data holds (people, services, posts, categories): a message may quote them on any page."""
    data = app.config["HALL_DATA_DIR"]
    queries = [("hall.sqlite3", "SELECT display_name FROM users"),
               *((os.path.join("communities", f"{slug}.sqlite3"), q) for slug in SLUGS for q in (
                   "SELECT real_name FROM profiles", "SELECT name FROM service_items", "SELECT name FROM posts",
                   "SELECT name FROM menu_categories", "SELECT real_name FROM volunteers"))]
    names = set()
    for file, query in queries:
        with closing(sqlite3.connect(f"file:{os.path.join(data, file)}?mode=ro", uri=True)) as db:
            names |= {row[0] for row in db.execute(query) if row[0]}
    return names


def row_counts(app) -> dict[str, int]:
    """Rows of every table of the registry and of every community database (read straight from the files: cheap),
    except the audit logs."""
    data = app.config["HALL_DATA_DIR"]
    counts = {}
    for name, path in [("registry", os.path.join(data, "hall.sqlite3")),
                       *((slug, os.path.join(data, "communities", f"{slug}.sqlite3")) for slug in SLUGS)]:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                      if r[0] not in AUDIT_TABLES]
            query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
            counts.update({f"{name}.{t}": n for t, n in db.execute(query)})
    return counts


class Visitor:
    """A test client signed in as one role (or anonymous), able to sign in again after a logout."""

    def __init__(self, app, username):
        self.app, self.username = app, username
        self.client = app.test_client()
        self.login()

    def login(self):
        if self.username:
            response = self.client.post("/login", data={"username": self.username, "password": PASSWORD})
            assert response.status_code == 302, f"{self.username} could not sign in"


def post_form(visitor, page: str, overrides: dict | None = None, action: str | None = None) -> str:
    """Fill the form of a page posting to itself (or to action) with its own values and overrides; post it."""
    html = visitor.client.get(page).get_data(as_text=True)
    action = action or urlsplit(page).path
    for form in parse(html).forms:
        target = urljoin(page, form.action or page)
        if form.method == "POST" and urlsplit(target).path == action:
            data = {name: next((v for v in values if v), values[0]) for name, values in form.fields.items() if values}
            data.update({k: v(form.fields.get(k, [""])) if callable(v) else v for k, v in (overrides or {}).items()})
            response = visitor.client.post(target, data=data, follow_redirects=True)
            return response.get_data(as_text=True)
    raise AssertionError(f"no form on {page} posting to {action}")


def prime(app, visitors: dict) -> None:
    """Make, through the pages, what some forms need before the crawl can find them: pending leave, an outreach trip,
    a swap request, a calendar day, an activity sign-up, a complaint, an inquiry, a called number, a draft rota, a
    volunteer application."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    today = now.date()      # the community's day: from 16:00 UTC it is already tomorrow's
    day = today + timedelta(days=14 - today.weekday())     # a Monday two weeks on: a working day
    last = lambda values: values[-1] if values else ""   # noqa: E731 - the last option: the latest shift, an item rather than none
    staff, head, res, anyone = visitors["staff-a"], visitors["head-a"], visitors["res-a"], visitors[None]
    with app.app_context():
        code = community_session("comm-a").execute(text(
            "SELECT code FROM service_items WHERE published ORDER BY code LIMIT 1")).scalar()
    post_form(staff, "/c/comm-a/rosters/leave", {"first_day": day.isoformat(), "last_day": day.isoformat(),
                                                 "kind": "annual", "reason": "探亲"})
    post_form(staff, "/c/comm-a/rosters/outreach", {"starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                                                    "ends_at": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                                                    "note": "3号楼入户走访"})
    post_form(staff, "/c/comm-a/rosters/swaps", {"shift": last, "reason": "家里有事"})
    post_form(head, "/c/comm-a/calendar", {"day": (day + timedelta(days=30)).isoformat(), "note": "调休"})
    res.client.post("/c/comm-a/timebank/activities/1/signup", data={})
    post_form(anyone, "/c/comm-a/complaints/new", {"about": "service", "item_code": code, "details": "窗口排队太久",
                                                   "resident_name": "王秀兰", "resident_phone": "13800138001"})
    post_form(staff, "/c/comm-a/inquiries", {"text": "低保怎么申请？", "topic": "低保咨询", "resident_name": "王秀兰",
                                             "contact_phone": "13800138001"})
    post_form(anyone, "/c/comm-a/kiosk", action="/c/comm-a/kiosk/take")
    head.client.post("/c/comm-a/desk/1/call", data={})
    month = (today.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    post_form(head, f"/c/comm-a/rosters/rota?month={month}", action="/c/comm-a/rosters/rota/generate")
    applicant = Visitor(app, "res-a3")
    post_form(applicant, "/c/comm-a/timebank/apply", {
        "real_name": "居民a3", "phone": "13800000027", "emergency_name": "家属", "emergency_phone": "13000000000",
        "consent": "y"})


def crawl(app, visitors: dict, on_page=None) -> dict[str, list[tuple[str | None, Form]]]:
    """Every POST form the site shows, by endpoint: (role, form). Starts from each GET rule that needs no object
    but the community, follows links inside the site, at most PAGES_PER_ENDPOINT addresses per endpoint; on_page(role,
    url, html) sees each page."""
    from flask import url_for

    starts = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static" or not set(rule.arguments) <= {"slug", "fmt"}:
                continue
            args = {"slug": "comm-a"} if "slug" in rule.arguments else {}
            if "fmt" in rule.arguments:
                continue
            starts.append(url_for(rule.endpoint, **args))
    extra = app.config.get("FUZZ_PAGES", [])
    starts = extra + starts
    adapter = app.url_map.bind("localhost")
    forms: dict[str, list[tuple[str | None, Form]]] = {}
    seen_forms = set()
    for role, visitor in visitors.items():
        queue, seen, per_endpoint = list(starts), set(), {}
        while queue:
            url = queue.pop(0)
            path = urlsplit(url).path
            if url in seen or path.startswith(("/static", "/open311", "/c/comm-b")):
                continue
            seen.add(url)
            try:
                endpoint, _args = adapter.match(path, method="GET")
            except Exception:
                continue
            if url not in extra:    # the pages made for a form are always opened, outside the limit
                if per_endpoint.get(endpoint, 0) >= PAGES_PER_ENDPOINT:
                    continue
                per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
            response = visitor.client.get(url)
            assert response.status_code < 500, f"{role} GET {url}: {response.status_code}"
            if not response.mimetype == "text/html" or response.status_code != 200:
                continue
            if on_page is not None:
                on_page(role, url, response.get_data(as_text=True))
            page = parse(response.get_data(as_text=True))
            for form in page.forms:
                target = urlsplit(urljoin(url, form.action or url))
                if form.method != "POST" or target.path.startswith("/open311"):
                    continue
                try:
                    post_endpoint, _args = adapter.match(target.path, method="POST")
                except Exception:
                    continue
                key = (role, target.path, tuple(sorted(form.fields)))
                if key in seen_forms:
                    continue
                seen_forms.add(key)
                form.action, form.page = target.path + (f"?{target.query}" if target.query else ""), url
                forms.setdefault(post_endpoint, []).append((role, form))
            for link in page.links:
                absolute = urljoin(url, link)
                if urlsplit(absolute).netloc in ("", "localhost") and not re.search(r"\.(csv|xlsx|ics|png|svg)$", absolute):
                    queue.append(urlsplit(absolute).path + (f"?{urlsplit(absolute).query}" if urlsplit(absolute).query
                                                           else ""))
    return forms


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app, its data, a signed-in visitor per role and the forms the crawl found."""
    app = make_app(tmp_path_factory)
    populate(app)
    visitors = {role: Visitor(app, role) for role in ROLES}
    prime(app, visitors)
    forms = crawl(app, visitors)
    yield app, visitors, forms
    app.extensions["tenancy"].dispose()
