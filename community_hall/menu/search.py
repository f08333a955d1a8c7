"""Search the menu by Chinese text, full pinyin or pinyin initials (dibao / db find 低保)."""

from __future__ import annotations

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from .models import ServiceItem


def _syllables(text: str) -> list[str]:
    # Imported here: pypinyin's dictionaries take ~55 MB per worker, and only saving an item needs them.
    from pypinyin import lazy_pinyin

    # Non-Chinese runs (digits, latin) come back whole; keep only letters and digits.
    return ["".join(ch for ch in s.lower() if ch.isalnum()) for s in lazy_pinyin(text, errors="default")]


def pinyin_keys(name: str, keywords: str = "") -> tuple[str, str]:
    """Full pinyin and initials of the name and each keyword, space-separated, for LIKE matching."""
    from pypinyin import Style, lazy_pinyin

    fulls, initials = [], []
    for phrase in [name, *filter(None, (k.strip() for k in keywords.replace("，", ",").split(",")))]:
        syllables = [s for s in _syllables(phrase) if s]
        fulls.append("".join(syllables))
        initials.append("".join(s[0] for s in syllables))
        initials.append("".join(lazy_pinyin(phrase, style=Style.FIRST_LETTER)).lower())
    return " ".join(fulls), " ".join(dict.fromkeys(initials))


def normalise_query(q: str) -> str:
    """Lowercased, spaces and apostrophes removed ("di bao", "Di'Bao" → "dibao"), at most 50 characters."""
    return "".join(ch for ch in (q or "").lower() if ch not in " '’\t")[:50]


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_items(session: Session, q: str, published_only: bool = True, limit: int = 50) -> list[ServiceItem]:
    """Items matching q, best first: name or code, then pinyin initials, then full pinyin, then text."""
    q = normalise_query(q)
    if not q:
        return []
    like = _like(q)
    start = like[1:]  # "q%": a prefix match ranks higher than a match in the middle
    name_l = ServiceItem.name
    rank = case(
        (name_l == q, 0),
        (ServiceItem.code.ilike(q, escape="\\"), 0),
        (name_l.like(start, escape="\\"), 1),
        (name_l.like(like, escape="\\"), 2),
        (ServiceItem.search_initials.like(start, escape="\\"), 3),
        (ServiceItem.search_initials.like("% " + start, escape="\\"), 4),
        (ServiceItem.search_pinyin.like(start, escape="\\"), 3),
        (ServiceItem.search_pinyin.like(like, escape="\\"), 5),
        (ServiceItem.search_initials.like(like, escape="\\"), 6),
        (ServiceItem.keywords.like(like, escape="\\"), 6),
        else_=7,
    )
    stmt = select(ServiceItem).where(or_(
        name_l.like(like, escape="\\"), ServiceItem.code.ilike(like, escape="\\"),
        ServiceItem.keywords.like(like, escape="\\"), ServiceItem.search_pinyin.like(like, escape="\\"),
        ServiceItem.search_initials.like(like, escape="\\"), ServiceItem.description.like(like, escape="\\")))
    if published_only:
        stmt = stmt.where(ServiceItem.published.is_(True))
    stmt = stmt.order_by(rank, ServiceItem.position, ServiceItem.id).limit(limit)
    return list(session.scalars(stmt))
