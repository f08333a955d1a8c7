"""Open311 GeoReport v2: discovery, services, creating and reading requests, errors, formats, no personal data."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from community_hall.api.models import ApiKey
from community_hall.api.services import create_api_key, hash_key, revoke_api_key
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.window import services as window
from community_hall.window.models import Ticket
from tests.api.conftest import BASE, RESIDENT
from tests.window.conftest import drive

STAFF = window.Actor(None, "张敏", "staff")
NUMBER = re.compile(r"^COMM-A-\d{8}-\d{4}$")
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def _json(response):
    assert response.content_type.startswith("application/json"), response.content_type
    return json.loads(response.get_data(as_text=True))


def _xml(response):
    assert response.content_type.startswith("text/xml"), response.content_type
    body = response.get_data(as_text=True)
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(body.encode("utf-8"))


def _errors(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    errors = _json(response)
    assert errors and all(e["code"] == status and e["description"] for e in errors)
    return errors


def _count(app) -> int:
    with app.app_context():
        return community_session("comm-a").scalar(select(func.count(Ticket.id)))


def _submit(app, code="SB-001", **overrides):
    """A ticket of comm-a made directly by the window service (as at the window)."""
    with app.app_context():
        sub = window.Submission(**{"item_code": code, "resident_name": "王秀兰", "resident_phone": "13800138001",
                                   "channel": "window", **overrides})
        return window.submit_ticket(community_session("comm-a"), get_community("comm-a"), sub,
                                    window.Actor(None, "王秀兰", "resident")).number


def _act(app, number, *actions):
    return drive(app, number, *actions, texts={"complete": "低保已批准，请于下月领取。", "decline": "户籍不在本社区。"})


def _backdate(app, number, days):
    with app.app_context():
        session = community_session("comm-a")
        when = datetime.now(UTC) - timedelta(days=days)
        session.execute(update(Ticket).where(Ticket.number == number).values(submitted_at=when, updated_at=when))
        session.commit()


def _numbers(response):
    return [r["service_request_id"] for r in _json(response)]


# --- discovery and services --------------------------------------------------------------------------------------
def test_discovery_in_json_and_xml(client):
    doc = _json(client.get(f"{BASE}/discovery.json"))
    assert {"changeset", "contact", "key_service", "endpoints"} <= doc.keys()
    endpoint = doc["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["application/json", "text/xml"]

    root = _xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["application/json", "text/xml"]


def test_services_list_the_published_menu(client, menu):
    services = _json(client.get(f"{BASE}/services.json?jurisdiction_id=comm-a"))
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {"SB-001", "ZJ-001", "FL-001", "SB-002", "JJ-001"}   # DB-999 is unpublished
    sb = by_code["SB-001"]
    assert sb == {"service_code": "SB-001", "service_name": "最低生活保障申请", "description": "", "metadata": True,
                  "type": "realtime", "keywords": "低保,救助", "group": "社会保障"}

    root = _xml(client.get(f"{BASE}/services.xml?jurisdiction_id=comm-a"))
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [s["service_code"] for s in services]
    assert root.find("service/metadata").text == "true"


def test_service_definition_has_attributes_and_materials(client, menu):
    doc = _json(client.get(f"{BASE}/services/SB-001.json?jurisdiction_id=comm-a"))
    assert doc["service_code"] == "SB-001"
    attributes = {a["code"]: a for a in doc["attributes"]}
    for code in ("priority_aged_70", "priority_disabled", "priority_pregnant", "urgent"):
        assert attributes[code]["datatype"] == "singlevaluelist" and attributes[code]["required"] is False
        assert [v["key"] for v in attributes[code]["values"]] == ["true", "false"]
    for code in ("home_address", "proxy_name", "proxy_relation"):
        assert attributes[code]["datatype"] == "string" and attributes[code]["variable"] is True
    materials = [a for a in doc["attributes"] if a["code"].startswith("material_")]
    assert [m["code"] for m in materials] == ["material_1", "material_2", "material_3"]
    assert all(m["variable"] is False and m["datatype"] == "text" for m in materials)
    assert materials[0]["description"].startswith("身份证（原件和复印件")
    assert [a["order"] for a in doc["attributes"]] == list(range(1, len(doc["attributes"]) + 1))

    root = _xml(client.get(f"{BASE}/services/sb-001.xml?jurisdiction_id=comm-a"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "SB-001"
    assert [v.findtext("key") for v in root.find("attributes/attribute/values")] == ["true", "false"]


@pytest.mark.parametrize("path", ["services/NOPE-1.json", "services/DB-999.json"])
def test_unknown_or_unpublished_service_is_404(client, menu, path):
    _errors(client.get(f"{BASE}/{path}?jurisdiction_id=comm-a"), 404)


@pytest.mark.parametrize("path", ["services.json", "services/SB-001.json", "requests.json",
                                  "requests/COMM-A-20261122-0001.json"])
def test_jurisdiction_is_required_with_several_communities_and_must_exist(client, menu, path):
    _errors(client.get(f"{BASE}/{path}"), 400)
    _errors(client.get(f"{BASE}/{path}?jurisdiction_id=nowhere"), 404)
    _errors(client.get(f"{BASE}/{path}?jurisdiction_id=Bad_Slug!"), 404)


def test_jurisdiction_may_be_left_out_on_a_one_community_site(client, build):
    build.community("solo")
    assert client.get(f"{BASE}/services.json").status_code == 200


def test_errors_in_xml_and_for_unknown_addresses(client, menu):
    root = _xml(client.get(f"{BASE}/services/NOPE.xml?jurisdiction_id=comm-a"))
    assert root.tag == "errors" and root.findtext("error/code") == "404" and root.findtext("error/description")
    _errors(client.get(f"{BASE}/tokens/1.json"), 404)
    response = client.delete(f"{BASE}/requests.json")
    _errors(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert set(client.options(f"{BASE}/services.json").headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    _errors(client.post(f"{BASE}/discovery.json"), 405)


# --- POST requests -----------------------------------------------------------------------------------------------
def test_post_creates_a_ticket_and_tells_what_to_bring(app, post_request):
    response = post_request(description="家里收入有变化", **{"attribute[priority_aged_70]": "true",
                                                          "attribute[urgent]": "false",
                                                          "attribute[proxy_name]": "欧阳建国",
                                                          "attribute[proxy_relation]": "父子"})
    assert response.status_code == 201, response.get_data(as_text=True)
    (created,) = _json(response)
    assert NUMBER.match(created["service_request_id"])
    assert created["service_notice"].startswith("请携带：身份证（原件和复印件")
    assert "户口簿（复印件）" in created["service_notice"]
    with app.app_context():
        ticket = window.ticket_by_number(community_session("comm-a"), created["service_request_id"])
        assert (ticket.channel, ticket.resident_name, ticket.resident_phone) == ("api", "欧阳明月", "13912345678")
        assert ticket.aged_70 and not ticket.urgent and ticket.priority == 1
        assert (ticket.proxy_name, ticket.proxy_relation, ticket.details) == ("欧阳建国", "父子", "家里收入有变化")
        assert ticket.events[0].actor_name == "Open311：测试系统"


def test_post_in_xml(post_request):
    response = post_request(fmt="xml")
    assert response.status_code == 201
    root = _xml(response)
    assert root.tag == "service_requests"
    assert NUMBER.match(root.findtext("request/service_request_id"))
    assert root.findtext("request/service_notice").startswith("请携带：")


@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_post_without_a_valid_key_is_403_and_creates_nothing(app, post_request, key):
    _errors(post_request(api_key=key), 403)
    assert _count(app) == 0


def test_revoked_key_and_key_of_another_community_are_refused(app, post_request, api_key):
    with app.app_context():
        other = create_api_key(get_community("comm-b"), "乙社区系统")[1]
    _errors(post_request(api_key=other), 403)
    with app.app_context():
        revoke_api_key(registry_session().scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(api_key))))
    _errors(post_request(), 403)
    assert _count(app) == 0


@pytest.mark.parametrize("fields", [
    {"phone": "12345"}, {"phone": None}, {"first_name": None, "last_name": None},
    {"description": "长" * 2001}, {"attribute[urgent]": "maybe"}, {"attribute[colour]": "red"},
    {"attribute[home_address]": "址" * 201}, {"last_name": "王\x00"}, {"idempotency_key": "k" * 201},
])
def test_bad_input_is_400_and_creates_nothing(app, post_request, fields):
    _errors(post_request(**fields), 400)
    assert _count(app) == 0


def test_service_code_missing_is_400_unknown_or_unpublished_is_404(app, post_request):
    # The spec: 400 when service_code was not provided, 404 when it was not found.
    _errors(post_request(service_code=None), 400)
    _errors(post_request(service_code="NOPE-1"), 404)
    _errors(post_request(service_code="DB-999"), 404)
    _errors(post_request(jurisdiction_id="nowhere"), 404)
    assert _count(app) == 0


def test_idempotent_retry_returns_the_same_ticket(app, post_request):
    first = _json(post_request(idempotency_key="order-42"))[0]["service_request_id"]
    again = _json(post_request(idempotency_key="order-42"))[0]["service_request_id"]
    by_header = post_request(headers={"Idempotency-Key": "order-42"})
    assert by_header.status_code == 201
    assert first == again == _json(by_header)[0]["service_request_id"]
    other = _json(post_request(idempotency_key="order-43"))[0]["service_request_id"]
    assert other != first
    assert _count(app) == 2


def test_idempotency_keys_are_per_api_key(app, post_request):
    with app.app_context():
        second_key = create_api_key(get_community("comm-a"), "另一个系统")[1]
    first = _json(post_request(idempotency_key="same"))[0]["service_request_id"]
    other = _json(post_request(api_key=second_key, idempotency_key="same"))[0]["service_request_id"]
    assert first != other


def test_posting_is_rate_limited_per_key(app, post_request):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    assert post_request().status_code == 201
    assert post_request().status_code == 201
    response = post_request()
    _errors(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert _count(app) == 2


def test_no_csrf_token_is_needed(app, client, api_key, menu):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"{BASE}/requests.json", data={"jurisdiction_id": "comm-a", "api_key": api_key,
                                                           "service_code": "ZJ-001", **RESIDENT})
    assert response.status_code == 201


# --- GET requests ------------------------------------------------------------------------------------------------
def test_get_requests_filters(app, client, menu):
    sb = _submit(app, "SB-001")
    zj = _submit(app, "ZJ-001")
    done = _submit(app, "FL-001")
    _act(app, done, "accept", "complete")
    old = _submit(app, "SB-002")
    _backdate(app, old, 100)

    def get(query=""):
        response = client.get(f"{BASE}/requests.json?jurisdiction_id=comm-a{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return _numbers(response)

    assert get() == [done, zj, sb]                           # newest first; the 100-day-old one is outside
    assert get("&status=open") == [zj, sb]
    assert get("&status=closed") == [done]
    assert get("&status=open,closed") == [done, zj, sb]
    assert get("&service_code=SB-001,zj-001") == [zj, sb]
    since = (datetime.now(UTC) - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = (datetime.now(UTC) - timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert get(f"&start_date={since}&end_date={until}") == [old]
    assert get(f"&start_date={since}") == [old]                # 90 days from the start
    assert get(f"&service_request_id={old},{sb.lower()},NOPE&status=closed") == [sb, old]   # the list overrides
    for bad in ("&status=pending", "&start_date=yesterday", f"&start_date={since}&end_date=2099-01-01T00:00:00Z",
                f"&start_date={until}&end_date={since}", "&end_date=0001-01-01T00:00:00Z"):
        _errors(client.get(f"{BASE}/requests.json?jurisdiction_id=comm-a{bad}"), 400)


def test_status_notes_and_expected_datetime(app, client, menu):
    waiting = _submit(app, "SB-001")
    hours = _submit(app, "JJ-001")
    accepted = _submit(app, "SB-001")
    due = _act(app, accepted, "accept").due_at
    done = _submit(app, "SB-001")
    _act(app, done, "accept", "complete")
    declined = _submit(app, "SB-001")
    _act(app, declined, "decline")
    returned = _submit(app, "SB-001")
    _act(app, returned, "return")

    records = {r["service_request_id"]: r for r in _json(client.get(f"{BASE}/requests.json?jurisdiction_id=comm-a"))}
    assert all(OFFSET.match(r[k]) for r in records.values()
               for k in ("requested_datetime", "updated_datetime", "expected_datetime"))
    assert records[waiting]["status"] == "open" and records[waiting]["status_notes"] == "已提交，等待受理"
    assert records[accepted]["status_notes"] == "已受理，正在办理"
    assert records[returned]["status"] == "open"
    assert records[returned]["status_notes"] == "已退回补正材料，所需材料已告知申请人"
    assert records[done]["status"] == "closed"
    assert records[done]["status_notes"] == "已办结，答复已告知申请人"     # what staff typed stays off the API
    assert records[declined]["status_notes"] == "不予受理，原因已告知申请人"
    assert records[waiting]["agency_responsible"] == "社会保障岗"       # the item's post
    assert records[hours]["agency_responsible"] == "甲社区服务站"       # no post: the station

    # Accepted: the real due date. Before acceptance: accepted by the next working day, plus the limit.
    assert datetime.fromisoformat(records[accepted]["expected_datetime"]) == due.replace(tzinfo=due.tzinfo or UTC)
    with app.app_context():
        session = community_session("comm-a")
        calendar = window.calendar_for(session)
        ticket = window.ticket_by_number(session, waiting)
    submitted = datetime.fromisoformat(records[waiting]["requested_datetime"])
    expected = datetime.fromisoformat(records[waiting]["expected_datetime"])
    assert expected.date() == calendar.add_workdays(calendar.next_workday(submitted.date()), 5)
    assert expected.strftime("%H:%M") == "17:30" and ticket.due_at is None
    assert datetime.fromisoformat(records[hours]["expected_datetime"]) > submitted


def test_one_request_and_unknown_number(app, client, menu):
    number = _submit(app)
    response = client.get(f"{BASE}/requests/{number.lower()}.json?jurisdiction_id=comm-a")
    assert [r["service_request_id"] for r in _json(response)] == [number]
    root = _xml(client.get(f"{BASE}/requests/{number}.xml?jurisdiction_id=comm-a"))
    assert root.tag == "service_requests" and len(root.findall("request")) == 1
    assert root.findtext("request/service_request_id") == number
    assert OFFSET.match(root.findtext("request/expected_datetime"))
    _errors(client.get(f"{BASE}/requests/COMM-A-20200101-0001.json?jurisdiction_id=comm-a"), 404)
    _errors(client.get(f"{BASE}/requests/{number}.json?jurisdiction_id=comm-b"), 404)   # another community's


def test_requests_list_in_xml(app, client, menu):
    numbers = [_submit(app), _submit(app, "ZJ-001")]
    root = _xml(client.get(f"{BASE}/requests.xml?jurisdiction_id=comm-a"))
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == numbers[::-1]
    assert {r.findtext("status") for r in root.findall("request")} == {"open"}


def test_at_most_1000_results(app, client, menu):
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        actor = window.Actor(None, "王秀兰", "resident")
        for _ in range(1001):
            window.submit_ticket(session, community, window.Submission("ZJ-001", "王秀兰", "13800138001"), actor)
        newest = session.scalar(select(Ticket.number).order_by(Ticket.id.desc()).limit(1))
    numbers = _numbers(client.get(f"{BASE}/requests.json?jurisdiction_id=comm-a"))
    assert len(numbers) == 1000 and numbers[0] == newest and numbers == sorted(numbers, reverse=True)


def test_no_personal_data_in_any_get(app, client, post_request):
    secrets = {"last_name": "欧阳", "first_name": "明月", "phone": "139-1234-5678",
               "description": "我家住在幸福里七号楼", "address_string": "幸福里7号楼3单元",
               "attribute[proxy_name]": "欧阳建国", "attribute[proxy_relation]": "父子",
               "attribute[home_address]": "幸福里7号楼3单元301"}
    number = _json(post_request(**secrets))[0]["service_request_id"]
    _submit(app, resident_name="李桂英", resident_phone="13700001111", id_number="110101194001011234",
            home_address="和平路1号")
    needles = ["欧阳", "明月", "13912345678", "139-1234-5678", "5678", "幸福里", "父子", "李桂英", "13700001111",
               "1111", "110101194001011234", "和平路"]
    for path in ("requests.json", "requests.xml", f"requests/{number}.json", f"requests/{number}.xml",
                 "services.json", "services/SB-001.json"):
        response = client.get(f"{BASE}/{path}?jurisdiction_id=comm-a")
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        if path.endswith(".json"):
            body += json.dumps(json.loads(body), ensure_ascii=False)   # search the decoded text too
        leaked = [n for n in needles if n in body]
        assert not leaked, f"{path} shows {leaked}"


# --- keys --------------------------------------------------------------------------------------------------------
def test_cli_creates_a_key_that_works_and_keeps_only_its_hash(app, runner, client, menu):
    result = runner.invoke(args=["hall", "create-api-key", "--community", "comm-a", "--name", "网格平台"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert len(key) >= 40
    with app.app_context():
        stored = registry_session().scalars(select(ApiKey)).all()
    assert [(k.name, k.prefix, k.key_hash, k.revoked) for k in stored] == [("网格平台", key[:8], hash_key(key), False)]
    assert all(key not in str(v) for k in stored for v in vars(k).values())
    response = client.post(f"{BASE}/requests.json", data={"jurisdiction_id": "comm-a", "api_key": key,
                                                           "service_code": "ZJ-001", **RESIDENT})
    assert response.status_code == 201


@pytest.mark.parametrize("args", [["--community", "nowhere", "--name", "X"], ["--community", "comm-a", "--name", " "]])
def test_cli_refuses_bad_input(app, runner, menu, args):
    result = runner.invoke(args=["hall", "create-api-key", *args])
    assert result.exit_code != 0
    with app.app_context():
        assert registry_session().scalar(select(func.count(ApiKey.id))) == 0
