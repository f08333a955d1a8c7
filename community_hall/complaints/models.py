"""What a complaint or a 办不成事反映 is about and who handles it; the ticket itself is a window Ticket."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import CommunityBase

ABOUT = ("service", "staff", "head")
HANDLER_LEVELS = ("head", "district")   # district: the complaint is about the head


class Complaint(CommunityBase):
    """The complaint-specific part of a ticket of kind complaint or unresolved."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    about: Mapped[str] = mapped_column(String(20))
    about_item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id", ondelete="SET NULL"))
    about_item_name: Mapped[str] = mapped_column(String(100), default="")   # kept, the item may change later
    about_ticket_number: Mapped[str] = mapped_column(String(60), default="")
    about_user_id: Mapped[int | None] = mapped_column(Integer)
    about_name: Mapped[str] = mapped_column(String(100), default="")
    handler_level: Mapped[str] = mapped_column(String(20), index=True)
    where_tried: Mapped[str] = mapped_column(Text, default="")
