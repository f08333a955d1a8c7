"""Volunteer service certificates (志愿服务证明): requesting, issuing with a gapless number, revoking, finding."""

from __future__ import annotations

import json
from datetime import UTC
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from .. import audit
from ..errors import HallError
from ..tenancy import Community, utcnow
from .certificate_models import Certificate, CertificateCounter, CertificateRequest
from .ledger import person
from .ledger_models import LedgerEntry, LedgerMovement
from .stars import service_minutes
from .ties import reference_title
from .volunteer_models import Volunteer

REFERENCE_KINDS = {"activity": _l("Activity"), "order": _l("Service order"), "ticket": _l("Ticket")}


def _write_lock(session: Session) -> None:
    # A fresh transaction holding SQLite's write lock from its first statement, so the number read is current.
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def record_label(record: dict) -> str:
    """A frozen record's reference for people: "活动：重阳节慰问" or "活动 #12" when it had no title."""
    kind, _sep, ident = (record.get("reference") or "").partition(":")
    name = str(REFERENCE_KINDS.get(kind, kind))
    if record.get("title"):
        return _("%(kind)s: %(title)s", kind=name, title=record["title"])
    return _("%(kind)s #%(id)s", kind=name, id=ident)


def service_records(session: Session, user_id: int, zone: str = "Asia/Shanghai") -> list[dict]:
    """The person's service credits that were not reversed, oldest first, as frozen records."""
    reversal = aliased(LedgerMovement)
    rows = session.execute(
        select(LedgerMovement.created_at, LedgerMovement.reference, LedgerEntry.amount)
        .join(LedgerEntry, LedgerEntry.movement_id == LedgerMovement.id)
        .where(LedgerMovement.kind == "credit_service", LedgerEntry.account == person(user_id),
               ~exists().where(reversal.reverses_movement_id == LedgerMovement.id))
        .order_by(LedgerMovement.created_at, LedgerMovement.id))
    tz = ZoneInfo(zone)
    return [{"date": _local(at, tz).strftime("%Y-%m-%d"), "reference": reference,
             "title": reference_title(session, reference), "minutes": amount} for at, reference, amount in rows]


def _local(at, tz):
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz)


def _bump(session: Session, year: int) -> int:
    # Upsert of the year's counter row in the issuing transaction: SQLite holds the write lock (BEGIN IMMEDIATE);
    # PostgreSQL's ON CONFLICT DO UPDATE locks the row until commit, so concurrent issues queue up on it.
    table = CertificateCounter.__table__
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    stmt = upsert(table).values(year=year, last=1).on_conflict_do_update(
        index_elements=[table.c.year], set_={"last": table.c.last + 1})
    return session.execute(stmt.returning(table.c.last)).scalar_one()


def issue(session: Session, community: Community, volunteer_id: int, issuer) -> Certificate:
    """Issue a certificate to an approved volunteer, freezing their confirmed hours and records as of now.

    `issuer` has .user_id and .name (as the ledger's actor)."""
    _write_lock(session)
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.status != "approved":
        session.rollback()
        raise HallError(_l("Certificates are issued only to approved volunteers."), "volunteer")
    total = service_minutes(session, volunteer.user_id)
    if total <= 0:
        session.rollback()
        raise HallError(_l("This volunteer has no confirmed service hours yet."), "volunteer")
    now = utcnow()
    local = now.astimezone(ZoneInfo(community.timezone))
    seq = _bump(session, local.year)
    certificate = Certificate(
        year=local.year, seq=seq, number=f"{community.slug.upper()}-Z-{local.year}-{seq:04d}",
        volunteer_id=volunteer.id, volunteer_name=volunteer.real_name, volunteer_number=volunteer.number,
        masked_id_number=volunteer.masked_id_number, total_minutes=total,
        records=json.dumps(service_records(session, volunteer.user_id, community.timezone), ensure_ascii=False),
        community_name=community.name, issue_date=local.date(), issued_at=now,
        issuer_user_id=getattr(issuer, "user_id", None), issuer_name=(getattr(issuer, "name", "") or "")[:100],
        status="issued", revoke_reason="")
    session.add(certificate)
    session.flush()
    session.execute(update(CertificateRequest).where(CertificateRequest.volunteer_id == volunteer.id,
                                                     CertificateRequest.certificate_id.is_(None))
                    .values(certificate_id=certificate.id))
    audit.record(session, certificate.issuer_user_id, "timebank.certificate_issue",
                 f"{certificate.number} for {volunteer.number}")
    session.commit()
    return certificate


def request_certificate(session: Session, volunteer: Volunteer | None) -> CertificateRequest:
    """A volunteer asks the station for a certificate; the head issues it (one request waits at a time)."""
    if volunteer is None or volunteer.status != "approved":
        raise HallError(_l("Certificates are issued only to approved volunteers."))
    if service_minutes(session, volunteer.user_id) <= 0:
        raise HallError(_l("You have no confirmed service hours yet, so there is nothing to certify."))
    _write_lock(session)
    if pending_request(session, volunteer.id) is not None:
        session.rollback()
        raise HallError(_l("Your request is already with the station head."))
    row = CertificateRequest(volunteer_id=volunteer.id, requested_at=utcnow())
    session.add(row)
    session.commit()
    return row


def pending_request(session: Session, volunteer_id: int) -> CertificateRequest | None:
    """The volunteer's request still waiting for a certificate, if any."""
    return session.scalar(select(CertificateRequest).where(CertificateRequest.volunteer_id == volunteer_id,
                                                           CertificateRequest.certificate_id.is_(None)))


def pending_requests(session: Session) -> list[tuple[CertificateRequest, Volunteer]]:
    """Requests waiting for the head, oldest first, with their volunteers."""
    return list(session.execute(
        select(CertificateRequest, Volunteer).join(Volunteer, Volunteer.id == CertificateRequest.volunteer_id)
        .where(CertificateRequest.certificate_id.is_(None)).order_by(CertificateRequest.requested_at)))


def revoke(session: Session, number: str, reason: str, actor_user_id: int | None) -> Certificate:
    """Revoke an issued certificate with a reason; the public check then says it is revoked and why."""
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 500:
        raise HallError(_l("Give a reason for revoking (2 to 500 characters)."), "reason")
    _write_lock(session)
    certificate = by_number(session, number)
    if certificate is None or certificate.status != "issued":
        session.rollback()
        raise HallError(_l("This certificate has already been revoked."))
    certificate.status = "revoked"
    certificate.revoked_at = utcnow()
    certificate.revoked_by = actor_user_id
    certificate.revoke_reason = reason
    audit.record(session, actor_user_id, "timebank.certificate_revoke", f"{certificate.number}: {reason}"[:4000])
    session.commit()
    return certificate


def by_number(session: Session, number: str) -> Certificate | None:
    """A certificate by its number (case-insensitive)."""
    return session.scalar(select(Certificate).where(Certificate.number == (number or "").strip().upper()))


def certificates(session: Session, volunteer_id: int | None = None) -> list[Certificate]:
    """Certificates, newest first; only one volunteer's when given."""
    stmt = select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    if volunteer_id is not None:
        stmt = stmt.where(Certificate.volunteer_id == volunteer_id)
    return list(session.scalars(stmt))

