"""Services and read helpers for the hours pages: balances, stars, statements, gifts, transfers, the head's ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import Membership, Profile, User
from ..errors import HallError
from ..privacy import mask_name
from ..tenancy import Community, community_session, get_community, registry_session
from . import ledger, stars, volunteers
from .ledger_models import ISSUING, POOL, LedgerAccount, LedgerEntry, LedgerMovement, LedgerTransfer
from .ties import reference_title

PER_PAGE = 20
MAX_HOURS = 500

KIND_NAMES = {
    "credit_service": _l("Service credited"), "pay_service": _l("Service paid"), "donate": _l("Gift of hours"),
    "reverse": _l("Reversal"), "transfer_out": _l("Moved to another community"),
    "transfer_in": _l("Arrived from another community"),
}


def actor_of(user) -> SimpleNamespace:
    """The ledger's actor for a signed-in user."""
    return SimpleNamespace(user_id=user.id, name=user.display_name)


def hours_text(minutes: int) -> str:
    """Minutes as hours and minutes for people: "12 小时 30 分" (a minus sign in front when negative)."""
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(minutes), 60)
    return sign + _("%(hours)d h %(minutes)d min", hours=h, minutes=m)


def to_minutes(hours, minutes) -> int:
    """Whole hours and minutes from a form as minutes (the ledger checks the range)."""
    return int(hours or 0) * 60 + int(minutes or 0)


# --- people ---------------------------------------------------------------------------------------
def names(session: Session, user_ids) -> dict[int, Profile]:
    """Profiles of these people in this community, by user id."""
    ids = {int(u) for u in user_ids if u is not None}
    if not ids:
        return {}
    return {p.user_id: p for p in session.scalars(select(Profile).where(Profile.user_id.in_(ids)))}


def find_member(session: Session, community: Community, who: str) -> int:
    """The member of this community with this username or mobile phone number; HallError when none or several."""
    who = (who or "").strip()
    if not who:
        raise HallError(_l("Give the username or mobile phone number of the person."), "to")
    user = registry_session().scalar(select(User).where(User.username == who))
    if user is not None and registry_session().scalar(select(Membership.id).where(
            Membership.user_id == user.id, Membership.community_id == community.id)) is not None:
        return user.id
    found = session.scalars(select(Profile.user_id).where(Profile.phone == who)).all()
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise HallError(_l("Several people have this phone number; give the username instead."), "to")
    raise HallError(_l("No member of this community has that username or phone number."), "to")


# --- stars ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stars:
    """A person's star level, their service minutes and how far they are from the next level."""

    minutes: int
    level: int
    top: int
    next_hours: int | None          # hours needed in total for the next level; None at the top
    percent: int                    # progress from this level to the next, 0-100

    @property
    def to_next_minutes(self) -> int:
        return max(0, (self.next_hours or 0) * 60 - self.minutes)


def stars_of(session: Session, user_id: int) -> Stars:
    """Star level and progress with this community's thresholds."""
    thresholds = stars.thresholds_for(session)
    minutes = stars.service_minutes(session, user_id)
    level = stars.star_level(minutes, thresholds)
    if level >= len(thresholds):
        return Stars(minutes, level, len(thresholds), None, 100)
    low = thresholds[level - 1] * 60 if level else 0
    high = thresholds[level] * 60
    return Stars(minutes, level, len(thresholds), thresholds[level], max(0, min(100, (minutes - low) * 100 // (high - low))))


# --- statements -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """A statement line ready to show."""

    at: datetime
    kind: str
    reference: str
    amount: int
    balance: int
    community: str = ""


def reference_text(session: Session, reference: str, own: str | None = None) -> str:
    """A movement's reference as readable text."""
    kind, _sep, rest = (reference or "").partition(":")
    if kind in ("activity", "order", "ticket") and (title := reference_title(session, reference)):
        return title
    if kind == "activity":
        return _("Activity %(id)s", id=rest)
    if kind == "order":
        return _("Service order %(id)s", id=rest)
    if kind == "ticket":
        return _("Request %(id)s", id=rest)
    if kind == "movement":
        return _("Undoes movement %(id)s", id=rest)
    if reference == POOL:
        return _("To the donation pool")
    if kind == "person":
        if reference == own:
            return _("Received as a gift")
        profile = names(session, [int(rest)]).get(int(rest))
        return _("To %(name)s", name=profile.real_name if profile else rest)
    if kind == "transfer":
        row = session.get(LedgerTransfer, rest)
        community = get_community(row.other_community) if row else None
        return _("Transfer with %(community)s", community=community.name if community else (row.other_community if row
                                                                                              else "?"))
    return reference or ""


def statement_page(session: Session, user_id: int, page: int) -> tuple[list[Line], int]:
    """One page of a person's statement, newest first, and the number of pages."""
    pages = max(1, -(-ledger.statement_length(session, user_id) // PER_PAGE))
    page = min(max(1, page), pages)
    chosen = ledger.statement_page(session, user_id, (page - 1) * PER_PAGE, PER_PAGE)
    own = ledger.person(user_id)
    return [Line(s.at, s.kind, reference_text(session, s.reference, own), s.amount, s.balance) for s in chosen], pages


# --- several communities (通存通兑) -------------------------------------------------------------
def communities_of(user_id: int) -> list[Community]:
    """Every community the user belongs to (any role), by slug."""
    return registry_session().scalars(
        select(Community).join(Membership, Membership.community_id == Community.id)
        .where(Membership.user_id == user_id).distinct().order_by(Community.slug)).all()


def combined(user_id: int) -> tuple[list[tuple[Community, int]], int]:
    """The user's balance in each of their communities, and the total."""
    rows = [(c, ledger.balance(community_session(c.slug), ledger.person(user_id))) for c in communities_of(user_id)]
    return rows, ledger.combined_balance([community_session(c.slug) for c, _b in rows], user_id)


def combined_record(user_id: int, limit: int = 20) -> list[Line]:
    """The user's latest movements over all their communities, newest first."""
    lines = []
    own = ledger.person(user_id)
    for c in communities_of(user_id):
        s = community_session(c.slug)
        lines += [Line(x.at, x.kind, reference_text(s, x.reference, own), x.amount, x.balance, c.name)
                  for x in ledger.statement_page(s, user_id, 0, limit)]    # the newest `limit` of each suffice
    return sorted(lines, key=lambda x: x.at, reverse=True)[:limit]


def _member_of(user_id: int, slug: str) -> Community:
    community = get_community(slug)
    if community is None or community.slug not in {c.slug for c in communities_of(user_id)}:
        raise HallError(_l("You can only move hours to a community you belong to."), "to_community")
    return community


def transfer_hours(community: Community, user, to_slug: str, minutes: int, transfer_id: str) -> str:
    """Move the user's own hours to another of their communities; "completed", or "pending" when a step failed.

    Refusals (not a member there, same community, not enough hours) raise HallError and change nothing.
    """
    if to_slug == community.slug:
        raise HallError(_l("Choose another community than this one."), "to_community")
    target = _member_of(user.id, to_slug)
    ledger.start_transfer(community_session(community.slug), transfer_id, user.id, minutes, target.slug,
                          actor_of(user))
    try:
        done = ledger.transfer(community_session(community.slug), community_session(target.slug), transfer_id, user.id,
                               minutes, community.slug, target.slug, actor_of(user))
    except Exception:   # noqa: BLE001 - the hours left this community; recovery finishes the transfer later
        community_session(community.slug).rollback()
        community_session(target.slug).rollback()
        return "pending"
    return done.state


def recover_own(community: Community, user) -> list[tuple[str, str]]:
    """Finish the user's own pending transfers out of this community (cheap when there are none)."""
    session = community_session(community.slug)
    mine = session.scalars(select(LedgerTransfer.transfer_id).where(
        LedgerTransfer.direction == "out", LedgerTransfer.state == "pending", LedgerTransfer.user_id == user.id)).all()
    outcomes = []
    for transfer_id in mine:
        row = session.get(LedgerTransfer, transfer_id)
        if get_community(row.other_community) is None:     # never open a database for a community not registered
            outcomes.append((transfer_id, "pending"))
            continue
        try:
            ledger.receive_transfer(community_session(row.other_community), row.other_community, session,
                                    community.slug, transfer_id, actor_of(user))
            outcomes.append((transfer_id, ledger.complete_transfer(session, transfer_id, actor_of(user)).state))
        except Exception:   # noqa: BLE001 - refused or unreachable there: left for `hall transfer-recover`
            session.rollback()
            outcomes.append((transfer_id, "pending"))
    return outcomes


def find_recipient(session: Session, community: Community, who: str) -> int:
    """A resident of this community (or an approved volunteer of it) by username or phone, the only people hours
    are given to; anyone else (staff, the head, another community's people) is "nobody" like an unknown name."""
    user_id = find_member(session, community, who)
    resident = registry_session().scalar(select(Membership.id).where(
        Membership.user_id == user_id, Membership.community_id == community.id, Membership.role == "resident"))
    if resident is None and volunteers.approved_volunteer(session, user_id) is None:
        raise HallError(_l("No member of this community has that username or phone number."), "to")
    return user_id


def _gift_target(session: Session, community: Community, user_id: int, to: str | None, minutes: int):
    target = POOL if to is None else find_recipient(session, community, to)
    if target == user_id:
        raise HallError(_l("You cannot give hours to yourself."), "to")
    check_enough(session, user_id, minutes)
    return target


def review_donation(session: Session, community: Community, user_id: int, to: str | None, minutes: int
                    ) -> SimpleNamespace | None:
    """Check a gift before it is confirmed; the receiving person's masked name and phone (None for the pool).

    Only enough to recognise a family member: the page must not turn a phone number into a real name."""
    target = _gift_target(session, community, user_id, to, minutes)
    if target == POOL:
        return None
    profile = names(session, [target]).get(target)
    return SimpleNamespace(name=mask_name(profile.real_name) if profile else "*",
                           phone=profile.masked_phone if profile else "")


def donate_hours(session: Session, community: Community, user_id: int, to: str | None, minutes: int, key: str,
                 actor):
    """Give hours to the pool (to=None) or to a member named by username or phone, once per form key."""
    key = f"donate:{user_id}:{key}"
    done = session.scalar(select(LedgerMovement).where(LedgerMovement.idem_key == key))
    if done is not None:    # a double submit: already given, even if what is left would not allow it again
        return done
    target = _gift_target(session, community, user_id, to, minutes)
    return ledger.donate(session, user_id, target, minutes, key, actor)


def check_enough(session: Session, user_id: int, minutes: int) -> None:
    """Refuse a gift before confirming when the hours are not there (the ledger checks again under its lock); the
    overdraft does not count: it pays for services here, it is not hours to give."""
    ledger._check_minutes(minutes)
    account = ledger.person(user_id)
    if ledger.balance(session, account) - minutes < 0:
        raise HallError(_l("You do not have that many hours."), "hours")


# --- the head's ledger page ---------------------------------------------------------------------
def account_rows(session: Session) -> list[SimpleNamespace]:
    """Every person's account with name, masked phone, balance and overdraft, by name."""
    sums = dict(session.execute(select(LedgerEntry.account, func.sum(LedgerEntry.amount))
                                .group_by(LedgerEntry.account)).all())
    accounts = session.scalars(select(LedgerAccount).where(LedgerAccount.user_id.is_not(None))).all()
    people = names(session, [a.user_id for a in accounts])
    rows = [SimpleNamespace(user_id=a.user_id, name=people[a.user_id].real_name if a.user_id in people else
                            f"#{a.user_id}", phone=people[a.user_id].masked_phone if a.user_id in people else "",
                            balance=sums.get(a.account, 0), overdraft=a.overdraft_minutes) for a in accounts]
    return sorted(rows, key=lambda r: r.name)


def recent_movements(session: Session, limit: int = 30) -> list[SimpleNamespace]:
    """The latest movements with their entries in words, newest first."""
    movements = session.scalars(select(LedgerMovement).order_by(LedgerMovement.id.desc()).limit(limit)).all()
    entries = session.execute(select(LedgerEntry.movement_id, LedgerEntry.account, LedgerEntry.amount)
                              .where(LedgerEntry.movement_id.in_([m.id for m in movements]))
                              .order_by(LedgerEntry.id)).all()
    reversed_ids = set(session.scalars(select(LedgerMovement.reverses_movement_id)
                                       .where(LedgerMovement.reverses_movement_id.is_not(None))))
    people = names(session, [int(a.split(":")[1]) for _m, a, _x in entries if a.startswith("person:")])
    by = {}
    for mid, account, amount in entries:
        by.setdefault(mid, []).append((account_name(account, people), amount))
    return [SimpleNamespace(m=m, legs=by.get(m.id, []), reference=reference_text(session, m.reference),
                            reversible=m.kind not in ("reverse", "transfer_out", "transfer_in") and m.id not in reversed_ids)
            for m in movements]


def account_name(account: str, people: dict[int, Profile]) -> str:
    """An account as people call it."""
    if account == POOL:
        return _("Donation pool")
    if account == ISSUING:
        return _("Issuing account")
    uid = int(account.split(":")[1])
    return people[uid].real_name if uid in people else f"#{uid}"


def new_levels(session: Session, since: datetime) -> list[SimpleNamespace]:
    """Who reached a higher star level since a time, with names, using this community's thresholds."""
    rises = stars.new_levels_since(session, since, stars.thresholds_for(session))
    people = names(session, [u for u, _o, _n in rises])
    return [SimpleNamespace(name=people[u].real_name if u in people else f"#{u}", old=o, new=n) for u, o, n in rises]
