"""Open311 GeoReport v2 operations: API keys, the service list and definitions, creating and reading requests.

What goes back to client systems is Chinese by design (status notes, notices, error descriptions): they show it
to residents as it is. Nothing a resident wrote or who they are (name, phone, address, description) ever leaves
through a GET.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock
from ..communities.models import Station
from ..errors import HallError
from ..kept import kept, kept_while, store
from ..menu.models import ServiceItem
from ..menu.services import item_by_code, menu_by_category
from ..pagecache import stamps, watch
from ..rosters.models import Post
from ..tenancy import Community, get_community, registry_session, valid_slug
from ..window.models import CLOSED_STATES, OPEN_STATES, Ticket
from ..window.services import Actor, Submission, calendar_for, submit_ticket
from ..workdays import OFFICE_CLOSES, WorkCalendar
from .models import ApiKey

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+08:00"   # bump when the interface changes
FORMATS = ["application/json", "text/xml"]
MAX_RESULTS = 1000
WINDOW = timedelta(days=90)
MAX_IDEMPOTENCY_KEY = 200
KEY_SECONDS = 5.0   # how long a worker trusts a looked-up API key (a revocation elsewhere reaches it within this)

# The whole of status_notes: one fixed phrase per state. The reply, the reason and the missing materials are free text
# staff typed (often a name, a phone, an address) and the API answers anyone who knows a number: they go to the
# resident on the tracking page and in notifications, never here. In Chinese, like every answer of this API.
STATUS_NOTES = {
    "submitted": "已提交，等待受理",
    "accepted": "已受理，正在办理",
    "in_progress": "办理中",
    "returned": "已退回补正材料，所需材料已告知申请人",
    "done": "已办结，答复已告知申请人",
    "declined": "不予受理，原因已告知申请人",
    "withdrawn": "已撤回",
}
MATERIAL_FORMS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件和复印件"}
TIME_UNITS = {"workdays": "个工作日", "hours": "小时"}

# Yes/no attributes: attribute code -> (Submission field, description shown to the resident).
FLAG_ATTRIBUTES = {
    "priority_aged_70": ("aged_70", "申请人年满70周岁（优先办理）"),
    "priority_disabled": ("disabled", "申请人为残疾人（优先办理）"),
    "priority_pregnant": ("pregnant", "申请人为孕妇（优先办理）"),
    "urgent": ("urgent", "急事急办：情况紧急，需要尽快办理"),
}
# Free-text attributes: attribute code -> (Submission field, description, longest length).
TEXT_ATTRIBUTES = {
    "home_address": ("home_address", "上门服务地址（需要上门办理时填写）", 200),
    "proxy_name": ("proxy_name", "委托代办：委托人姓名", 50),
    "proxy_relation": ("proxy_relation", "委托代办：与委托人的关系", 50),
}
TRUE_VALUES = {"true": True, "1": True, "yes": True, "是": True, "false": False, "0": False, "no": False, "否": False}
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\]$")


class ApiError(Exception):
    """A request the API cannot fulfil: HTTP status and a description for the spec's error list."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- API keys ----------------------------------------------------------------------------------------------------
def hash_key(key: str) -> str:
    """The sha256 hex digest under which a key is stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(community: Community, name: str) -> tuple[ApiKey, str]:
    """A new key for a client system of this community; the plaintext is returned once and never stored."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 100:
        raise HallError("The key needs a name of 1-100 characters (the client system it is for).", "name")
    key = secrets.token_urlsafe(32)
    api_key = ApiKey(community_id=community.id, name=name, key_hash=hash_key(key), prefix=key[:8], revoked=False)
    session = registry_session()
    session.add(api_key)
    session.commit()
    return api_key, key


KEY_CACHE = "api_key_cache"


def _live_key(digest: str) -> ApiKey | None:
    # Read on every write: kept per worker for KEY_SECONDS (a revocation made in this process is seen at once,
    # in another worker within that bound). Only found keys are kept, so guessing cannot fill the cache.
    def load() -> ApiKey | None:
        api_key = registry_session().scalar(select(ApiKey).where(ApiKey.key_hash == digest))
        if api_key is not None:
            registry_session().expunge(api_key)
        return api_key
    return kept(KEY_CACHE, digest, KEY_SECONDS, load, bound=1_000, keep=lambda api_key: api_key is not None)


def check_api_key(community: Community, key: str | None) -> ApiKey | None:
    """The live key of this community matching `key`, else None (looked up by hash, compared in constant time)."""
    if not key or len(key) > 200:
        return None
    digest = hash_key(key)
    api_key = _live_key(digest)
    if api_key is None or not hmac.compare_digest(api_key.key_hash, digest):
        return None
    if api_key.revoked or api_key.community_id != community.id:
        return None
    return api_key


def revoke_api_key(api_key: ApiKey) -> None:
    """Stop a key from working (it stays listed, marked revoked)."""
    api_key.revoked = True
    registry_session().commit()
    store(KEY_CACHE).clear()


# --- jurisdictions -----------------------------------------------------------------------------------------------
def jurisdiction(slug: str | None) -> Community:
    """The community a request is for; jurisdiction_id may be left out only when the site has one community."""
    slug = (slug or "").strip()
    if not slug:
        session = registry_session()
        if session.scalar(select(func.count(Community.id))) == 1:
            return session.scalar(select(Community))
        raise ApiError(400, "缺少 jurisdiction_id（社区代码，例如 yangliu）。")
    community = get_community(slug) if valid_slug(slug) else None
    if community is None:
        raise ApiError(404, f"未找到 jurisdiction_id：{slug[:60]}")
    return community


def discovery(endpoint_url: str) -> dict:
    """The service discovery document."""
    return {
        "changeset": CHANGESET,
        "contact": "请联系所在社区服务站；接口问题请联系街道管理员。",
        "key_service": "提交办件需要 API 密钥，由站点管理员发放："
                       "flask --app app hall create-api-key --community 社区代码 --name 系统名称",
        "endpoints": [{"specification": SPECIFICATION, "url": endpoint_url, "changeset": CHANGESET,
                       "type": "production", "formats": list(FORMATS)}],
    }


# --- services ----------------------------------------------------------------------------------------------------
def service_list(session: Session) -> list[dict]:
    """Every published item of the menu as an Open311 service, in menu order."""
    return [{
        "service_code": item.code,
        "service_name": item.name,
        "description": item.description,
        # Every item takes the optional attributes (priority, urgency, home visit, proxy) and lists its materials.
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(k for k in re.split(r"[,，、;；\s]+", item.keywords) if k),
        "group": category.name,
    } for category, items in menu_by_category(session, published_only=True) for item in items]


def _service_code(code: str | None) -> str:
    code = (code or "").strip()
    if not code:
        raise ApiError(400, "缺少 service_code。")
    return code


def _unknown_code(code: str) -> ApiError:
    return ApiError(404, f"未找到 service_code：{code[:40]}")


def _published_item(session: Session, code: str | None) -> ServiceItem:
    code = _service_code(code)
    item = item_by_code(session, code, published_only=True)
    if item is None:
        raise _unknown_code(code)
    return item


def _material_text(material) -> str:
    detail = MATERIAL_FORMS.get(material.form, material.form)
    if material.copies and material.copies > 1 and material.form != "original":
        detail += f"{material.copies}份"
    if material.note:
        detail += f"，{material.note}"
    return f"{material.name}（{detail}）"


def service_definition(session: Session, code: str | None) -> dict:
    """The attributes a client may send with a request for this item, and its materials (for display only)."""
    item = _published_item(session, code)
    attributes = []
    yes_no = [{"key": "true", "name": "是"}, {"key": "false", "name": "否"}]
    for attr_code, (_field, description) in FLAG_ATTRIBUTES.items():
        attributes.append({"variable": True, "code": attr_code, "datatype": "singlevaluelist", "required": False,
                           "datatype_description": "true 或 false", "order": len(attributes) + 1,
                           "description": description, "values": yes_no})
    for attr_code, (_field, description, limit) in TEXT_ATTRIBUTES.items():
        attributes.append({"variable": True, "code": attr_code, "datatype": "string", "required": False,
                           "datatype_description": f"不超过{limit}个字", "order": len(attributes) + 1,
                           "description": description})
    for n, material in enumerate(item.materials, start=1):
        attributes.append({"variable": False, "code": f"material_{n}", "datatype": "text", "required": False,
                           "datatype_description": "所需材料（仅供展示，无需填写）", "order": len(attributes) + 1,
                           "description": _material_text(material)})
    return {"service_code": item.code, "attributes": attributes}


def service_notice(item: ServiceItem | None) -> str:
    """What to bring (一次性告知) and the promised time limit, in one sentence for the resident."""
    if item is None:
        return ""
    notice = ("请携带：" + "、".join(_material_text(m) for m in item.materials) + "。") if item.materials \
        else "无需携带材料。"
    if item.time_limit:
        notice += f"承诺办理时限：{item.time_limit}{TIME_UNITS.get(item.time_unit, '')}（自受理起计算）。"
    return notice


# --- POST requests -----------------------------------------------------------------------------------------------
def _text(fields: Mapping[str, str], key: str, limit: int, what: str) -> str:
    value = (fields.get(key) or "").strip()
    if "\x00" in value:
        raise ApiError(400, f"{what}含有不允许的字符。")
    if len(value) > limit:
        raise ApiError(400, f"{what}不能超过{limit}个字。")
    return value


def _resident_name(first: str, last: str) -> str:
    if first.isascii() and last.isascii() and first and last:
        return f"{first} {last}"
    return last + first   # Chinese order: family name first, no space


def _submission(item: ServiceItem | PublishedItem, fields: Mapping[str, str]) -> Submission:
    first = _text(fields, "first_name", 50, "first_name（名）")
    last = _text(fields, "last_name", 50, "last_name（姓）")
    if not (first or last):
        raise ApiError(400, "请提供申请人姓名（first_name 和/或 last_name）。")
    phone = _text(fields, "phone", 20, "phone（手机号）")
    if not phone:
        raise ApiError(400, "请提供申请人的11位手机号（phone）。")
    sub = Submission(item_code=item.code, resident_name=_resident_name(first, last), resident_phone=phone,
                     channel="api", details=_text(fields, "description", 2000, "description（说明）"),
                     home_address=_text(fields, "address_string", 200, "address_string（地址）"))
    for key in fields:
        if not key.startswith("attribute["):
            continue
        match = ATTRIBUTE_RE.match(key)
        code = match.group(1) if match else key
        if code in FLAG_ATTRIBUTES:
            value = (fields[key] or "").strip().lower()
            if value not in TRUE_VALUES:
                raise ApiError(400, f"attribute[{code}] 只能是 true 或 false。")
            setattr(sub, FLAG_ATTRIBUTES[code][0], TRUE_VALUES[value])
        elif code in TEXT_ATTRIBUTES:
            field_name, _description, limit = TEXT_ATTRIBUTES[code]
            value = _text(fields, key, limit, f"attribute[{code}]")
            if value:   # attribute[home_address] wins over address_string
                setattr(sub, field_name, value)
        elif not re.fullmatch(r"material_\d+", code):   # informational attributes echoed back are harmless
            raise ApiError(400, f"未知的属性：{key[:60]}")
    return sub


def _idem_key(api_key: ApiKey, client_key: str | None) -> str | None:
    # Scoped to the API key and hashed: one client cannot reach another's tickets by guessing its keys.
    client_key = (client_key or "").strip()
    if not client_key:
        return None
    if len(client_key) > MAX_IDEMPOTENCY_KEY:
        raise ApiError(400, f"idempotency_key 不能超过{MAX_IDEMPOTENCY_KEY}个字符。")
    return "api-" + hashlib.sha256(f"{api_key.id}:{client_key}".encode()).hexdigest()[:56]


@dataclass(frozen=True)
class PublishedItem:
    """What a submission needs of a published item: kept per worker while the menu's stamps are unchanged."""

    id: int
    code: str
    name: str
    post_id: int | None
    notice: str


MENU_TABLES = watch("menu_categories", "service_items", "service_materials")


def _published_facts(session: Session, community: Community, code: str | None) -> PublishedItem:
    # Every write looked its item up with two eager-loaded queries (a third of its time); the menu changes
    # rarely, and its write stamps (pagecache) say when it did, in any worker.
    code = _service_code(code)
    stamp = tuple(stamps(community.slug).get(table, 0) for table in MENU_TABLES)
    def load() -> dict[str, PublishedItem]:
        return {i.code: PublishedItem(i.id, i.code, i.name, i.post_id, service_notice(i))
                for i in session.scalars(select(ServiceItem).where(ServiceItem.published.is_(True)))}
    # Bounded like the engine cache: a worker may serve many communities.
    items = kept_while("published_items", community.slug, stamp, load, bound=256)
    item = items.get(code.upper())
    if item is None:
        raise _unknown_code(code)
    return item


def create_request(session: Session, community: Community, api_key: ApiKey, fields: Mapping[str, str],
                   idempotency_key: str | None = None) -> list[dict]:
    """Open a ticket (channel "api") from a client's form fields; a repeated idempotency key returns the first."""
    item = _published_facts(session, community, fields.get("service_code"))
    sub = _submission(item, fields)
    sub.item = item
    sub.idem_key = _idem_key(api_key, idempotency_key)
    try:
        ticket = submit_ticket(session, community, sub, Actor(None, f"Open311：{api_key.name}", "system"))
    except HallError as err:
        raise ApiError(400, str(err.message)) from None
    return [{"service_request_id": ticket.number, "service_notice": item.notice}]


# --- GET requests ------------------------------------------------------------------------------------------------
def _aware(dt: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return dt if dt is None or dt.tzinfo else dt.replace(tzinfo=UTC)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _parse_when(value: str, name: str, zone: ZoneInfo) -> datetime:
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, f"{name} 应为 ISO 8601 日期时间，例如 2026-11-22T00:00:00+08:00。") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    if not 1971 <= when.year <= 9998:
        raise ApiError(400, f"{name} 超出可查询的范围。")
    return when.astimezone(UTC)


def _window(args: Mapping[str, str], zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    start_raw, end_raw = (args.get("start_date") or "").strip(), (args.get("end_date") or "").strip()
    start = _parse_when(start_raw, "start_date", zone) if start_raw else None
    end = _parse_when(end_raw, "end_date", zone) if end_raw else None
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if start > end:
        raise ApiError(400, "start_date 不能晚于 end_date。")
    if end - start > WINDOW:
        raise ApiError(400, "start_date 与 end_date 之间不能超过 90 天。")
    return start, end


@dataclass
class _Context:
    """What every record of one response needs, loaded once."""

    zone: ZoneInfo
    tz: str
    calendar: WorkCalendar
    items: dict[int, ServiceItem]
    posts: dict[int, str]
    station: str


def _context(session: Session, community: Community, tickets: list[Ticket]) -> _Context:
    item_ids = {t.item_id for t in tickets if t.item_id}
    items = {i.id: i for i in session.scalars(select(ServiceItem).where(ServiceItem.id.in_(item_ids)))} \
        if item_ids else {}
    post_ids = {t.post_id for t in tickets if t.post_id}
    posts = dict(session.execute(select(Post.id, Post.name).where(Post.id.in_(post_ids))).all()) if post_ids else {}
    station = session.get(Station, 1)
    return _Context(ZoneInfo(community.timezone), community.timezone, calendar_for(session), items, posts,
                    station.name if station else community.name)


def expected_at(ticket: Ticket, item: ServiceItem | None, calendar: WorkCalendar, tz: str) -> datetime:
    """The due date once accepted; before, the projection: accepted by the next working day, plus the time limit."""
    if ticket.due_at is not None:
        return _aware(ticket.due_at)
    zone = ZoneInfo(tz)
    submitted = _aware(ticket.submitted_at).astimezone(zone)
    # The latest acceptance promised: the close of the next working day.
    accepted = datetime.combine(calendar.next_workday(submitted.date()), OFFICE_CLOSES, tzinfo=zone)
    limit, unit = (item.time_limit, item.time_unit) if item is not None else (0, "workdays")
    return calendar.due_date(accepted, limit, unit, tz)


def status_notes(ticket: Ticket) -> str:
    """The state in a fixed phrase (STATUS_NOTES): never the reply, the reason or the materials staff typed."""
    return STATUS_NOTES.get(ticket.status, "")


def _record(ticket: Ticket, ctx: _Context) -> dict:
    item = ctx.items.get(ticket.item_id)
    closed = ticket.status in CLOSED_STATES
    updated = _aware(ticket.finished_at if closed and ticket.finished_at else ticket.updated_at)

    def iso(dt: datetime) -> str:
        return dt.astimezone(ctx.zone).isoformat(timespec="seconds")

    # Deliberately absent: the resident's name, phone, ID number, home address and own description.
    return {
        "service_request_id": ticket.number,
        "status": "closed" if closed else "open",
        "status_notes": status_notes(ticket),
        "service_name": ticket.item_name,
        "service_code": ticket.item_code,
        "description": "",
        "agency_responsible": ctx.posts.get(ticket.post_id) or ctx.station,
        "service_notice": service_notice(item),
        "requested_datetime": iso(_aware(ticket.submitted_at)),
        "updated_datetime": iso(updated),
        "expected_datetime": iso(expected_at(ticket, item, ctx.calendar, ctx.tz)),
        "address": "",
    }


def find_requests(session: Session, community: Community, args: Mapping[str, str],
                  now: datetime | None = None) -> list[dict]:
    """Requests by the spec's filters, newest first, at most 1,000; a list of numbers overrides the other filters."""
    tickets = list(session.scalars(requests_query(community, args, now)))
    ctx = _context(session, community, tickets)
    return [_record(t, ctx) for t in tickets]


def requests_query(community: Community, args: Mapping[str, str], now: datetime | None = None):
    """The SELECT behind find_requests (ApiError on bad filters)."""
    zone = ZoneInfo(community.timezone)
    stmt = select(Ticket).where(Ticket.kind == "request")  # complaints are never public
    numbers = _split(args.get("service_request_id"))
    if numbers:
        if len(numbers) > MAX_RESULTS:
            raise ApiError(400, f"service_request_id 最多 {MAX_RESULTS} 个。")
        stmt = stmt.where(Ticket.number.in_([n.upper() for n in numbers]))
    else:
        start, end = _window(args, zone, now or clock.utcnow())
        stmt = stmt.where(Ticket.submitted_at >= start, Ticket.submitted_at <= end)
        codes = _split(args.get("service_code"))
        if codes:
            stmt = stmt.where(Ticket.item_code.in_([c.upper() for c in codes]))
        statuses = {s.lower() for s in _split(args.get("status"))}
        if statuses - {"open", "closed"}:
            raise ApiError(400, "status 只能是 open 或 closed（可用逗号分隔）。")
        if statuses == {"open"}:
            stmt = stmt.where(Ticket.status.in_(OPEN_STATES))
        elif statuses == {"closed"}:
            stmt = stmt.where(Ticket.status.in_(CLOSED_STATES))
    return stmt.order_by(Ticket.submitted_at.desc(), Ticket.id.desc()).limit(MAX_RESULTS)


def one_request(session: Session, community: Community, number: str) -> list[dict]:
    """One request as the spec's one-element list; 404 when this community has no such number."""
    ticket = session.scalar(select(Ticket).where(Ticket.number == (number or "").strip().upper(),
                                                 Ticket.kind == "request"))
    if ticket is None:
        raise ApiError(404, f"未找到办件：{(number or '')[:60]}")
    return [_record(ticket, _context(session, community, [ticket]))]
