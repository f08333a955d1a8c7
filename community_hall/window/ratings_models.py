"""Ratings (好差评) of finished tickets, the follow-ups (回访整改) of bad ones, and in-app notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import CommunityBase, utcnow

RATING_CHANNELS = ("offline", "online")
RATERS = ("resident", "staff_on_behalf")
# open -> contacted (回访) -> verified (核实) -> rectified (整改) -> closed (答复办结)
FOLLOWUP_STATES = ("open", "contacted", "verified", "rectified", "closed")


class Rating(CommunityBase):
    """The one rating of a finished ticket: a level 1-5, three sub-scores named by channel, a comment."""

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="ck_ratings_level"),
        CheckConstraint("score_1 BETWEEN 1 AND 5 AND score_2 BETWEEN 1 AND 5 AND score_3 BETWEEN 1 AND 5",
                        name="ck_ratings_scores"),
        Index("ix_ratings_created_level", "created_at", "level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    level: Mapped[int] = mapped_column(Integer)         # 5 非常满意 … 1 非常不满意
    channel: Mapped[str] = mapped_column(String(10))    # "offline" | "online": which sub-scores apply
    score_1: Mapped[int] = mapped_column(Integer)       # offline 服务效率, online 办事效率
    score_2: Mapped[int] = mapped_column(Integer)       # offline 服务水平, online 办事指南精确度
    score_3: Mapped[int] = mapped_column(Integer)       # offline 服务态度, online 办事便捷度
    comment: Mapped[str] = mapped_column(String(500), default="")
    rater: Mapped[str] = mapped_column(String(20))      # "resident" | "staff_on_behalf"
    rater_user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def scores(self) -> tuple[int, int, int]:
        """The three sub-scores in order."""
        return (self.score_1, self.score_2, self.score_3)

    @property
    def is_bad(self) -> bool:
        """不满意 or worse: the station must follow it up."""
        return self.level <= 2


class FollowUp(CommunityBase):
    """The head's follow-up of a bad rating: contact, verify, put right, reply; each step timed and noted."""

    __tablename__ = "rating_followups"
    __table_args__ = (Index("ix_rating_followups_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    contacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    contacted_by: Mapped[int | None] = mapped_column(Integer)
    contact_note: Mapped[str] = mapped_column(Text, default="")
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[int | None] = mapped_column(Integer)
    justified: Mapped[bool | None] = mapped_column(Boolean)   # was the complaint well-founded?
    verify_note: Mapped[str] = mapped_column(Text, default="")
    rectified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rectified_by: Mapped[int | None] = mapped_column(Integer)
    rectify_note: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")      # what the resident is told
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(Integer)


class Notification(CommunityBase):
    """An in-app message to a person about one of their tickets; read_at is set when they have seen it."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)            # as sent, in the site's default language
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON, to show the message in the reader's language
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
