"""Creating communities: a registry row plus its own migrated database."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from .. import audit
from ..accounts.models import User
from ..accounts.services import grant
from ..errors import HallError
from ..migrate import upgrade_community
from ..signals import community_created
from ..tenancy import Community, community_session, registry_session, tenancy, valid_slug
from .models import Station


def create_community(slug: str, name: str, households: int = 0, residents: int = 0, street: str | None = None,
                     creator: User | None = None, station: dict | None = None) -> Community:
    """Register a community, create and migrate its database; on any failure nothing remains."""
    slug = (slug or "").strip()
    name = (name or "").strip()
    if not valid_slug(slug):
        raise HallError(_l("The short name must be 2-40 characters of lowercase letters a-z, digits and '-', "
                           "not starting or ending with '-'."), "slug")
    if not 1 <= len(name) <= 100:
        raise HallError(_l("Please give the community a name (up to 100 characters)."), "name")
    if households < 0 or residents < 0:
        raise HallError(_l("Household and resident counts cannot be negative."), "households")
    session = registry_session()
    if session.query(Community.id).filter_by(slug=slug).first() is not None:
        raise HallError(_l("A community with this short name already exists."), "slug")
    t = tenancy()
    community = Community(slug=slug, name=name, households=households, residents=residents,
                          street=(street or "").strip() or None, timezone="Asia/Shanghai")
    session.add(community)
    try:
        session.flush()
        t.create_storage(slug)
        upgrade_community(t, slug)
        csession = community_session(slug)
        csession.add(Station(id=1, name=f"{name}服务站", **(station or {})))
        audit.record(csession, creator.id if creator else None, "community.create", slug)
        community_created.send(community, session=csession)
        csession.commit()
        if creator is not None:
            grant(creator, community, "district")
        session.commit()
    except Exception:
        session.rollback()
        community_session(slug).close()
        t.drop_storage(slug)
        raise
    return community


def station_of(community: Community) -> Station | None:
    """The station profile from the community's own database."""
    return community_session(community.slug).get(Station, 1)


# The site index's query value for communities that name no street office.
NO_STREET = "-"


def community_count() -> int:
    """How many communities the site has."""
    return registry_session().query(func.count(Community.id)).scalar()


def streets() -> list[tuple[str, int]]:
    """Each street office (街道) with its number of communities, by name; NO_STREET (communities naming none) last."""
    rows = registry_session().query(Community.street, func.count(Community.id)).group_by(Community.street).all()
    named = sorted((street, n) for street, n in rows if street)
    return named + [(NO_STREET, n) for street, n in rows if not street]


def communities_of_street(street: str) -> list[Community]:
    """The communities of one street office (NO_STREET: those naming none), by slug."""
    query = registry_session().query(Community)
    if street == NO_STREET:
        query = query.filter(Community.street.is_(None))
    else:
        query = query.filter(Community.street == street)
    return query.order_by(Community.slug).all()
