"""Volunteer service certificates: issuing, frozen records, masked ID, the public check, numbers, roles."""

from __future__ import annotations

import threading
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from community_hall.accounts.models import User
from community_hall.errors import HallError
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.timebank import certificates, ledger
from community_hall.timebank import volunteers as volunteer_services
from community_hall.timebank.certificate_models import Certificate, CertificateRequest
from community_hall.timebank.ledger_models import LedgerMovement

HEAD = SimpleNamespace(user_id=1, name="站长a")
FULL_ID = "120101199001011234"
YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year


def _uid(username):
    return registry_session().query(User).filter_by(username=username).one().id


def _make_volunteer(session, user_id, name="王小明", phone="13912345678", id_number=FULL_ID):
    v = volunteer_services.apply(session, user_id, volunteer_services.Application(
        real_name=name, phone=phone, id_number=id_number, emergency_name="王大明", emergency_phone="13811112222",
        consent=True))
    return volunteer_services.approve(session, get_community("comm-a"), v.id, 1)


@pytest.fixture
def volunteer(app, people):
    """res-a as volunteer COMM-A-V-0001 with 2 h (activity 12) + 1.5 h (order 5) + 1 h (activity 13, reversed)."""
    with app.app_context():
        session = community_session("comm-a")
        uid = _uid("res-a")
        v = _make_volunteer(session, uid)
        ledger.credit_service(session, uid, 120, "activity:12", "activity:12:u", HEAD)
        ledger.credit_service(session, uid, 90, "order:5", "order:5:u", HEAD)
        wrong = ledger.credit_service(session, uid, 60, "activity:13", "activity:13:u", HEAD)
        ledger.reverse(session, wrong.id, "记错了", HEAD)
        return SimpleNamespace(id=v.id, user_id=uid, number=v.number)


def _issue(auth, volunteer_id):
    auth.login("head-a")
    return auth.post("/c/comm-a/timebank/certificates", {"volunteer": volunteer_id})


def test_head_issues_a_certificate_that_freezes_hours_and_records(app, client, auth, volunteer):
    response = _issue(auth, volunteer.id)
    number = f"COMM-A-Z-{YEAR}-0001"
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/certificates/{number}/print")
    page = client.get(f"/c/comm-a/timebank/certificates/{number}/print").get_data(as_text=True)
    assert "王小明" in page and "COMM-A-V-0001" in page and "1201**********1234" in page and FULL_ID not in page
    assert 'id="certificate-hours">3.5<' in page and "<svg" in page and "甲社区" in page
    assert "活动 #12" in page and "服务订单 #5" in page and "活动 #13" not in page     # the reversed credit is left out
    with app.app_context():
        session = community_session("comm-a")
        cert = session.query(Certificate).one()
        assert cert.total_minutes == 210 and cert.masked_id_number == "1201**********1234"
        assert FULL_ID not in " ".join(str(getattr(cert, c.key)) for c in Certificate.__table__.columns)
        assert [(r["reference"], r["minutes"]) for r in cert.record_list] == [("activity:12", 120), ("order:5", 90)]
        first = session.scalar(LedgerMovement.__table__.select().with_only_columns(LedgerMovement.id)
                               .where(LedgerMovement.reference == "activity:12"))
        ledger.reverse(session, first, "后来发现记错", HEAD)      # a later reversal…
        ledger.credit_service(session, volunteer.user_id, 30, "activity:14", "activity:14:u", HEAD)
    page = client.get(f"/c/comm-a/timebank/certificates/{number}/print").get_data(as_text=True)
    assert 'id="certificate-hours">3.5<' in page and "活动 #12" in page      # …does not change the issued one
    _issue(auth, volunteer.id)
    page = client.get(f"/c/comm-a/timebank/certificates/COMM-A-Z-{YEAR}-0002/print").get_data(as_text=True)
    assert 'id="certificate-hours">2<' in page and "活动 #12" not in page and "活动 #14" in page


def test_public_check_shows_only_what_the_certificate_shows(app, client, auth, volunteer):
    _issue(auth, volunteer.id)
    auth.logout()
    page = client.get(f"/c/comm-a/timebank/certificates/COMM-A-Z-{YEAR}-0001").get_data(as_text=True)
    assert "王**" in page and "1201**********1234" in page and "COMM-A-V-0001" in page and "3.5" in page
    assert "甲社区" in page and "服务订单 #5" in page
    for secret in ("王小明", FULL_ID, "13912345678", "139****5678", "王大明", "13811112222", "站长a"):
        assert secret not in page
    lower = client.get(f"/c/comm-a/timebank/certificates/comm-a-z-{YEAR}-0001")
    assert lower.status_code == 200
    missing = client.get(f"/c/comm-a/timebank/certificates/COMM-A-Z-{YEAR}-0009")
    assert missing.status_code == 404
    assert client.get(f"/c/comm-b/timebank/certificates/COMM-A-Z-{YEAR}-0001").status_code == 404


def test_the_public_check_is_rate_limited(app, client, auth, volunteer):
    app.config["CERTIFICATE_CHECK_RATE_LIMIT"] = "3 per hour"
    codes = [client.get(f"/c/comm-a/timebank/certificates/COMM-A-Z-{YEAR}-000{i}").status_code for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]


def test_a_volunteer_asks_and_the_head_issues(app, client, auth, volunteer, build, zh):
    auth.login("res-a")
    assert "/c/comm-a/timebank/certificates/mine" in client.get("/c/comm-a/timebank/card").get_data(as_text=True)
    assert auth.post("/c/comm-a/timebank/certificates/mine").status_code == 303
    page = client.get("/c/comm-a/timebank/certificates/mine").get_data(as_text=True)
    assert zh("Ask for a certificate") not in page      # one request waits at a time
    auth.post("/c/comm-a/timebank/certificates/mine")
    with app.app_context():
        assert community_session("comm-a").query(CertificateRequest).count() == 1
    auth.login("head-a")
    listing = client.get("/c/comm-a/timebank/certificates").get_data(as_text=True)
    assert "王小明" in listing and "COMM-A-V-0001" in listing
    auth.post("/c/comm-a/timebank/certificates", {"volunteer": volunteer.id})
    with app.app_context():
        assert community_session("comm-a").query(CertificateRequest).one().certificate_id is not None
    auth.login("res-a")
    mine = client.get("/c/comm-a/timebank/certificates/mine").get_data(as_text=True)
    assert f"COMM-A-Z-{YEAR}-0001" in mine
    assert client.get(f"/c/comm-a/timebank/certificates/COMM-A-Z-{YEAR}-0001/print").status_code == 200
    build.user("res-a2", "comm-a", "resident", "李四")
    for other in ("res-a2", "staff-a"):
        auth.login(other)
        assert client.get(f"/c/comm-a/timebank/certificates/COMM-A-Z-{YEAR}-0001/print").status_code == 404


def test_no_certificate_without_confirmed_hours_or_approval(app, people, zh):
    with app.app_context():
        session = community_session("comm-a")
        v = _make_volunteer(session, 77)
        with pytest.raises(HallError) as err:
            certificates.issue(session, get_community("comm-a"), v.id, HEAD)
        with force_locale("zh_CN"):
            assert str(err.value.message) == zh("This volunteer has no confirmed service hours yet.")
        with pytest.raises(HallError):
            certificates.request_certificate(session, v)
        pending = volunteer_services.apply(session, 78, volunteer_services.Application(
            real_name="李四", phone="13700001111", emergency_name="李五", emergency_phone="13700002222", consent=True))
        ledger.credit_service(session, 78, 60, "activity:1", "a1-78", HEAD)
        with pytest.raises(HallError):
            certificates.issue(session, get_community("comm-a"), pending.id, HEAD)
        assert session.query(Certificate).count() == 0


def test_issuing_from_the_page_shows_the_refusal_on_the_form(app, client, auth, people, zh):
    with app.app_context():
        v = _make_volunteer(community_session("comm-a"), 77)
    page = _issue(auth, v.id).get_data(as_text=True)
    assert zh("This volunteer has no confirmed service hours yet.") in page


def test_only_the_head_issues_revokes_and_lists(app, client, auth, volunteer):
    _issue(auth, volunteer.id)
    number = f"COMM-A-Z-{YEAR}-0001"
    for username in ("res-a", "staff-a", "district"):
        auth.login(username)
        assert client.get("/c/comm-a/timebank/certificates").status_code == 403
        assert auth.post("/c/comm-a/timebank/certificates", {"volunteer": volunteer.id}).status_code == 403
        assert auth.post(f"/c/comm-a/timebank/certificates/{number}/revoke", {"reason": "伪造"}).status_code == 403
    auth.login("head-b")
    assert client.get("/c/comm-a/timebank/certificates").status_code == 404
    with app.app_context():
        assert community_session("comm-a").query(Certificate).count() == 1


def test_revoked_certificates_say_so_on_the_public_check(app, client, auth, volunteer, zh):
    _issue(auth, volunteer.id)
    number = f"COMM-A-Z-{YEAR}-0001"
    auth.post(f"/c/comm-a/timebank/certificates/{number}/revoke", {"reason": "x"})
    with app.app_context():
        assert community_session("comm-a").query(Certificate).one().status == "issued"   # reason too short
    auth.post(f"/c/comm-a/timebank/certificates/{number}/revoke",
              {"reason": "服务记录有误，已重新出具，问13912345678，身份证110101199003077777"})
    auth.logout()
    page = client.get(f"/c/comm-a/timebank/certificates/{number}").get_data(as_text=True)
    # The reason is public: numbers typed into it show masked (found by an outside attack).
    assert "服务记录有误，已重新出具，问139****5678，身份证1101**********7777" in page
    assert "13912345678" not in page and "110101199003077777" not in page
    assert zh("This certificate was issued by %(community)s but has been revoked.", community="甲社区") in page


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_concurrent_issues_give_sequential_numbers_without_gaps(app, people):
    with app.app_context():
        session = community_session("comm-a")
        ids = []
        for i in range(8):
            v = _make_volunteer(session, 100 + i, name=f"志愿者{i}", phone=f"1390000{i:04d}", id_number="")
            ledger.credit_service(session, 100 + i, 60, f"activity:{i + 1}", f"a{i}", HEAD)
            ids.append(v.id)
    errors = []

    def issue(vid):
        with app.app_context():
            try:
                certificates.issue(community_session("comm-a"), get_community("comm-a"), vid, HEAD)
            except Exception as err:  # noqa: BLE001 - collected for the assertion below
                errors.append(err)
            finally:
                community_session("comm-a").close()

    threads = [threading.Thread(target=issue, args=(vid,)) for vid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        rows = community_session("comm-a").query(Certificate).all()
    assert sorted(c.seq for c in rows) == list(range(1, 9))
    assert sorted(c.number for c in rows) == [f"COMM-A-Z-{YEAR}-{n:04d}" for n in range(1, 9)]
    assert sorted(c.volunteer_id for c in rows) == sorted(ids)


def test_reference_labels_fall_back_to_kind_and_number(app):
    with app.test_request_context(), force_locale("zh_CN"):
        assert certificates.record_label({"reference": "activity:12", "title": ""}) == "活动 #12"
        assert certificates.record_label({"reference": "order:5", "title": ""}) == "服务订单 #5"
        assert certificates.record_label({"reference": "ticket:3", "title": "代办老年证"}) == "办件：代办老年证"
    with app.test_request_context(), force_locale("en"):
        assert certificates.record_label({"reference": "activity:12", "title": ""}) == "Activity #12"


def test_certificate_pages_in_both_languages(app, client, auth, volunteer):
    _issue(auth, volunteer.id)
    number = f"COMM-A-Z-{YEAR}-0001"
    zh_page = client.get(f"/c/comm-a/timebank/certificates/{number}/print?lang=zh_CN").get_data(as_text=True)
    assert "志愿服务证明" in zh_page and "累计" in zh_page
    en_page = client.get(f"/c/comm-a/timebank/certificates/{number}/print?lang=en").get_data(as_text=True)
    assert "Volunteer service certificate" in en_page and "Activity #12" in en_page
