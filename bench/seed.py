"""A bench data directory built with the app's own functions, then tickets bulk-inserted with SQLAlchemy core.

Community `bench` gets N tickets (default 100,000) and `small` 1,000 from the same generator: two years of
requests, mostly finished, a few per cent open across the states and with staff, each with its timeline.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, func, insert, select

BENCH, SMALL = "bench", "small"
SMALL_TICKETS = 1_000
PASSWORD = "bench-only-password-2026"
API_KEYS = 500      # client systems of `bench`: each stays under API_RATE_LIMIT (per key) while wrk writes
INFO = "bench-seed.json"
CHUNK = 20_000
# Variables the app reads from the environment; the bench sets or clears each, whatever the caller's shell has.
APP_VARIABLES = ("HALL_ENV", "HALL_DATA_DIR", "DATABASE_URL", "SECRET_KEY", "RATELIMIT_STORAGE_URI",
                 "HALL_PROXY_COUNT")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["秀兰", "桂英", "德明", "海涛", "玉珍", "志强", "美玲", "淑珍", "国强", "红", "建华", "丽萍", "国栋", "春梅",
         "文斌", "雪", "建军", "丽华", "宇", "秀梅", "刚", "敏", "强", "晓燕", "志刚", "丽娟", "淑芬", "建国", "明",
         "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "超", "霞", "平", "辉", "鹏", "华", "飞", "桂兰"]
STAFF = ["张敏", "李强", "陈晓燕", "赵志刚"]
CHANNELS = [("window", 40), ("online", 25), ("phone", 8), ("appointment", 10), ("home_visit", 5), ("proxy", 5),
            ("self_service", 4), ("api", 3)]
CLOSED = [("done", 92), ("declined", 5), ("withdrawn", 3)]
OPEN = [("submitted", 30), ("accepted", 30), ("in_progress", 30), ("returned", 10)]
REPLIES = ["已办结，证明已开具，请凭回执到窗口领取。", "已办结，材料已报街道审核通过。", "已办结，结果已电话告知居民。",
           "已办结，已为您完成登记，后续待遇按月发放。", "已办结，已联系物业上门处理。"]
DECLINES = ["不符合申请条件：户籍不在本社区。", "材料无法补齐，建议到街道政务服务中心咨询。", "该事项应向区医保局申请。"]
MISSING = ["居民身份证（复印件）", "户口簿（原件）", "近期一寸免冠照片", "收入证明"]
NOTES = ["", "", "", "请尽快办理，谢谢。", "老人行动不便，希望上门。", "上次来过一次，材料已补齐。"]


def app_environment(data_dir: Path, database_url: str | None, secret: str) -> dict[str, str | None]:
    """The app's environment for one bench run (None clears a variable)."""
    return {"HALL_ENV": "development", "HALL_DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
            "SECRET_KEY": secret, "RATELIMIT_STORAGE_URI": None, "HALL_PROXY_COUNT": None}


def process_environment(app_env: dict[str, str | None]) -> dict[str, str]:
    """os.environ with the app's variables replaced, for a subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES}
    env.update({k: v for k, v in app_env.items() if v is not None})
    return env


@contextmanager
def hall_app(app_env: dict[str, str | None], context: bool = True) -> Iterator:
    """create_app() from the bench environment, inside an app context; engines disposed on the way out."""
    # context=False for driving requests: under an outer app context every request would share one `g`
    # (Flask pushes no new app context then), so per-request work such as the stamp read or loading the
    # signed-in user would run once and be missing from what is measured.
    from community_hall import create_app

    saved = {k: os.environ.get(k) for k in APP_VARIABLES}
    try:
        for key in APP_VARIABLES:
            os.environ.pop(key, None)
        os.environ.update({k: v for k, v in app_env.items() if v is not None})
        app = create_app()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        if context:
            with app.app_context():
                yield app
        else:
            yield app
    finally:
        app.extensions["tenancy"].dispose()


def load_info(data_dir: Path) -> dict | None:
    """What an earlier seed of this directory wrote down, or None."""
    path = Path(data_dir) / INFO
    return json.loads(path.read_text()) if path.exists() else None


def seed(data_dir: Path, database_url: str | None, tickets: int, small_tickets: int = SMALL_TICKETS,
         api_keys: int = API_KEYS, log=print) -> dict:
    """Build the bench site in data_dir (and database_url), write bench-seed.json there, return its content."""
    from community_hall.migrate import upgrade_registry
    from community_hall.tenancy import tenancy

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    rng = random.Random(8)
    info = {"backend": "postgresql" if database_url else "sqlite", "password": PASSWORD, "communities": {}}
    with hall_app(app_environment(data_dir, database_url, secrets.token_hex(32))):
        upgrade_registry(tenancy())
        for slug, name, count in ((BENCH, "基准社区", tickets), (SMALL, "小社区", small_tickets)):
            info["communities"][slug] = _seed_community(slug, name, count, rng, log)
        info["api_keys"] = _api_keys(BENCH, api_keys)
    if database_url:
        _vacuum_analyze(database_url)
    info["seconds"] = round(time.monotonic() - started, 1)
    (data_dir / INFO).write_text(json.dumps(info, ensure_ascii=False, indent=1))
    log(f"seeded {data_dir} ({info['backend']}): {tickets:,} + {small_tickets:,} tickets in {info['seconds']} s")
    return info


def _vacuum_analyze(database_url: str) -> None:
    # A live database has been vacuumed and analysed by autovacuum; do it now rather than during the measurement.
    from sqlalchemy import create_engine

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()


def _seed_community(slug: str, name: str, count: int, rng: random.Random, log) -> dict:
    from community_hall.accounts.services import add_new_member
    from community_hall.communities.services import create_community
    from community_hall.demo import seed_menu
    from community_hall.menu.models import ServiceItem
    from community_hall.tenancy import community_session

    community = create_community(slug, name, 2600, 7400, "基准街道", station={
        "address": "基准街道幸福路1号", "phone": "022-2345 6700", "opening_hours": "周一至周五 8:30-17:30"})
    seed_menu(community)
    add_new_member(community, "head", f"{slug}-head", PASSWORD, "刘淑芬")
    staff = [add_new_member(community, "staff", f"{slug}-staff{i + 1}", PASSWORD, real_name)
             for i, real_name in enumerate(STAFF)]
    session = community_session(slug)
    items = list(session.scalars(select(ServiceItem).where(ServiceItem.published.is_(True)).order_by(ServiceItem.id)))
    t0 = time.monotonic()
    tracked = _insert_tickets(session, community, items, [(u.id, u.display_name) for u in staff], count, rng)
    log(f"  {slug}: {count:,} tickets with their timelines in {time.monotonic() - t0:.1f} s")
    api_item = next(i for i in items if "online" in i.channel_list)
    return {"staff": staff[0].username, "head": f"{slug}-head", "tracked": tracked, "tickets": count,
            "service_code": api_item.code, "search": "dibao"}


def _api_keys(slug: str, count: int) -> list[str]:
    from community_hall.api.services import create_api_key
    from community_hall.tenancy import get_community

    community = get_community(slug)
    return [create_api_key(community, f"基准客户端{i + 1:03d}")[1] for i in range(count)]


def _pool(weighted: list[tuple[str, int]]) -> list[str]:
    # Each value repeated by its weight: rng.choice over it is a weighted pick, and cheap.
    return [value for value, weight in weighted for _ in range(weight)]


CHANNEL_POOL, CLOSED_POOL, OPEN_POOL = _pool(CHANNELS), _pool(CLOSED), _pool(OPEN)


def _open_chance(age_days: float) -> float:
    # Recent requests are often still open; a few old ones wait on missing materials or a slow department.
    if age_days < 7:
        return 0.5
    if age_days < 30:
        return 0.15
    if age_days < 90:
        return 0.04
    return 0.012


class _Due:
    """The item's due date by the app's own working-day calendar, cached per local day (workdays)."""

    def __init__(self, session, tz: str):
        from community_hall.window.services import calendar_for

        self.calendar = calendar_for(session)
        self.tz = tz
        self.zone = ZoneInfo(tz)
        self.cache: dict = {}

    def __call__(self, accepted: datetime, limit: int, unit: str) -> datetime:
        if unit != "workdays":
            return self.calendar.due_date(accepted, limit, unit, self.tz)
        key = (accepted.astimezone(self.zone).date(), limit)
        if key not in self.cache:
            self.cache[key] = self.calendar.due_date(accepted, limit, unit, self.tz)
        return self.cache[key]


def _insert_tickets(session, community, items, staff: list[tuple[int, str]], count: int,
                    rng: random.Random) -> dict:
    """Insert count tickets with events, ratings and day counters; return the ticket the bench tracks."""
    from community_hall.tenancy import tenancy
    from community_hall.window.models import Ticket, TicketCounter, TicketEvent
    from community_hall.window.ratings_models import Rating

    t = tenancy()
    schema = t.schema_name(community.slug) if t.backend == "postgresql" else None
    zone = ZoneInfo(community.timezone)
    now = datetime.now(UTC)
    today = now.astimezone(zone).date()
    due = _Due(session, community.timezone)
    # When each ticket came in: a local day of the last two years, office hours except for online channels.
    moments = []
    for _ in range(count):
        channel = rng.choice(CHANNEL_POOL)
        day = today - timedelta(days=rng.randrange(730))
        minute = rng.randrange(24 * 60) if channel in ("online", "api") else rng.randrange(510, 1050)
        at = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=minute, seconds=rng.randrange(60))
        if at > now:
            at -= timedelta(days=1)
        moments.append((at.astimezone(UTC), channel))
    moments.sort()
    seqs: dict[str, int] = {}
    prefix = community.slug.upper()
    tracked = None
    for start in range(0, count, CHUNK):
        rows, timelines, rated = [], [], []
        for at, channel in moments[start:start + CHUNK]:
            local = at.astimezone(zone)
            day = f"{local.year:04d}{local.month:02d}{local.day:02d}"
            seqs[day] = seqs.get(day, 0) + 1
            row, events, rating = _ticket(rng, now, at, channel, f"{prefix}-{day}-{seqs[day]:04d}", day, seqs[day],
                                          rng.choice(items), staff, due)
            rows.append(row)
            timelines.append(events)
            rated.append(rating)
        first_id = session.scalar(select(func.coalesce(func.max(Ticket.id), 0)))
        conn = session.connection()
        _bulk(conn, Ticket.__table__, rows, schema)
        ids = dict(session.execute(select(Ticket.number, Ticket.id).where(Ticket.id > first_id)).all())
        event_rows, rating_rows = [], []
        for row, events, rating in zip(rows, timelines, rated, strict=True):
            ticket_id = ids[row["number"]]
            for event in events:
                event["ticket_id"] = ticket_id
            event_rows.extend(events)
            if rating:
                rating["ticket_id"] = ticket_id
                rating_rows.append(rating)
            if row["status"] == "in_progress" and len(events) >= 3:
                tracked = {"number": row["number"], "digits": row["resident_phone"][-4:]}
        _bulk(conn, TicketEvent.__table__, event_rows, schema)
        if rating_rows:
            _bulk(conn, Rating.__table__, rating_rows, schema)
    session.connection().execute(insert(TicketCounter.__table__), [{"day": d, "last": n} for d, n in seqs.items()])
    session.commit()
    if tracked is None:     # a tiny seed without any ticket in progress: track the newest one
        tracked = {"number": rows[-1]["number"], "digits": rows[-1]["resident_phone"][-4:]}
    return tracked


def _sqlite_datetime(value: datetime | None) -> str | None:
    # Values are UTC; the text drops the offset as SQLAlchemy does (isoformat is much faster than strftime).
    return None if value is None else value.isoformat(" ", "microseconds")[:26]


def _fast_processor(type_, dialect):
    """The column type's bind processor; SQLite datetimes by isoformat, checked to give the same text."""
    proc = type_._cached_bind_processor(dialect)
    if dialect.name == "sqlite" and isinstance(type_, DateTime):
        sample = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
        assert proc(sample) == _sqlite_datetime(sample) and proc(sample.replace(microsecond=0)) == \
            _sqlite_datetime(sample.replace(microsecond=0)), "SQLAlchemy changed its SQLite datetime format"
        return _sqlite_datetime
    return proc


def _bulk(conn, table, rows: list[dict], schema: str | None) -> None:
    """Insert rows at driver level: COPY on PostgreSQL, executemany on SQLite, values through the column types.

    SQLAlchemy's per-row parameter processing would cost more than the database's own work here."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect
    procs = [(i, p) for i, c in enumerate(columns) if (p := _fast_processor(table.c[c].type, dialect)) is not None]
    getter = itemgetter(*columns)
    data = [getter(r) for r in rows]
    if procs:
        for n, record in enumerate(data):
            values = list(record)
            for i, proc in procs:
                values[i] = proc(values[i])
            data[n] = tuple(values)
    if dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{schema}"."{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
            for record in data:
                copy.write_row(record)
        return
    # Table and column names come from our metadata.
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # nosec B608
    conn.exec_driver_sql(sql, data)


def _ticket(rng: random.Random, now: datetime, at: datetime, channel: str, number: str, day: str, seq: int, item,
            staff: list[tuple[int, str]], due) -> tuple[dict, list[dict], dict | None]:
    """One ticket row, its timeline and maybe its rating; states and times follow the transition table."""
    age_days = (now - at).total_seconds() / 86400
    is_open = rng.random() < _open_chance(age_days)
    status = rng.choice(OPEN_POOL if is_open else CLOSED_POOL)
    resident = rng.choice(SURNAMES) + rng.choice(GIVEN)
    phone = f"1{rng.choice('3456789')}{rng.randrange(10 ** 9):09d}"
    handler_id, handler = rng.choice(staff)
    aged_70, disabled, pregnant, urgent = (rng.random() < 0.10, rng.random() < 0.03, rng.random() < 0.01,
                                           rng.random() < 0.02)
    at_desk = channel in ("window", "phone", "home_visit", "proxy", "appointment", "self_service")
    submitter = (handler_id, handler) if at_desk else (None, "Open311：街道网格平台" if channel == "api" else resident)
    limit, unit = item.time_limit or 0, item.time_unit or "workdays"
    clock = [at]

    def later(low_minutes: float, high_minutes: float) -> datetime:
        # The next step of the timeline: after the previous one, never in the future.
        step = clock[0] + timedelta(minutes=rng.uniform(low_minutes, high_minutes))
        clock[0] = max(clock[0], min(step, now - timedelta(seconds=30)))
        return clock[0]

    events = [_event(at, submitter, "submit", "", "submitted", rng.choice(NOTES) if not at_desk else "")]
    row = {"accepted_at": None, "due_at": None, "returned_at": None, "finished_at": None, "handler_user_id": None,
           "reply": "", "decline_reason": "", "missing_materials": "", "materials_checked": ""}
    visits = 1 if channel in ("window", "proxy") else 0
    state = "submitted"

    def step(action: str, target: str, note: str = "", actor=None, gap: tuple[float, float] | None = None) -> None:
        nonlocal state
        events.append(_event(later(*(gap or GAPS[action])), actor or (handler_id, handler), action, state, target,
                             note))
        state = target

    returned_first = status == "returned" or (status in ("done", "in_progress") and rng.random() < 0.04)
    if status == "withdrawn":
        step("withdraw", "withdrawn", "不需要了", actor=(None, resident))
    elif status == "declined" and rng.random() < 0.5:
        step("decline", "declined", rng.choice(DECLINES))
    elif status != "submitted":
        step("accept", "accepted")
        row.update(accepted_at=clock[0], due_at=due(clock[0], limit, unit), handler_user_id=handler_id,
                   materials_checked="居民身份证（原件）")
        if returned_first:
            missing = rng.choice(MISSING)
            step("return", "returned", missing)
            row.update(missing_materials=missing, returned_at=clock[0])
            if status != "returned":
                step("resubmit_accepted", "accepted", "材料已补齐", actor=(None, resident))
                # the clock paused for the day the materials were missing
                row.update(missing_materials="", returned_at=None, paused_workdays=1,
                           due_at=due(row["accepted_at"], limit + 1, unit) if unit == "workdays" else row["due_at"])
                visits += 1
        if status == "in_progress" or (status in ("done", "declined") and rng.random() < 0.7):
            step("start", "in_progress")
        if status == "done":
            reply = rng.choice(REPLIES)
            # Most finish within the time limit (working days are about 1.4 calendar days); some are late.
            allowed = max(120.0, (row["due_at"] - clock[0]).total_seconds() / 60)
            step("complete", "done", reply, gap=(30, allowed * (0.9 if rng.random() < 0.93 else 1.6)))
            row.update(reply=reply, finished_at=clock[0])
        elif status == "declined":
            reason = rng.choice(DECLINES)
            step("decline", "declined", reason)
            row.update(decline_reason=reason)
    if status in ("declined", "withdrawn"):
        row["finished_at"] = clock[0]
        row["decline_reason"] = row["decline_reason"] or (events[-1]["note"] if status == "declined" else "")
    row.update({
        "number": number, "day": day, "seq": seq, "kind": "request", "item_id": item.id, "item_code": item.code,
        "item_name": item.name, "post_id": item.post_id, "channel": channel, "status": status,
        "resident_user_id": None, "resident_name": resident, "resident_phone": phone,
        "id_number": f"120101{rng.randrange(1940, 2005)}0101{rng.randrange(1000):03d}X" if rng.random() < 0.3 else "",
        "aged_70": aged_70, "disabled": disabled, "pregnant": pregnant, "urgent": urgent,
        "priority": 2 if urgent else (1 if (aged_70 or disabled or pregnant) else 0),
        "home_address": f"{rng.randrange(1, 20)}-{rng.randrange(1, 6)}-{rng.randrange(1, 19)}0{rng.randrange(1, 5)}"
        if channel == "home_visit" else "",
        "proxy_name": rng.choice(SURNAMES) + rng.choice(GIVEN) if channel == "proxy" else "",
        "proxy_relation": "子女" if channel == "proxy" else "",
        "details": rng.choice(NOTES), "visits": visits, "idem_key": None, "version": len(events),
        "submitted_at": at, "updated_at": clock[0], "paused_workdays": row.get("paused_workdays", 0),
    })
    rating = None
    if status == "done" and rng.random() < 0.4:
        level = rng.choices([5, 4, 3], weights=[80, 17, 3])[0]
        rating = {"level": level, "channel": "online" if channel in ("online", "api") else "offline",
                  "score_1": level, "score_2": level, "score_3": max(3, level - rng.randrange(2)), "comment": "",
                  "rater": "resident", "rater_user_id": None,
                  "created_at": min(clock[0] + timedelta(hours=rng.uniform(1, 48)), now)}
    return row, events, rating


# Minutes between the previous step and this one (low, high).
GAPS = {"accept": (3, 600), "return": (10, 240), "resubmit_accepted": (600, 4000), "start": (10, 600),
        "complete": (120, 5000), "decline": (30, 2000), "withdraw": (30, 1500)}


def _event(at: datetime, actor: tuple[int | None, str], action: str, from_status: str, to_status: str,
           note: str = "") -> dict:
    return {"at": at, "actor_user_id": actor[0], "actor_name": actor[1], "action": action,
            "from_status": from_status, "to_status": to_status, "note": note}
