"""User identities and memberships (registry) and people's profiles (community database)."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..privacy import mask_phone
from ..tenancy import CommunityBase, RegistryBase, utcnow

ROLES = ("resident", "staff", "head", "district")


class User(UserMixin, RegistryBase):
    """A person who can sign in; belongs to communities through memberships."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised to end every session of this user (password change, role granted or removed): see identity.py.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set while the account's deletion goes through the communities one by one (personal_data.delete_account).
    deleting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Membership(RegistryBase):
    """A user's role in one community."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "community_id", "role", name="uq_membership"),
                      Index("ix_memberships_community_role", "community_id", "role"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Profile(CommunityBase):
    """What a community keeps about one of its people: real name, phone, address, whether housebound."""

    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    real_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    housebound: Mapped[bool] = mapped_column(Boolean, default=False)  # cannot come to the hall: needs home visits
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def masked_phone(self) -> str:
        """Phone with the middle digits hidden, as lists must show it (PIPL)."""
        return mask_phone(self.phone)


class UserSession(RegistryBase):
    """One sign-in on one device: it ends at sign-out, after an idle time or at its lifetime (identity.py)."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user", "user_id"),)

    # sha256 of the random id the signed cookie carries: a copy of this table signs nobody in.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Held a staff, head or district role when it started: the shorter idle time and lifetime apply.
    privileged: Mapped[bool] = mapped_column(Boolean, default=False)
