"""What service credits are for: the confirmed activity sign-up or order holding each, and the title it names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..window.services import request_ticket
from .activity_models import Activity, ActivitySignup
from .order_models import Order


def tied_credits(session: Session) -> dict[int, str]:
    """Movement id -> the reference its confirmed activity sign-up or confirmed order stored it under."""
    tied = {mid: f"activity:{aid}" for mid, aid in session.execute(
        select(ActivitySignup.movement_id, Activity.id).join(Activity, Activity.id == ActivitySignup.activity_id)
        .where(ActivitySignup.movement_id.is_not(None), ActivitySignup.status == "attended",
               Activity.status == "confirmed"))}
    tied.update({mid: f"order:{oid}" for mid, oid in session.execute(
        select(Order.credit_movement_id, Order.id)
        .where(Order.credit_movement_id.is_not(None), Order.status == "confirmed"))})
    return tied


def untied_credits(session: Session, movements) -> list[str]:
    """A problem line for each credit_service movement that no confirmed activity sign-up or order holds."""
    tied = tied_credits(session)
    return [f"movement {m.id}: credit for {m.reference} is not held by a confirmed activity sign-up or order "
            "(finish the confirmation, or reverse the credit)"
            for m in movements if m.kind == "credit_service" and tied.get(m.id) != m.reference]


def reference_title(session: Session, reference: str) -> str:
    """What a credit was for, in words: the activity's title, the ordered service or the ticket's item ("" if gone)."""
    kind, _sep, ident = (reference or "").partition(":")
    if not ident.isdigit():
        return ""
    if kind == "activity":
        activity = session.get(Activity, int(ident))
        return activity.title if activity is not None else ""
    if kind == "order":
        order = session.get(Order, int(ident))
        return order.item_name if order is not None else ""
    if kind == "ticket":
        ticket = request_ticket(session, int(ident))   # a complaint's number says nothing on a statement
        return ticket.item_name if ticket is not None else ""
    return ""
