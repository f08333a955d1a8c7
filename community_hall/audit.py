"""Append-only, hash-chained audit logs: one per community (community actions) and one for the site (sign-ins).

Each row carries who (actor_user_id), when (at), from where (ip: the request's address, "cli" or "system"),
what (action, detail) and a SHA-256 `hash` over the previous row's hash and its own fields, so a changed,
inserted or removed row breaks the chain. The hash is computed at flush, inside the writing transaction, after
taking the chain's head row (`audit_chain`) for update: on SQLite that write takes the database's write lock, on
PostgreSQL the row lock; either way two writers never link to the same predecessor. The head also holds the
last hash and the row count, so removing the newest rows is noticed too. UPDATE and DELETE of audit rows are
refused by the ORM here and by triggers in the database (migrations c0021 and r0003).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import click
from flask import has_request_context, request
from sqlalchemy import DateTime, Index, Integer, String, Text, event, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from .tenancy import CommunityBase, RegistryBase, utcnow

GENESIS = ""    # prev_hash of the first row of a chain
CHAIN_ROW = 1   # id of the one row of a chain-head table


class AppendOnlyError(RuntimeError):
    """Somebody tried to change or remove an audit row."""


class _AuditColumns:
    """Columns shared by both logs."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    @declared_attr.directive
    def __table_args__(cls):
        return (Index(f"ix_{cls.__tablename__}_at", "at"),)


class _ChainColumns:
    """The head of a chain: its last hash and how many rows it has."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default="")


class AuditEvent(_AuditColumns, CommunityBase):
    """Who did what, when, from where, in this community."""

    __tablename__ = "audit_log"


class AuditChain(_ChainColumns, CommunityBase):
    """Head of this community's audit chain (one row)."""

    __tablename__ = "audit_chain"


class SiteAuditEvent(_AuditColumns, RegistryBase):
    """Who signed in, failed to, signed out or changed a password, and site-wide exports (registry)."""

    __tablename__ = "site_audit_log"


class SiteAuditChain(_ChainColumns, RegistryBase):
    """Head of the site's audit chain (one row)."""

    __tablename__ = "site_audit_chain"


CHAINS = {AuditEvent: AuditChain, SiteAuditEvent: SiteAuditChain}


def origin() -> str:
    """From where the current action comes: the request's address, "cli" for admin commands, else "system"."""
    if has_request_context():
        return (request.remote_addr or "")[:64]
    if click.get_current_context(silent=True) is not None:
        return "cli"
    return "system"


def record(session: Session, actor_id: int | None, action: str, detail: str = "", ip: str | None = None) -> None:
    """Add an audit event to a community session (committed with the change it describes)."""
    session.add(AuditEvent(actor_user_id=actor_id, action=action, detail=detail, ip=origin() if ip is None else ip))


def record_site(session: Session, actor_id: int | None, action: str, detail: str = "", ip: str | None = None) -> None:
    """Add an event to the site's audit log (a registry session)."""
    session.add(SiteAuditEvent(actor_user_id=actor_id, action=action, detail=detail,
                               ip=origin() if ip is None else ip))


def record_apart(bind, actor_id: int | None, action: str, detail: str = "", site: bool = False) -> None:
    """Record an event in a short transaction of its own on bind (a community engine, or the registry's with site).

    For requests that only read (exports, reports, sign-ins): on SQLite a transaction that has read cannot take
    the write lock once another writer has committed since ("database is locked" at once), while a transaction
    whose first statement writes waits for the lock."""
    with Session(bind=bind) as session:
        (record_site if site else record)(session, actor_id, action, detail)
        session.commit()


# --- the chain -----------------------------------------------------------------------------------
def _when(at: datetime) -> str:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(prev_hash: str, at: datetime, actor_user_id: int | None, action: str, detail: str, ip: str) -> str:
    """SHA-256 (hex) of the previous hash and a row's fields, in one canonical JSON form."""
    canonical = json.dumps([prev_hash, _when(at), actor_user_id, action, detail or "", ip or ""],
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _take_head(connection, chain_table, added: int) -> tuple[str, int]:
    """Lock the chain's head (creating it on first use), count the rows added; the previous hash and count."""
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(insert(chain_table).values(id=CHAIN_ROW, n=0, hash=GENESIS)
                       .on_conflict_do_nothing(index_elements=["id"]))
    n, last = connection.execute(update(chain_table).where(chain_table.c.id == CHAIN_ROW)
                                 .values(n=chain_table.c.n + added)
                                 .returning(chain_table.c.n, chain_table.c.hash)).one()
    return last, n - added


@event.listens_for(Session, "before_flush")
def _chain(session, _context, _instances):
    """Refuse changes to audit rows; link new ones to the chain under the head's lock."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, _AuditColumns) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__tablename__} is append-only")
    for model, chain in CHAINS.items():
        new = [obj for obj in session.new if isinstance(obj, model)]
        if not new:
            continue
        new.sort(key=lambda obj: sa_inspect(obj).insert_order)   # the order in which they are inserted
        connection = session.connection()
        prev, _n = _take_head(connection, chain.__table__, len(new))
        for obj in new:
            obj.at = obj.at or utcnow()
            obj.detail = obj.detail or ""
            obj.ip = obj.ip or ""
            obj.prev_hash = prev
            obj.hash = prev = row_hash(prev, obj.at, obj.actor_user_id, obj.action, obj.detail, obj.ip)
        connection.execute(update(chain.__table__).where(chain.__table__.c.id == CHAIN_ROW).values(hash=prev))


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state):
    """UPDATE and DELETE statements on audit rows are refused as well."""
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and getattr(table, "name", None) in ("audit_log", "site_audit_log"):
        raise AppendOnlyError(f"{table.name} is append-only")


# --- checking ------------------------------------------------------------------------------------
@dataclass
class Break:
    """The first place a chain does not hold."""

    row_id: int | None
    reason: str


def verify(connection, model=AuditEvent) -> tuple[int, Break | None]:
    """Walk a chain in id order: (rows checked, the first break or None)."""
    table, chain = model.__table__, CHAINS[model].__table__
    prev, count = GENESIS, 0
    result = connection.execute(
        select(table.c.id, table.c.at, table.c.actor_user_id, table.c.action, table.c.detail, table.c.ip,
               table.c.prev_hash, table.c.hash).order_by(table.c.id))
    for row in result:
        if row.prev_hash != prev:
            result.close()
            return count, Break(row.id, "does not follow the previous row (a row before it was removed or changed)")
        if row_hash(row.prev_hash, row.at, row.actor_user_id, row.action, row.detail, row.ip) != row.hash:
            result.close()
            return count, Break(row.id, "its contents do not match its hash (the row was changed)")
        prev, count = row.hash, count + 1
    head = connection.execute(select(chain.c.n, chain.c.hash).where(chain.c.id == CHAIN_ROW)).first()
    n, last = (head.n, head.hash) if head is not None else (0, GENESIS)
    if (n, last) != (count, prev):
        return count, Break(None, f"the chain's head names {n} rows ending in {last[:12] or '-'}, but {count} rows "
                                  f"ending in {prev[:12] or '-'} are there (the newest rows were removed)")
    return count, None
