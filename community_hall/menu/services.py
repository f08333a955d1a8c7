"""Menu operations: validate, create, update, publish and reorder service items; categories and posts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..errors import HallError
from ..glossary import from_alias
from ..rosters.models import Post
from ..signals import community_created
from .models import CHANNELS, Category, Material, ServiceItem
from .search import pinyin_keys

DEFAULT_CATEGORIES = ("生活信息", "证照办理", "社会保障", "福利救助", "居家服务", "法律服务", "党群服务")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")

# The columns of an item, in the order of imported and exported files (documented in docs/hall.md).
COLUMNS = ("code", "name", "category", "description", "qualifications", "materials", "steps", "time_limit",
           "time_unit", "post", "channels", "fee_kind", "fee_note", "duty_list", "provider", "provider_name",
           "keywords", "published", "position")


@dataclass
class ItemData:
    """A validated item, independent of where it came from (form, file, API)."""

    code: str
    name: str
    category: str
    description: str = ""
    qualifications: str = ""
    materials: list[dict] = field(default_factory=list)
    steps: str = ""
    time_limit: int = 0
    time_unit: str = "workdays"
    post: str = ""
    channels: list[str] = field(default_factory=lambda: ["window"])
    fee_kind: str = "free"
    fee_note: str = ""
    duty_list: str = "self_governance"
    provider: str = "station"
    provider_name: str = ""
    keywords: str = ""
    published: bool = True
    position: int | None = None


def parse_materials(text: str) -> list[dict]:
    """Materials, one per line (or ';'-separated): `name | original/copy/both (原件/复印件/原件和复印件) | note`."""
    materials = []
    # Spreadsheets separate materials with ';' or '；' as often as with line breaks, so a note cannot hold them.
    for n, raw in enumerate(re.split(r"[\n;；]", text or ""), start=1):
        parts = [p.strip() for p in raw.split("|")]
        if not parts[0]:
            continue
        form = "original"
        if len(parts) > 1 and parts[1]:
            form = from_alias("material_form", parts[1]) or _form_from_english(parts[1])
            if not form:
                raise HallError(_l("Material %(n)s: the form must be original, copy or original and copy "
                                   "(原件、复印件、原件和复印件).", n=n), "materials")
        if len(parts[0]) > 100:
            raise HallError(_l("Material %(n)s: the name is longer than 100 characters.", n=n), "materials")
        note = "|".join(parts[2:])
        if len(note) > 200:
            raise HallError(_l("Material %(n)s: the note is longer than 200 characters.", n=n), "materials")
        materials.append({"name": parts[0], "form": form, "note": note})
    return materials


def _form_from_english(value: str) -> str:
    return {"original": "original", "copy": "copy", "both": "original_and_copy",
            "original and copy": "original_and_copy", "original_and_copy": "original_and_copy"}.get(value.lower(), "")


def format_materials(materials) -> str:
    """The inverse of parse_materials: one `name | form | note` line per material (forms in Chinese)."""
    zh = {"original": "原件", "copy": "复印件", "original_and_copy": "原件和复印件"}
    lines = []
    for m in materials:
        get = m.get if isinstance(m, dict) else lambda k, m=m: getattr(m, k)
        line = f"{get('name')} | {zh[get('form')]}"
        lines.append(line + (f" | {get('note')}" if get("note") else ""))
    return "\n".join(lines)


def _choice(kind: str, value: str, default: str, field_name: str, message) -> str:
    if not (value or "").strip():
        return default
    key = from_alias(kind, value)
    if not key:
        raise HallError(message, field_name)
    return key


def clean_item(raw: dict) -> ItemData:
    """Validate raw values (strings, as from a form or a file row) into ItemData; raise HallError on the first fault."""
    def text(key, limit):
        value = str(raw.get(key) or "").strip()
        if len(value) > limit:
            raise HallError(_l("%(field)s is longer than %(n)s characters.", field=key, n=limit), key)
        return value

    code = text("code", 20)
    if not CODE_RE.match(code):
        raise HallError(_l("The code must be 1-20 letters, digits or '-', for example SB-001."), "code")
    name = text("name", 100)
    if not name:
        raise HallError(_l("Give the service a name."), "name")
    category = text("category", 50)
    if not category:
        raise HallError(_l("Choose a category."), "category")
    try:
        time_limit = int(str(raw.get("time_limit") or "0").strip() or 0)
    except ValueError:
        raise HallError(_l("The time limit must be a whole number."), "time_limit") from None
    if not 0 <= time_limit <= 365:
        raise HallError(_l("The time limit must be between 0 and 365."), "time_limit")
    channels_raw = raw.get("channels")
    if channels_raw is None or channels_raw == "":  # a file may leave it blank; a form sends [] when all unticked
        channels_raw = "window"
    if isinstance(channels_raw, str):
        channels_raw = [c for c in re.split(r"[,，、;；\s]+", channels_raw) if c]
    channels = []
    for value in channels_raw:
        key = from_alias("channel", value)
        if not key:
            raise HallError(_l("Unknown channel: %(value)s", value=value), "channels")
        channels.append(key)
    if not channels:
        raise HallError(_l("Offer at least one channel."), "channels")
    published_raw = str(raw.get("published") if raw.get("published") is not None else "1").strip().lower()
    if published_raw not in ("", "1", "0", "true", "false", "yes", "no", "是", "否"):
        raise HallError(_l("Published must be yes or no (是/否)."), "published")
    position_raw = str(raw.get("position") if raw.get("position") is not None else "").strip()
    if position_raw and not re.fullmatch(r"-?[0-9]+", position_raw):
        raise HallError(_l("The display order must be a whole number."), "position")
    return ItemData(
        code=code.upper(), name=name, category=category,
        description=text("description", 5000), qualifications=text("qualifications", 5000),
        materials=raw["materials"] if isinstance(raw.get("materials"), list) else parse_materials(raw.get("materials")),
        steps=text("steps", 5000), time_limit=time_limit,
        time_unit=_choice("time_unit", raw.get("time_unit"), "workdays", "time_unit",
                          _l("The time unit must be working days or hours (工作日/小时).")),
        post=text("post", 20).upper(), channels=[c for c in CHANNELS if c in channels],
        fee_kind=_choice("fee_kind", raw.get("fee_kind"), "free", "fee_kind",
                         _l("The fee must be free, low cost or paid (免费/低偿/有偿).")),
        fee_note=text("fee_note", 200),
        duty_list=_choice("duty_list", raw.get("duty_list"), "self_governance", "duty_list",
                          _l("The duty list must be self-governance or assisting government (自治事项/协助政府事项).")),
        provider=_choice("provider", raw.get("provider"), "station", "provider",
                         _l("The provider must be the station, volunteers or a partner (服务站/志愿者/合作机构).")),
        provider_name=text("provider_name", 100), keywords=text("keywords", 200),
        published=published_raw not in ("0", "false", "no", "否"),
        position=int(position_raw) if position_raw else None,
    )


def ensure_categories(session: Session, names=DEFAULT_CATEGORIES) -> None:
    """Create the default categories of a new community's menu (existing ones are kept)."""
    existing = set(session.scalars(select(Category.name)))
    top = session.scalar(select(func.max(Category.position))) or 0
    for name in names:
        if name not in existing:
            top += 1
            session.add(Category(name=name, position=top))
    session.flush()


def category_named(session: Session, name: str, create: bool = True) -> Category:
    """The category with this name; a new one at the end when create is True."""
    category = session.scalar(select(Category).where(Category.name == name))
    if category is None:
        if not create:
            raise HallError(_l("Unknown category: %(name)s", name=name), "category")
        category = Category(name=name, position=(session.scalar(select(func.max(Category.position))) or 0) + 1)
        session.add(category)
        session.flush()
    return category


def post_coded(session: Session, code: str) -> Post | None:
    """The post with this code (None for an empty code); HallError when unknown."""
    if not code:
        return None
    post = session.scalar(select(Post).where(Post.code == code))
    if post is None:
        raise HallError(_l("Unknown post: %(code)s", code=code), "post")
    return post


def _apply(session: Session, item: ServiceItem, data: ItemData) -> None:
    item.code, item.name = data.code, data.name
    item.category = category_named(session, data.category)
    item.post = post_coded(session, data.post)
    for attr in ("description", "qualifications", "steps", "time_limit", "time_unit", "fee_kind", "fee_note",
                 "duty_list", "provider", "provider_name", "keywords", "published"):
        setattr(item, attr, getattr(data, attr))
    item.channels = ",".join(data.channels)
    item.search_pinyin, item.search_initials = pinyin_keys(data.name, data.keywords)
    item.materials = [Material(position=i, name=m["name"], form=m["form"], note=m.get("note", ""))
                      for i, m in enumerate(data.materials)]
    if data.position is not None:
        item.position = data.position


def create_item(session: Session, data: ItemData, actor_id: int | None = None) -> ServiceItem:
    """Add an item at the end of the menu (or at data.position); the code must be new."""
    if session.scalar(select(ServiceItem.id).where(ServiceItem.code == data.code)) is not None:
        raise HallError(_l("An item with code %(code)s already exists.", code=data.code), "code")
    item = ServiceItem(position=(session.scalar(select(func.max(ServiceItem.position))) or 0) + 10)
    _apply(session, item, data)
    session.add(item)
    audit.record(session, actor_id, "menu.create", data.code)
    session.flush()
    return item


def update_item(session: Session, item: ServiceItem, data: ItemData, actor_id: int | None = None) -> ServiceItem:
    """Change an item; its code may change only to one not taken."""
    if data.code != item.code and session.scalar(select(ServiceItem.id).where(ServiceItem.code == data.code)):
        raise HallError(_l("An item with code %(code)s already exists.", code=data.code), "code")
    _apply(session, item, data)
    audit.record(session, actor_id, "menu.update", data.code)
    session.flush()
    return item


def set_published(session: Session, item: ServiceItem, published: bool, actor_id: int | None = None) -> None:
    """Publish or unpublish (unpublished items stay for old tickets but leave the public menu)."""
    item.published = published
    audit.record(session, actor_id, "menu.publish" if published else "menu.unpublish", item.code)
    session.flush()


def move_item(session: Session, item: ServiceItem, direction: int, actor_id: int | None = None) -> None:
    """Swap an item with its neighbour in the same category (direction -1 up, +1 down)."""
    siblings = list(session.scalars(select(ServiceItem).where(ServiceItem.category_id == item.category_id)
                                    .order_by(ServiceItem.position, ServiceItem.id)))
    i = siblings.index(item)
    j = i + (1 if direction > 0 else -1)
    if not 0 <= j < len(siblings):
        return
    siblings[i], siblings[j] = siblings[j], siblings[i]
    for n, sibling in enumerate(siblings):  # renumber so equal positions cannot stall a move
        sibling.position = (n + 1) * 10
    audit.record(session, actor_id, "menu.move", item.code)
    session.flush()


def item_by_code(session: Session, code: str, published_only: bool = False) -> ServiceItem | None:
    """The item with this code (case-insensitive)."""
    stmt = select(ServiceItem).where(ServiceItem.code == (code or "").upper())
    if published_only:
        stmt = stmt.where(ServiceItem.published.is_(True))
    return session.scalar(stmt)


def menu_by_category(session: Session, published_only: bool = True,
                     include_empty: bool = False) -> list[tuple[Category, list[ServiceItem]]]:
    """Categories in order with their items in order (empty categories left out unless include_empty)."""
    stmt = select(ServiceItem).join(Category).order_by(Category.position, ServiceItem.position, ServiceItem.id)
    if published_only:
        stmt = stmt.where(ServiceItem.published.is_(True))
    groups: dict[int, tuple[Category, list[ServiceItem]]] = {}
    if include_empty:
        for category in session.scalars(select(Category).order_by(Category.position, Category.id)):
            groups[category.id] = (category, [])
    for item in session.scalars(stmt).unique():
        groups.setdefault(item.category_id, (item.category, []))[1].append(item)
    return list(groups.values())


def add_category(session: Session, name: str, actor_id: int | None = None) -> Category:
    """A new, empty category at the end of the menu."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 50:
        raise HallError(_l("A category name has 1-50 characters."), "name")
    if session.scalar(select(Category.id).where(Category.name == name)) is not None:
        raise HallError(_l("There is already a category called %(name)s.", name=name), "name")
    category = category_named(session, name)
    audit.record(session, actor_id, "menu.category.add", name)
    session.flush()
    return category


def move_category(session: Session, category: Category, direction: int, actor_id: int | None = None) -> None:
    """Swap a category with its neighbour in the menu (direction -1 up, +1 down)."""
    ordered = list(session.scalars(select(Category).order_by(Category.position, Category.id)))
    i = ordered.index(category)
    j = i + (1 if direction > 0 else -1)
    if not 0 <= j < len(ordered):
        return
    ordered[i], ordered[j] = ordered[j], ordered[i]
    for n, c in enumerate(ordered):
        c.position = n + 1
    audit.record(session, actor_id, "menu.category.move", category.name)
    session.flush()


def item_to_row(item: ServiceItem) -> dict:
    """An item as the documented columns (for export)."""
    return {
        "code": item.code, "name": item.name, "category": item.category.name, "description": item.description,
        "qualifications": item.qualifications, "materials": format_materials(item.materials), "steps": item.steps,
        "time_limit": item.time_limit, "time_unit": item.time_unit, "post": item.post.code if item.post else "",
        "channels": ",".join(item.channel_list), "fee_kind": item.fee_kind, "fee_note": item.fee_note,
        "duty_list": item.duty_list, "provider": item.provider, "provider_name": item.provider_name,
        "keywords": item.keywords, "published": "yes" if item.published else "no", "position": item.position,
    }


@community_created.connect
def _seed_categories(_community, session: Session, **_kwargs) -> None:
    """A new community's menu starts with the usual categories."""
    ensure_categories(session)
