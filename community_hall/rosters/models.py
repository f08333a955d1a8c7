"""Posts (岗位): the organisation below the service menu that names who is responsible."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..tenancy import CommunityBase


class Post(CommunityBase):
    """A post such as 社会保障岗, usually staffed at one window of the hall."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    window: Mapped[str] = mapped_column(String(50), default="")
