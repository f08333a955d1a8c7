"""Rendered pages and fragments kept per worker, keyed by who asks and by change stamps of the tables they show.

Every write to a community table through a session bumps that table's row in `cache_stamps` in the same
transaction, so a cached page is never served after its data changed, in any worker. The CSRF token is cut
out of the stored body and a fresh one for the asking session is put back on every hit."""

from __future__ import annotations

import gzip
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from functools import wraps

from flask import current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Integer, String, bindparam, event, insert, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import clock, preferences
from .tenancy import CommunityBase, tenancy

TOKEN_HOLE = b"\x00csrf-token\x00"
STAMPS_TABLE = "cache_stamps"


class CacheStamp(CommunityBase):
    """How often a community table has been written; a cached page names the tables it shows."""

    __tablename__ = STAMPS_TABLE

    tag: Mapped[str] = mapped_column(String(60), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


# --- bumping the stamps --------------------------------------------------------------------------
# Tables some cached page shows; only their writes are counted (a write to any other table costs nothing).
WATCHED: set[str] = set()


def watch(*tables: str) -> tuple[str, ...]:
    """Declare tables that cached pages show (at import time, before any write)."""
    WATCHED.update(tables)
    return tables


def _community_table(table) -> str | None:
    name = getattr(table, "name", None)
    if name in WATCHED and getattr(table, "metadata", None) is CommunityBase.metadata:
        return name
    return None


def _touched(session: Session) -> set[str]:
    return session.info.setdefault("touched_tables", set())


def pending_writes(session: Session) -> set[str]:
    """The watched tables this session has written (or holds unflushed changes to) since its last commit."""
    unflushed = {_community_table(getattr(obj, "__table__", None))
                 for obj in (*session.new, *session.dirty, *session.deleted)}
    return (set(session.info.get("touched_tables", ())) | unflushed) - {None}


@event.listens_for(Session, "before_flush")
def _note_flushed(session, _flush_context, _instances):
    """Remember which community tables this flush writes."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        name = _community_table(getattr(obj, "__table__", None))
        if name:
            _touched(session).add(name)


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state):
    """Remember which community table an INSERT, UPDATE or DELETE statement writes."""
    if state.is_insert or state.is_update or state.is_delete:
        name = _community_table(getattr(state.statement, "table", None))
        if name:
            _touched(state.session).add(name)


_STAMPS = CacheStamp.__table__
_BUMP = update(_STAMPS).where(_STAMPS.c.tag == bindparam("name")).values(version=_STAMPS.c.version + 1)


@event.listens_for(Session, "before_commit")
def _bump(session):
    """Bump the stamps of every table written, in table-name order (no lock-order deadlocks on PostgreSQL)."""
    if session.in_nested_transaction():
        return   # a savepoint's release: the stamps are bumped once, by the outermost commit
    if not session.info.get("touched_tables") and not session.new and not session.dirty and not session.deleted:
        return
    session.flush()
    touched = session.info.pop("touched_tables", None)
    if not touched:
        return
    names = sorted(touched)
    connection = session.connection()
    for name in names:  # one by one, in order: executemany may not keep the order of the row locks
        if connection.execute(_BUMP, {"name": name}).rowcount == 0:
            connection.execute(insert(_STAMPS).values(tag=name, version=1))


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop("touched_tables", None)


def _end_autocommit(connection) -> None:
    # A connection must never go back to the pool in autocommit: the next session's transactions would not be.
    try:
        connection.driver_connection.autocommit = False
    except Exception:
        connection.invalidate()


def stamps(slug: str | None = None) -> dict[str, int]:
    """Every table's write count in the request's community (or in `slug`), read once per request."""
    slug = slug or g.community.slug
    if g.get("cache_stamps_of") != slug:
        # A plain DB-API read: this runs on every cached request, and the ORM session would cost more than
        # the page it guards (checkout, BEGIN, result objects, ROLLBACK).
        t = tenancy()
        table = f'"{t.schema_name(slug)}".{STAMPS_TABLE}' if t.backend == "postgresql" else STAMPS_TABLE
        connection = t.community_engine(slug).raw_connection()
        try:
            # On PostgreSQL the read runs outside a transaction: no BEGIN before it and no ROLLBACK when the
            # pool takes the connection back, so a cached request costs one round trip instead of three.
            autocommit = t.backend == "postgresql"
            if autocommit:
                connection.driver_connection.autocommit = True
            try:
                cursor = connection.cursor()
                # The table name is ours, not the user's.
                cursor.execute(f"SELECT tag, version FROM {table}")  # nosec B608
                g.cache_stamps, g.cache_stamps_of = dict(cursor.fetchall()), slug
                cursor.close()
            finally:
                if autocommit:
                    _end_autocommit(connection)
        finally:
            connection.close()
    return g.cache_stamps


# --- the store -----------------------------------------------------------------------------------
class PageStore:
    """A least-recently-used map of rendered responses bounded by total bytes, with an age limit."""

    def __init__(self, max_bytes: int, max_age: float):
        self.max_bytes, self.max_age = max_bytes, max_age
        self.entries: OrderedDict[Hashable, tuple[float, int, list, bytes, bool]] = OrderedDict()
        self.compressed: dict[Hashable, bytes] = {}
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry[0] > self.max_age:
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, status: int, headers: list, body: bytes, has_token: bool) -> None:
        if len(body) > self.max_bytes // 8:
            return  # one huge page must not empty the cache
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (time.monotonic(), status, headers, body, has_token)
            self.size += len(body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def gzipped(self, key: Hashable, body: bytes) -> bytes:
        """The body gzip-compressed, compressed once per entry (counted in the bound)."""
        with self.lock:
            found = self.compressed.get(key)
        if found is None:
            found = gzip.compress(body, compresslevel=6, mtime=0)
            with self.lock:
                if key in self.entries and key not in self.compressed:
                    self.compressed[key] = found
                    self.size += len(found)
                    while self.size > self.max_bytes and len(self.entries) > 1:
                        self._drop(next(iter(self.entries)))
        return found

    def _drop(self, key: Hashable) -> None:
        self.size -= len(self.entries.pop(key)[3]) + len(self.compressed.pop(key, b""))

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.compressed.clear()
            self.size = 0


def store() -> PageStore:
    """The page store of the current app (one per worker process)."""
    return current_app.extensions["page_cache"]


def init_app(app) -> None:
    """Attach a page store sized by PAGE_CACHE_BYTES and PAGE_CACHE_SECONDS."""
    app.extensions["page_cache"] = PageStore(app.config["PAGE_CACHE_BYTES"], app.config["PAGE_CACHE_SECONDS"])


# --- the decorator -------------------------------------------------------------------------------
_HX_HEADERS = ("HX-Request", "HX-Boosted", "HX-Target", "HX-History-Restore-Request")
_KEPT_HEADERS = ("Content-Type", "Cache-Control", "Content-Disposition", "HX-Trigger")


def _key(tables: Iterable[str], extra: Hashable, minute: bool) -> Hashable:
    from flask_babel import get_locale

    found = stamps()
    user = current_user.get_id() if current_user.is_authenticated else None
    return (request.endpoint, request.host, request.scheme, request.path, request.query_string,
            str(get_locale()), preferences.elderly_mode(), tuple(request.headers.get(h) for h in _HX_HEADERS),
            g.community.id, user, tuple(sorted(g.get("roles", ()))), tuple(found.get(t, 0) for t in tables),
            extra, int(clock.timestamp() // 60) if minute else None)


GZIP_MIN_BYTES = 2048


def _served(key: Hashable, entry) -> object:
    _at, status, headers, body, has_token = entry
    compressible = not has_token and len(body) >= GZIP_MIN_BYTES
    gzipped = compressible and request.accept_encodings["gzip"] > 0     # "gzip;q=0" refuses it
    if has_token:
        body = body.replace(TOKEN_HOLE, generate_csrf().encode())
    elif gzipped:   # compressed once and kept: an Open311 list of 1,000 requests is 700 kB, 40 kB gzipped
        body = store().gzipped(key, body)
    response = make_response(body, status)
    for name, value in headers:
        response.headers[name] = value
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    if compressible:
        response.vary.add("Accept-Encoding")
    return response


def serve(tables: Iterable[str], produce: Callable[[], object], stamp: Hashable = None, minute: bool = False):
    """The response of produce(), from the page store while the named tables of g.community and stamp are unchanged.

    `minute=True` for what depends on the clock (overdue, on duty now, the last 90 days). Never for pages
    holding per-render keys (idem keys): every visitor would get the same one."""
    if request.method != "GET" or not current_app.config["PAGE_CACHE"] or "_flashes" in session:
        return produce()
    if not WATCHED.issuperset(tables):     # a table declared too late would miss the writes made before
        raise RuntimeError(f"declare {tables} with pagecache.watch() at import time")
    key = _key(tables, stamp, minute)
    entry = store().get(key)
    if entry is not None:
        return _served(key, entry)
    before = {k: v for k, v in session.items() if k != "csrf_token"}
    response = make_response(produce())
    after = {k: v for k, v in session.items() if k != "csrf_token"}
    if response.status_code == 200 and before == after and not response.direct_passthrough \
            and "Set-Cookie" not in response.headers:
        body = response.get_data()
        token = g.get("csrf_token")
        has_token = bool(token) and token.encode() in body
        if has_token:
            body = body.replace(token.encode(), TOKEN_HOLE)
        headers = [(h, response.headers[h]) for h in _KEPT_HEADERS if h in response.headers]
        store().put(key, response.status_code, headers, body, has_token)
    return response


def cached(tables: Iterable[str], minute: bool = False):
    """serve() for a whole GET view; put it under the community decorator, which sets g.community."""
    tables = watch(*tables)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return serve(tables, lambda: view(*args, **kwargs), minute=minute)

        return wrapped

    return decorator
