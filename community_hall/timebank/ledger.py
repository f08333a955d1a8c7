"""Hours ledger services (时间银行): credit, pay, donate, reverse, overdraft, balances, statements, the ledger check.

Amounts are whole minutes. Every movement's entries sum to zero; balances are sums of entries in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import HallError
from ..tenancy import utcnow
from .ledger_models import ISSUING, MOVEMENT_KINDS, POOL, LedgerAccount, LedgerEntry, LedgerMovement, LedgerTransfer

MAX_MINUTES = 500 * 60      # one movement above 500 hours is a typing mistake, not a service
REFERENCE = re.compile(r"^(activity|order|ticket):[1-9][0-9]{0,9}$")
ACCOUNT = re.compile(r"^(person:[1-9][0-9]{0,9}|issuing|pool)$")
RETRIES = 5


@dataclass(frozen=True)
class StatementLine:
    """One line of a person's statement: a movement seen from their account, with the balance after it."""

    movement_id: int
    at: datetime
    kind: str
    amount: int
    balance: int
    reference: str
    reason: str


def person(user_id: int) -> str:
    """The account name of a person."""
    return f"person:{int(user_id)}"


def _actor(actor) -> tuple[int | None, str]:
    return getattr(actor, "user_id", None), (getattr(actor, "name", "") or "")[:50]


def _check_minutes(minutes) -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise HallError(_l("The number of minutes must be a whole number above zero."), "minutes")
    if minutes > MAX_MINUTES:
        raise HallError(_l("That is more hours than one movement may carry (at most 500 hours)."), "minutes")
    return minutes


def _not_own(actor, account: str) -> None:
    """Nobody credits hours to their own account: a credit, a reversal that gives back, an overdraft."""
    actor_id = getattr(actor, "user_id", None)
    if actor_id is not None and account == person(actor_id):
        raise HallError(_l("You cannot credit hours to your own account; another member of staff does it."))


def _check_key(idem_key: str) -> str:
    if not idem_key or len(idem_key) > 100:
        raise HallError(_l("Every movement needs a request key of 1 to 100 characters."))
    return idem_key


def _check_account(account: str) -> str:
    if not isinstance(account, str) or not ACCOUNT.match(account):
        raise HallError(_l("There is no such account."), "account")
    return account


def _begin_write(session: Session) -> None:
    """Start a transaction holding the write lock (SQLite: BEGIN IMMEDIATE) so floor checks read the latest sums."""
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _ensure_accounts(session: Session, accounts: list[str]) -> None:
    """Create missing accounts, then lock them in a fixed order (PostgreSQL) so two payers never both pass a floor."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    now = utcnow()
    for account in sorted(set(accounts)):
        user_id = int(account.split(":")[1]) if account.startswith("person:") else None
        session.execute(upsert(LedgerAccount).values(account=account, user_id=user_id, overdraft_minutes=0,
                                                     created_at=now).on_conflict_do_nothing())
    session.execute(select(LedgerAccount.account).where(LedgerAccount.account.in_(sorted(set(accounts))))
                    .order_by(LedgerAccount.account).with_for_update())


def _existing(session: Session, idem_key: str) -> LedgerMovement | None:
    return session.scalar(select(LedgerMovement).where(LedgerMovement.idem_key == idem_key))


def _known(session: Session, account: str) -> bool:
    return session.get(LedgerAccount, account) is not None


def floor(session: Session, account: str) -> int | None:
    """The lowest balance an account may reach; None for the issuing account, which has no floor."""
    if account == ISSUING:
        return None
    row = session.get(LedgerAccount, account)
    return -(row.overdraft_minutes if row else 0)


def balance(session: Session, account: str) -> int:
    """The balance of an account in minutes: the sum of its entries."""
    _check_account(account)
    return session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.account == account))


def _post(session: Session, kind: str, idem_key: str, legs: list[tuple[str, int]], actor, reference: str = "",
          reason: str = "", reverses: int | None = None, must_exist: tuple[str, ...] = (), also=None,
          own_hours_only: tuple[str, ...] = ()) -> LedgerMovement:
    """Record a movement once per key: a repeated key returns the first movement and changes nothing.

    Accounts in `own_hours_only` may not use their overdraft for this movement (their floor is zero)."""
    assert kind in MOVEMENT_KINDS and sum(a for _, a in legs) == 0
    _check_key(idem_key)
    actor_id, actor_name = _actor(actor)
    for attempt in range(RETRIES):
        _begin_write(session)
        try:
            first = _existing(session, idem_key)
            if first is not None:
                session.commit()
                return _same(first, kind)
            for account in must_exist:
                if not _known(session, account):
                    session.rollback()
                    raise HallError(_l("There is no such account."), "account")
            _ensure_accounts(session, [a for a, _ in legs])
            for account, amount in legs:
                low = floor(session, account)
                if account in own_hours_only:
                    low = 0
                if amount < 0 and low is not None and balance(session, account) + amount < low:
                    session.rollback()
                    raise HallError(_l("Not enough hours: this would take the account below its floor."), "minutes")
            movement_id = session.execute(insert(LedgerMovement).values(
                kind=kind, idem_key=idem_key, reason=reason, reference=reference, actor_user_id=actor_id,
                actor_name=actor_name, reverses_movement_id=reverses, created_at=utcnow())
                .returning(LedgerMovement.id)).scalar_one()
            session.execute(insert(LedgerEntry), [{"movement_id": movement_id, "account": account, "amount": amount}
                                                  for account, amount in legs])
            if also is not None:    # a record that must be written in the same transaction as the movement
                also(session, movement_id)
            session.commit()
        except HallError:
            session.rollback()
            raise
        except IntegrityError:
            # Another request with the same key (or a second reversal) won the race: answer with what it recorded.
            session.rollback()
            if attempt == RETRIES - 1:
                raise
            continue
        return session.get(LedgerMovement, movement_id)
    raise AssertionError("unreachable")


def _same(first: LedgerMovement, kind: str) -> LedgerMovement:
    if first.kind != kind:
        raise HallError(_l("This request key was already used for a different movement."))
    return first


def credit_service(session: Session, user_id: int, minutes: int, reference: str, idem_key: str, actor, also=None
                   ) -> LedgerMovement:
    """Credit a volunteer for a confirmed service (activity, order or ticket): issuing → person."""
    _check_minutes(minutes)
    if not REFERENCE.match(reference or ""):
        raise HallError(_l("A credit must name the activity, order or ticket it is for."), "reference")
    _not_own(actor, person(user_id))
    return _post(session, "credit_service", idem_key, [(ISSUING, -minutes), (person(user_id), minutes)], actor,
                 reference=reference, also=also)


def pay_service(session: Session, payer_user_id: int, minutes: int, reference: str, idem_key: str, actor,
                on_behalf_of: int | None = None, also=None) -> LedgerMovement:
    """Pay for a volunteer service with hours: person → issuing. Hours buy services only, never cash or goods.

    `also(session, movement_id)` runs inside the payment's transaction after it is written; raising HallError there
    undoes the payment (a family grant's monthly cap is checked this way, so two payments at once cannot pass it)."""
    _check_minutes(minutes)
    if not REFERENCE.match(reference or ""):
        raise HallError(_l("A payment must name the order or activity it pays for."), "reference")
    payer = person(payer_user_id)
    reason = f"on behalf of person:{int(on_behalf_of)}" if on_behalf_of is not None else ""
    return _post(session, "pay_service", idem_key, [(payer, -minutes), (ISSUING, minutes)], actor,
                 reference=reference, reason=reason, must_exist=(payer,), also=also)


def pay_from_pool(session: Session, resident_user_id: int, minutes: int, reference: str, idem_key: str, actor
                  ) -> LedgerMovement:
    """Pay an isolated elderly resident's service from the donation pool: pool → issuing."""
    _check_minutes(minutes)
    if not REFERENCE.match(reference or ""):
        raise HallError(_l("A payment must name the order or activity it pays for."), "reference")
    return _post(session, "pay_service", idem_key, [(POOL, -minutes), (ISSUING, minutes)], actor,
                 reference=reference, reason=f"on behalf of person:{int(resident_user_id)}", must_exist=(POOL,))


def donate(session: Session, from_user_id: int, to, minutes: int, idem_key: str, actor) -> LedgerMovement:
    """Give hours to another person (e.g. a family member) or to the pool ("pool"): only hours the giver has, never
    the overdraft, which is credit for services in this community and would otherwise become someone's hours."""
    _check_minutes(minutes)
    source = person(from_user_id)
    target = POOL if to == POOL else person(to)
    if target == source:
        raise HallError(_l("Hours cannot be given to the same account."), "to")
    return _post(session, "donate", idem_key, [(source, -minutes), (target, minutes)], actor, reference=target,
                 must_exist=(source,), own_hours_only=(source,))


def reverse(session: Session, movement_id: int, reason: str, actor) -> LedgerMovement:
    """Undo a movement with a new one of opposite entries; each movement can be reversed once (head only)."""
    reason = (reason or "").strip()
    if not reason:
        raise HallError(_l("Say why the movement is reversed."), "reason")
    original = session.get(LedgerMovement, movement_id)
    if original is None:
        raise HallError(_l("There is no such movement."))
    if original.kind == "reverse":
        raise HallError(_l("A reversal cannot itself be reversed; record a new movement instead."))
    if original.kind in ("transfer_out", "transfer_in"):
        raise HallError(_l("A transfer between communities is undone by its recovery, not by a reversal."))
    done = session.scalar(select(LedgerMovement).where(LedgerMovement.reverses_movement_id == movement_id))
    if done is not None:
        raise HallError(_l("This movement has already been reversed."))
    legs = [(e.account, -e.amount) for e in session.scalars(
        select(LedgerEntry).where(LedgerEntry.movement_id == movement_id).order_by(LedgerEntry.id))]
    for account, amount in legs:
        if amount > 0:
            _not_own(actor, account)
    try:
        return _post(session, "reverse", f"reverse:{movement_id}", legs, actor, reference=f"movement:{movement_id}",
                     reason=reason[:500], reverses=movement_id)
    except IntegrityError:
        session.rollback()
        raise HallError(_l("This movement has already been reversed.")) from None


def set_overdraft(session: Session, user_id: int, minutes: int, actor) -> LedgerAccount:
    """Let a person's balance go down to minus this many minutes (0: no overdraft); set by the head."""
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0 or minutes > MAX_MINUTES:
        raise HallError(_l("The overdraft must be between 0 and 500 hours."), "minutes")
    account = person(user_id)
    _not_own(actor, account)
    _begin_write(session)
    _ensure_accounts(session, [account])
    if balance(session, account) < -minutes:
        session.rollback()
        raise HallError(_l("The balance is already below that floor; the overdraft cannot be lowered so far."),
                        "minutes")
    row = session.get(LedgerAccount, account)
    row.overdraft_minutes = minutes
    session.commit()
    return row


def statement(session: Session, user_id: int) -> list[StatementLine]:
    """A person's movements, oldest first, with the balance after each."""
    account = person(user_id)
    rows = session.execute(
        select(LedgerMovement.id, LedgerMovement.created_at, LedgerMovement.kind, LedgerEntry.amount,
               LedgerMovement.reference, LedgerMovement.reason)
        .join(LedgerEntry, LedgerEntry.movement_id == LedgerMovement.id)
        .where(LedgerEntry.account == account).order_by(LedgerMovement.id, LedgerEntry.id)).all()
    lines, running = [], 0
    for mid, at, kind, amount, reference, reason in rows:
        running += amount
        lines.append(StatementLine(mid, at, kind, amount, running, reference, reason))
    return lines


def statement_length(session: Session, user_id: int) -> int:
    """How many lines a person's statement has."""
    return session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.account == person(user_id)))


def statement_page(session: Session, user_id: int, offset: int, limit: int) -> list[StatementLine]:
    """Newest first, `limit` lines of a person's statement from `offset`, each with the balance after it.

    The running balance is a window sum in the database, so a long history is never read whole for one page."""
    account = person(user_id)
    running = func.sum(LedgerEntry.amount).over(order_by=(LedgerMovement.id, LedgerEntry.id))
    lines = (select(LedgerMovement.id.label("mid"), LedgerEntry.id.label("eid"), LedgerMovement.created_at,
                    LedgerMovement.kind, LedgerEntry.amount, running.label("balance"), LedgerMovement.reference,
                    LedgerMovement.reason)
             .join(LedgerEntry, LedgerEntry.movement_id == LedgerMovement.id)
             .where(LedgerEntry.account == account).subquery())
    rows = session.execute(select(lines.c.mid, lines.c.created_at, lines.c.kind, lines.c.amount, lines.c.balance,
                                  lines.c.reference, lines.c.reason)
                           .order_by(lines.c.mid.desc(), lines.c.eid.desc()).offset(offset).limit(limit)).all()
    return [StatementLine(*row) for row in rows]


def check(session: Session, ties: bool = True) -> list[str]:
    """Every broken ledger invariant, one line each naming the movement or account; empty when the books hold.

    `ties=False` leaves out whether each credit is held by a confirmed activity or order: only for tests of the
    bare ledger, whose references name no real activity.
    """
    problems = []
    for mid, total in session.execute(
            select(LedgerMovement.id, func.coalesce(func.sum(LedgerEntry.amount), 0))
            .outerjoin(LedgerEntry, LedgerEntry.movement_id == LedgerMovement.id).group_by(LedgerMovement.id)
            .order_by(LedgerMovement.id)):
        if total != 0:
            problems.append(f"movement {mid}: entries sum to {total}, not 0")
    for mid, count in session.execute(
            select(LedgerMovement.id, func.count(LedgerEntry.id))
            .outerjoin(LedgerEntry, LedgerEntry.movement_id == LedgerMovement.id).group_by(LedgerMovement.id)
            .having(func.count(LedgerEntry.id) < 2)):
        problems.append(f"movement {mid}: has {count} entries, needs at least 2")
    orphans = session.scalars(select(LedgerEntry.id).where(
        LedgerEntry.movement_id.not_in(select(LedgerMovement.id)))).all()
    problems += [f"entry {eid}: belongs to no movement" for eid in orphans]
    overall = session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)))
    if overall != 0:
        problems.append(f"all entries sum to {overall}, not 0")
    for account, total in session.execute(
            select(LedgerEntry.account, func.sum(LedgerEntry.amount)).group_by(LedgerEntry.account)
            .order_by(LedgerEntry.account)):
        if not ACCOUNT.match(account):
            problems.append(f"account {account}: not a person, issuing or pool account")
            continue
        low = floor(session, account)
        if low is not None and total < low:
            problems.append(f"account {account}: balance {total} below its floor {low}")
    movements = {m.id: m for m in session.scalars(select(LedgerMovement).order_by(LedgerMovement.id))}
    reversed_by: dict[int, list[int]] = {}
    for m in movements.values():
        if m.kind not in MOVEMENT_KINDS:
            problems.append(f"movement {m.id}: unknown kind {m.kind!r}")
        if m.kind in ("credit_service", "pay_service") and not REFERENCE.match(m.reference or ""):
            problems.append(f"movement {m.id}: {m.kind} not tied to an activity, order or ticket ({m.reference!r})")
        if m.kind == "reverse":
            target = movements.get(m.reverses_movement_id)
            if target is None:
                problems.append(f"movement {m.id}: reverses movement {m.reverses_movement_id}, which does not exist")
            elif target.kind == "reverse":
                problems.append(f"movement {m.id}: reverses a reversal ({target.id})")
            else:
                reversed_by.setdefault(target.id, []).append(m.id)
                if _legs(session, m.id) != sorted((a, -x) for a, x in _legs(session, target.id)):
                    problems.append(f"movement {m.id}: entries are not the opposite of movement {target.id}")
        elif m.reverses_movement_id is not None:
            problems.append(f"movement {m.id}: a {m.kind} must not point at a movement it reverses")
    for target, by in sorted(reversed_by.items()):
        if len(by) > 1:
            problems.append(f"movement {target}: reversed {len(by)} times (by {', '.join(map(str, by))})")
    for key, count in session.execute(
            select(LedgerMovement.idem_key, func.count()).group_by(LedgerMovement.idem_key).having(func.count() > 1)):
        problems.append(f"request key {key!r}: used by {count} movements")
    if ties:
        from .ties import untied_credits  # late: the activity and order services import this module

        problems += untied_credits(session, movements.values())
    return problems + _check_transfers(session, movements)


def _check_transfers(session: Session, movements: dict[int, LedgerMovement]) -> list[str]:
    """Each transfer row has the movement its step recorded, and each transfer movement has its row."""
    problems, rows = [], session.scalars(select(LedgerTransfer).order_by(LedgerTransfer.transfer_id)).all()
    expected = {"out": "transfer_out", "in": "transfer_in"}
    keys = {m.idem_key for m in movements.values()}
    tied = set()
    for row in rows:
        if row.state == "rolled_back" and row.direction == "in":
            continue        # a tombstone: nothing arrived
        m = movements.get(row.movement_id)
        if m is None or m.kind != expected.get(row.direction) or m.reference != f"transfer:{row.transfer_id}":
            problems.append(f"transfer {row.transfer_id}: its {row.direction} movement is missing or wrong")
            continue
        tied.add(m.id)
        sign = -1 if row.direction == "out" else 1
        if _legs(session, m.id) != sorted([(ISSUING, -sign * row.minutes), (person(row.user_id), sign * row.minutes)]):
            problems.append(f"transfer {row.transfer_id}: its {row.direction} movement {m.id} does not move "
                            f"{row.minutes} minutes of person:{row.user_id} as its record says")
        if row.direction == "out" and row.state == "rolled_back" and f"transfer-back:{row.transfer_id}" not in keys:
            problems.append(f"transfer {row.transfer_id}: rolled back but the hours were not given back")
    for m in movements.values():
        if m.kind in ("transfer_out", "transfer_in") and m.id not in tied and not m.idem_key.startswith("transfer-back:"):
            problems.append(f"movement {m.id}: a {m.kind} without its transfer record")
    return problems


def _legs(session: Session, movement_id: int) -> list[tuple[str, int]]:
    return sorted((a, x) for a, x in session.execute(select(LedgerEntry.account, LedgerEntry.amount)
                                                     .where(LedgerEntry.movement_id == movement_id)))


# Moving a person's hours between communities (通存通兑). Each community has its own database, so no transaction
# spans both: X retires the hours into a pending transfer, Y mints them under the same transfer id (once), X marks
# the transfer completed. recover_transfers finishes or rolls back what a failure left pending. See docs/timebank.md.

def _transfer_row(session: Session, transfer_id: str) -> LedgerTransfer | None:
    return session.get(LedgerTransfer, transfer_id)


def _check_transfer_id(transfer_id: str) -> str:
    if not transfer_id or len(transfer_id) > 36:
        raise HallError(_l("A transfer needs an id of 1 to 36 characters."))
    return transfer_id


def _refuse_replay() -> None:
    raise HallError(_l("This transfer id was already used for a different transfer; nothing was changed."))


def _is(row: LedgerTransfer | None, direction: str, user_id: int, minutes: int, other: str) -> bool:
    """Whether a transfer record is this one: a transfer id names one person, amount, source and target."""
    return row is not None and (row.direction, row.user_id, row.minutes, row.other_community) == (
        direction, int(user_id), minutes, other)


def start_transfer(session: Session, transfer_id: str, user_id: int, minutes: int, to_community: str, actor
                   ) -> LedgerTransfer:
    """Step 1, in the sending community: take the hours from the person into a pending transfer (once per id).

    Repeating it with the same person, minutes and target returns the same transfer; anything else is refused."""
    _check_minutes(minutes)
    _check_transfer_id(transfer_id)
    session.rollback()
    known = _transfer_row(session, transfer_id)
    if known is not None and not _is(known, "out", user_id, minutes, to_community):
        _refuse_replay()

    def record(s, movement_id):
        if _transfer_row(s, transfer_id) is not None:     # the id arrived here meanwhile: not ours to send
            _refuse_replay()
        s.execute(insert(LedgerTransfer).values(
            transfer_id=transfer_id, direction="out", user_id=int(user_id), other_community=to_community,
            minutes=minutes, state="pending", movement_id=movement_id, created_at=utcnow(), updated_at=utcnow()))

    account = person(user_id)
    _post(session, "transfer_out", f"transfer-out:{transfer_id}", [(account, -minutes), (ISSUING, minutes)], actor,
          reference=f"transfer:{transfer_id}", reason=f"to {to_community}", must_exist=(account,), also=record,
          own_hours_only=(account,))     # the overdraft is credit here only: moved, it would be hours elsewhere
    session.expire_all()
    row = _transfer_row(session, transfer_id)
    if not _is(row, "out", user_id, minutes, to_community):      # a concurrent start with other values won
        _refuse_replay()
    return row


def sent_record(source: Session, transfer_id: str) -> tuple[int, int, str, str] | None:
    """(person, minutes, target, state) of the sending community's own transfer-out record of this id, read fresh."""
    row = source.scalar(select(LedgerTransfer).where(LedgerTransfer.transfer_id == transfer_id)
                        .execution_options(populate_existing=True))
    if row is None or row.direction != "out":
        return None
    return row.user_id, row.minutes, row.other_community, row.state


def receive_transfer(session: Session, here: str, source: Session, from_community: str, transfer_id: str, actor
                     ) -> LedgerTransfer:
    """Step 2, in the receiving community `here`: credit what the sending community's own pending transfer-out
    record says (its person and minutes, with this community as its target), once per id, unless rolled back.

    Nothing the request says about amounts is trusted: the record in the source database is the only authority."""
    _check_transfer_id(transfer_id)
    if from_community == here:
        raise HallError(_l("This transfer does not match what the sending community recorded; nothing was changed."))
    sent = sent_record(source, transfer_id)
    if sent is None or sent[2] != here:
        raise HallError(_l("This transfer does not match what the sending community recorded; nothing was changed."))
    user_id, minutes, _target, state = sent
    session.rollback()
    row = _transfer_row(session, transfer_id)
    if row is not None and row.direction == "in" and row.state == "rolled_back":
        raise HallError(_l("This transfer was cancelled and can no longer arrive."))
    if row is not None:
        if not _is(row, "in", user_id, minutes, from_community):
            raise HallError(_l("This transfer does not match what the sending community recorded; nothing was "
                               "changed."))
        return row
    if state != "pending":
        raise HallError(_l("This transfer does not match what the sending community recorded; nothing was changed."))

    def record(s, movement_id):
        if _transfer_row(s, transfer_id) is not None:
            raise HallError(_l("This transfer was cancelled and can no longer arrive."))
        s.execute(insert(LedgerTransfer).values(
            transfer_id=transfer_id, direction="in", user_id=int(user_id), other_community=from_community,
            minutes=minutes, state="completed", movement_id=movement_id, created_at=utcnow(), updated_at=utcnow()))

    _post(session, "transfer_in", f"transfer-in:{transfer_id}", [(ISSUING, -minutes), (person(user_id), minutes)],
          actor, reference=f"transfer:{transfer_id}", reason=f"from {from_community}", also=record)
    session.expire_all()
    row = _transfer_row(session, transfer_id)
    if not _is(row, "in", user_id, minutes, from_community):
        raise HallError(_l("This transfer does not match what the sending community recorded; nothing was changed."))
    return row


def refuse_transfer(session: Session, transfer_id: str, from_community: str, user_id: int, minutes: int
                    ) -> LedgerTransfer:
    """In the receiving community: make sure a transfer never arrives (a tombstone), or say that it already did."""
    _begin_write(session)
    row = _transfer_row(session, transfer_id)
    if row is None:
        session.execute(insert(LedgerTransfer).values(
            transfer_id=transfer_id, direction="in", user_id=int(user_id), other_community=from_community,
            minutes=minutes, state="rolled_back", movement_id=None, created_at=utcnow(), updated_at=utcnow()))
    session.commit()
    return _transfer_row(session, transfer_id)


def _finish(session: Session, transfer_id: str, state: str, actor) -> LedgerTransfer:
    """Step 3 in the sending community: completed, or rolled back with the hours given back to the person."""
    row = _transfer_row(session, transfer_id)
    if row is None or row.direction != "out":
        raise HallError(_l("There is no such transfer."))
    if row.state == state:
        return row
    if row.state != "pending":
        raise HallError(_l("This transfer is already finished."))
    if state == "rolled_back":
        def mark(s, _movement_id):
            s.execute(LedgerTransfer.__table__.update().where(LedgerTransfer.transfer_id == transfer_id)
                      .values(state="rolled_back", updated_at=utcnow()))
        _post(session, "transfer_in", f"transfer-back:{transfer_id}",
              [(ISSUING, -row.minutes), (person(row.user_id), row.minutes)], actor,
              reference=f"transfer:{transfer_id}", reason="transfer rolled back", also=mark)
    else:
        _begin_write(session)
        session.execute(LedgerTransfer.__table__.update().where(LedgerTransfer.transfer_id == transfer_id,
                                                                LedgerTransfer.state == "pending")
                        .values(state="completed", updated_at=utcnow()))
        session.commit()
    session.expire_all()
    return _transfer_row(session, transfer_id)


def complete_transfer(session: Session, transfer_id: str, actor) -> LedgerTransfer:
    """Step 3: the receiving community has the hours; the transfer is done."""
    return _finish(session, transfer_id, "completed", actor)


def transfer(session_from: Session, session_to: Session, transfer_id: str, user_id: int, minutes: int,
             from_community: str, to_community: str, actor) -> LedgerTransfer:
    """Move a person's hours from one community to another in the three steps; safe to repeat with the same id."""
    start_transfer(session_from, transfer_id, user_id, minutes, to_community, actor)
    receive_transfer(session_to, to_community, session_from, from_community, transfer_id, actor)
    return complete_transfer(session_from, transfer_id, actor)


def recover_transfers(session: Session, community: str, session_for, actor, roll_back: bool = False
                      ) -> list[tuple[str, str]]:
    """Finish (or, with roll_back, cancel) every pending transfer out of this community; (id, outcome) each.

    Rolling back first leaves a tombstone in the receiving community, so a late arrival can never add the hours
    a second time; if they had already arrived there, the transfer is completed instead.
    """
    outcomes = []
    pending = session.scalars(select(LedgerTransfer).where(LedgerTransfer.direction == "out",
                                                           LedgerTransfer.state == "pending")
                              .order_by(LedgerTransfer.created_at)).all()
    for row in [(r.transfer_id, r.user_id, r.minutes, r.other_community) for r in pending]:
        transfer_id, user_id, minutes, other = row
        try:
            other_session = session_for(other)
            if roll_back:
                there = refuse_transfer(other_session, transfer_id, community, user_id, minutes)
            else:
                there = receive_transfer(other_session, other, session, community, transfer_id, actor)
        except HallError:
            there = _transfer_row(other_session, transfer_id)
        except Exception:   # noqa: BLE001 - the other community is unreachable: leave pending for the next run
            outcomes.append((transfer_id, "pending"))
            continue
        # Completed only when what arrived there is this very transfer; a record of another transfer under the same
        # id means this one can never arrive, so its hours go back.
        arrived = _is(there, "in", user_id, minutes, community) and there.state == "completed"
        state = "completed" if arrived else "rolled_back"
        outcomes.append((transfer_id, _finish(session, transfer_id, state, actor).state))
    return outcomes


def combined_balance(sessions: list[Session], user_id: int) -> int:
    """A person's balance over all the communities they belong to (one session each)."""
    return sum(balance(s, person(user_id)) for s in sessions)
