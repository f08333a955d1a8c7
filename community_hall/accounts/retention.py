"""How long a community keeps personal details of finished records (保存期限), and the sweep that anonymises them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, Integer, String, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..audit import record
from ..errors import HallError
from ..floor.models import QueueNumber
from ..tenancy import CommunityBase, utcnow
from ..window.models import CLOSED_STATES, Ticket
from . import personal_data

# kind -> default months. The seeds name no period (社区档案 follow 城市社区档案管理办法 without one for personal
# details), so: three years for what may be asked about again (tickets, complaints, visits), one year for
# appointments, three months for queue numbers.
DEFAULT_MONTHS = {"tickets": 36, "complaints": 36, "home_visits": 36, "appointments": 12, "queue_numbers": 3}
KIND_LABELS = {
    "tickets": _l("Closed tickets"),
    "complaints": _l("Closed complaints and unresolved-matter reports"),
    "home_visits": _l("Finished home visits"),
    "appointments": _l("Past appointments"),
    "queue_numbers": _l("Queue numbers"),
}
MIN_MONTHS, MAX_MONTHS = 1, 600
DAYS_PER_MONTH = 30


class RetentionSetting(CommunityBase):
    """How many months personal details of one kind of finished record are kept before they are anonymised."""

    __tablename__ = "retention_settings"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    months: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def months_by_kind(session: Session) -> dict[str, int]:
    """The community's periods, the default where it set none."""
    stored = {row.kind: row.months for row in session.scalars(select(RetentionSetting))}
    return {kind: stored.get(kind, default) for kind, default in DEFAULT_MONTHS.items()}


def save(session: Session, values: dict[str, int | None], user_id: int) -> dict[str, int]:
    """Store the periods (whole months, 1-600, every kind); HallError and nothing stored when one is wrong."""
    for kind in DEFAULT_MONTHS:
        value = values.get(kind)
        if not isinstance(value, int) or isinstance(value, bool) or not MIN_MONTHS <= value <= MAX_MONTHS:
            raise HallError(_l("Give a whole number of months from 1 to 600."), kind)
    for kind in DEFAULT_MONTHS:
        row = session.get(RetentionSetting, kind)
        if row is None:
            row = RetentionSetting(kind=kind, months=values[kind])
            session.add(row)
        row.months, row.updated_by, row.updated_at = values[kind], user_id, utcnow()
    record(session, user_id, "privacy.retention_settings",
           ",".join(f"{kind}={values[kind]}" for kind in DEFAULT_MONTHS))
    session.commit()
    return months_by_kind(session)


@dataclass
class SweepResult:
    """How many records of each kind were (or, in a dry run, would be) anonymised."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        """All kinds together."""
        return sum(self.counts.values())


def sweep(session: Session, now: datetime | None = None, dry_run: bool = False) -> SweepResult:
    """Anonymise records past their community's retention period with the same functions as a deletion."""
    from ..appointments.models import Appointment
    from ..visits.models import HomeVisit

    now = now or utcnow()
    months = months_by_kind(session)

    def cutoff(kind: str) -> datetime:
        return now - timedelta(days=months[kind] * DAYS_PER_MONTH)

    not_done = or_(Ticket.resident_name != personal_data.PLACEHOLDER_NAME, Ticket.resident_phone != "")
    counts = {}
    for kind, kinds in (("tickets", ("request",)), ("complaints", ("complaint", "unresolved"))):
        tickets = list(session.scalars(select(Ticket).where(
            Ticket.kind.in_(kinds), Ticket.status.in_(CLOSED_STATES), Ticket.finished_at < cutoff(kind), not_done)))
        counts[kind] = len(tickets) if dry_run else sum(personal_data.anonymise_ticket(session, t) for t in tickets)
    visits = list(session.scalars(select(HomeVisit).where(
        HomeVisit.visited_at < cutoff("home_visits"), HomeVisit.outcome != "not_home", HomeVisit.outcome != "",
        or_(HomeVisit.building != "", HomeVisit.outcome_note != ""))))
    counts["home_visits"] = len(visits) if dry_run else sum(personal_data.anonymise_visit(v) for v in visits)
    appointments = list(session.scalars(select(Appointment).where(
        Appointment.day < cutoff("appointments").date(),
        or_(Appointment.name != personal_data.PLACEHOLDER_NAME, Appointment.phone != ""))))
    counts["appointments"] = len(appointments) if dry_run else \
        sum(personal_data.anonymise_appointment(a) for a in appointments)
    numbers = list(session.scalars(select(QueueNumber).where(
        QueueNumber.issued_at < cutoff("queue_numbers"),
        or_(QueueNumber.ticket_id.is_not(None), QueueNumber.appointment_id.is_not(None)))))
    counts["queue_numbers"] = len(numbers) if dry_run else \
        sum(personal_data.anonymise_queue_number(n) for n in numbers)
    result = SweepResult(counts)
    if dry_run:
        session.rollback()
    else:
        if result.total:
            record(session, None, "privacy.retention",
                   ",".join(f"{kind}={count}" for kind, count in counts.items()))
        session.commit()
    return result
