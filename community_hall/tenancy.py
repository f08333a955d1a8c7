"""Community registry <-> one database per community (SQLite file or PostgreSQL schema)."""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from datetime import datetime

from flask import current_app, g, has_app_context
from sqlalchemy import DateTime, Integer, MetaData, String, create_engine, event, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import QueuePool
from sqlalchemy.util import LRUCache

from .clock import utcnow  # noqa: F401 - the one clock, re-exported where the models always found it

# Placeholder schema names; schema_translate_map turns them into real ones per backend.
REGISTRY_SCHEMA = "hall"
COMMUNITY_SCHEMA = "community"

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$")


class RegistryBase(DeclarativeBase):
    """Tables that span communities (the registry)."""

    metadata = MetaData(schema=REGISTRY_SCHEMA)


class CommunityBase(DeclarativeBase):
    """Tables that live in each community's own database."""

    metadata = MetaData(schema=COMMUNITY_SCHEMA)


class Community(RegistryBase):
    """A community (社区) known to the site; its records live in its own database."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(100))
    households: Mapped[int] = mapped_column(Integer, default=0)
    residents: Mapped[int] = mapped_column(Integer, default=0)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def valid_slug(slug: str) -> bool:
    """True when slug is 2-40 chars of a-z, 0-9 and '-', not starting or ending with '-'."""
    return bool(SLUG_RE.match(slug or ""))


def _sqlite_pragmas(dbapi_connection, _record):
    # Take over transaction control from pysqlite so BEGIN (IMMEDIATE) is ours to emit.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


# A pooled PostgreSQL connection idle longer than this is pinged before use (a restarted server, a dropped link).
PING_AFTER_IDLE = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection only after it sat idle, instead of before every checkout (pool_pre_ping).

    Under load a connection is checked out again within milliseconds, and a ping on each checkout was a
    round trip on every request (a cached page's only other one is its stamp read).
    """
    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get("idle_since", time.monotonic()) < PING_AFTER_IDLE:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as err:
            # The pool drops this connection and checks out a fresh one.
            raise DisconnectionError(str(err)) from err


def _sqlite_begin(conn):
    # Writers that allocate numbers ask for IMMEDIATE so two of them never read the same maximum.
    mode = conn.get_execution_options().get("sqlite_begin", "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


class Tenancy:
    """Opens the registry and community databases; community engines are cached with a bound."""

    def __init__(self, data_dir: str, database_url: str | None = None, cache_size: int = 64):
        self.data_dir = data_dir
        self.database_url = database_url or None
        self.cache_size = cache_size
        self.backend = "postgresql" if self.database_url else "sqlite"
        self._lock = threading.Lock()
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self.communities: dict[str, tuple[float, Community]] = {}   # slug -> (read at, detached row)
        self._community_dialect = None
        # SQL compiled once serves every community: its cache key holds the dialect, which they share.
        self._compiled_cache = LRUCache(1000)
        if self.backend == "postgresql":
            self._pg = create_engine(self.database_url, pool_size=5, max_overflow=10)
            _ping_when_idle(self._pg)
            self.registry_engine = self._pg.execution_options(
                schema_translate_map={REGISTRY_SCHEMA: REGISTRY_SCHEMA, COMMUNITY_SCHEMA: None}
            )
        else:
            self._pg = None
            os.makedirs(os.path.join(data_dir, "communities"), exist_ok=True)
            self.registry_engine = self._sqlite_engine(os.path.join(data_dir, "hall.sqlite3"), REGISTRY_SCHEMA)

    # --- engines -----------------------------------------------------------------------------
    def _sqlite_engine(self, path: str, placeholder: str) -> Engine:
        engine = create_engine(f"sqlite:///{path}", pool_size=2, max_overflow=8)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine.execution_options(schema_translate_map={placeholder: None})

    def _community_sqlite_engine(self, path: str) -> Engine:
        # A cold community costs a pool, not a dialect: every community engine shares one dialect (set up once,
        # on an in-memory database) and one compiled-statement cache, so no query is compiled again per community
        # and an engine holds little besides its pool.
        if self._community_dialect is None:
            first = create_engine("sqlite://")
            with first.connect():
                pass
            self._community_dialect = first.dialect
            first.dispose()
        dialect = self._community_dialect
        url = make_url(f"sqlite:///{path}")
        cargs, cparams = dialect.create_connect_args(url)
        pool = QueuePool(lambda: dialect.connect(*cargs, **cparams), pool_size=2, max_overflow=8, dialect=dialect)
        on_connect = dialect.on_connect_url(url)
        if on_connect is not None:
            event.listen(pool, "connect", lambda dbapi_connection, _record: on_connect(dbapi_connection))
        event.listen(pool, "connect", _sqlite_pragmas)
        engine = Engine(pool, dialect, url)
        event.listen(engine, "begin", _sqlite_begin)
        return engine.execution_options(schema_translate_map={COMMUNITY_SCHEMA: None},
                                        compiled_cache=self._compiled_cache)

    def schema_name(self, slug: str) -> str:
        """PostgreSQL schema of a community ('-' becomes '_', which slugs never contain)."""
        return "c_" + slug.replace("-", "_")

    def community_path(self, slug: str) -> str:
        """SQLite file of a community."""
        return os.path.join(self.data_dir, "communities", f"{slug}.sqlite3")

    def community_engine(self, slug: str) -> Engine:
        """Engine for one community, opened lazily and kept in a bounded LRU cache."""
        if not valid_slug(slug):
            raise ValueError(f"invalid community slug: {slug!r}")
        with self._lock:
            engine = self._engines.get(slug)
            if engine is not None:
                self._engines.move_to_end(slug)
                return engine
            if self._pg is not None:
                engine = self._pg.execution_options(
                    schema_translate_map={COMMUNITY_SCHEMA: self.schema_name(slug), REGISTRY_SCHEMA: REGISTRY_SCHEMA}
                )
            else:
                engine = self._community_sqlite_engine(self.community_path(slug))
            self._engines[slug] = engine
            while len(self._engines) > self.cache_size:
                _, old = self._engines.popitem(last=False)
                if self._pg is None:
                    old.dispose()
            return engine

    def cached_slugs(self) -> list[str]:
        """Slugs whose engines are open now, least recently used first."""
        with self._lock:
            return list(self._engines)

    def migration_engine(self) -> Engine:
        """Engine without schema translation, for Alembic (which sets search_path itself)."""
        return self._pg if self._pg is not None else self.registry_engine

    # --- storage -----------------------------------------------------------------------------
    def storage_exists(self, slug: str) -> bool:
        """True when the community's database exists (its file, or its schema on PostgreSQL)."""
        if self._pg is None:
            return os.path.exists(self.community_path(slug))
        with self._pg.connect() as conn:
            return conn.execute(text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                                {"s": self.schema_name(slug)}).first() is not None

    def create_storage(self, slug: str) -> None:
        """Create the empty database of a community (a schema on PostgreSQL; the file is made on connect)."""
        if self._pg is not None:
            with self._pg.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema_name(slug)}"'))

    def drop_storage(self, slug: str) -> None:
        """Remove a community's database entirely (used to undo a failed creation)."""
        self.communities.pop(slug, None)
        with self._lock:
            engine = self._engines.pop(slug, None)
        if self._pg is not None:
            with self._pg.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema_name(slug)}" CASCADE'))
            return
        if engine is not None:
            engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            path = self.community_path(slug) + suffix
            if os.path.exists(path):
                os.remove(path)

    def create_registry_storage(self) -> None:
        """Create the registry schema on PostgreSQL (the SQLite file is made on connect)."""
        if self._pg is not None:
            with self._pg.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{REGISTRY_SCHEMA}"'))

    def dispose(self) -> None:
        """Close every pool."""
        self.communities.clear()
        with self._lock:
            engines = list(self._engines.values())
            self._engines.clear()
        for engine in engines:
            engine.dispose()
        self.registry_engine.dispose()
        if self._pg is not None:
            self._pg.dispose()


# --- per-request sessions --------------------------------------------------------------------
def tenancy() -> Tenancy:
    """The Tenancy of the current app."""
    return current_app.extensions["tenancy"]


def registry_session() -> Session:
    """The registry session of the current app context (closed at teardown)."""
    if "registry_session" not in g:
        g.registry_session = Session(bind=tenancy().registry_engine, expire_on_commit=False)
    return g.registry_session


def community_session(slug: str) -> Session:
    """The session of one community's database for the current app context (closed at teardown)."""
    sessions = g.setdefault("community_sessions", {})
    if slug not in sessions:
        sessions[slug] = Session(bind=tenancy().community_engine(slug), expire_on_commit=False)
    return sessions[slug]


def close_sessions(_exc=None) -> None:
    """Close every session opened in this app context."""
    session = g.pop("registry_session", None)
    if session is not None:
        session.close()
    for session in g.pop("community_sessions", {}).values():
        session.close()


COMMUNITY_CACHE_SECONDS = 10.0


def get_community(slug: str) -> Community | None:
    """The registered community with this slug, or None; kept a few seconds per worker (read on every request)."""
    if not valid_slug(slug):
        return None
    known = tenancy().communities
    found = known.get(slug)
    if found is not None and time.monotonic() - found[0] < COMMUNITY_CACHE_SECONDS:
        return found[1]
    community = registry_session().scalar(select(Community).where(Community.slug == slug))
    if community is not None:
        registry_session().expunge(community)   # shared, read-only, by later requests of this worker
        known[slug] = (time.monotonic(), community)
    return community


@event.listens_for(Session, "before_flush")
def _forget_changed_communities(session, _context, _instances):
    """A community created, changed or removed in this process is read afresh by the next request."""
    if any(isinstance(obj, Community) for obj in (*session.new, *session.dirty, *session.deleted)):
        if has_app_context():
            tenancy().communities.clear()


def all_communities() -> list[Community]:
    """Every registered community, by slug (slugs are pinyin, so this is the order Chinese readers expect)."""
    return registry_session().query(Community).order_by(Community.slug).all()


def init_app(app) -> Tenancy:
    """Attach a Tenancy built from the app's config."""
    t = Tenancy(app.config["HALL_DATA_DIR"], app.config.get("DATABASE_URL"),
                app.config.get("COMMUNITY_ENGINE_CACHE", 64))
    app.extensions["tenancy"] = t
    app.teardown_appcontext(close_sessions)
    return t
