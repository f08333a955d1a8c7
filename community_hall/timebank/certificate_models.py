"""Volunteer service certificates (志愿服务证明): what they certify is frozen when they are issued."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..formatting import decimal_hours
from ..tenancy import CommunityBase, utcnow

CERTIFICATE_STATES = ("issued", "revoked")


class CertificateCounter(CommunityBase):
    """The last certificate number given out in a year (bumped in the issuing transaction: no gaps or doubles)."""

    __tablename__ = "certificate_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Certificate(CommunityBase):
    """An issued certificate: number <SLUG>-Z-<year>-NNNN and a copy of everything it certifies.

    Never recomputed: a later reversal in the ledger does not change what an issued certificate says.
    Only the masked ID number is kept, never the full one."""

    __tablename__ = "volunteer_certificates"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_volunteer_certificates_year_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    volunteer_name: Mapped[str] = mapped_column(String(50))
    volunteer_number: Mapped[str] = mapped_column(String(40))
    masked_id_number: Mapped[str] = mapped_column(String(18), default="")
    total_minutes: Mapped[int] = mapped_column(Integer)
    records: Mapped[str] = mapped_column(Text)      # JSON: [{"date", "reference", "title", "minutes"}, …]
    community_name: Mapped[str] = mapped_column(String(100))
    issue_date: Mapped[date] = mapped_column(Date)  # the community's local date
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    issuer_user_id: Mapped[int | None] = mapped_column(Integer)
    issuer_name: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(10), default="issued")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[int | None] = mapped_column(Integer)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    @property
    def record_list(self) -> list[dict]:
        """The service records as frozen at issue time."""
        return json.loads(self.records or "[]")

    @property
    def public_name(self) -> str:
        """Surname and stars (王**) for the public check: numbers can be guessed, the paper shows the full name."""
        name = self.volunteer_name or ""
        return name[:1] + "*" * max(len(name) - 1, 1) if name else ""

    @property
    def hours(self) -> str:
        """Total hours with at most two decimals (12, 12.5, 12.25)."""
        return decimal_hours(self.total_minutes)


class CertificateRequest(CommunityBase):
    """A volunteer's request for a certificate, waiting for the head (answered by the certificate issued)."""

    __tablename__ = "certificate_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_certificates.id"))


