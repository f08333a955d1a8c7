"""Post operations (holders, shifts and leave come with the rosters work)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import HallError
from .models import Post


def create_post(session: Session, code: str, name: str, window: str = "") -> Post:
    """Add a post; the code must be new."""
    code, name = (code or "").strip().upper(), (name or "").strip()
    if not code or len(code) > 20 or not name:
        raise HallError(_l("A post needs a code (up to 20 characters) and a name."), "code")
    if session.scalar(select(Post.id).where(Post.code == code)) is not None:
        raise HallError(_l("A post with code %(code)s already exists.", code=code), "code")
    post = Post(code=code, name=name[:100], window=(window or "").strip()[:50])
    session.add(post)
    session.flush()
    return post


def all_posts(session: Session) -> list[Post]:
    """Every post, by code."""
    return list(session.scalars(select(Post).order_by(Post.code)))
