"""The hours pages: a member's balance, stars, statement, gifts and transfers; the head's ledger page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from .. import clock
from ..accounts.policy import requires
from ..errors import HallError, copy_error
from ..extensions import limiter
from ..htmx import render
from ..tenancy import community_session
from . import hours as services
from . import ledger
from .hours_forms import DonateForm, OverdraftForm, ReverseForm, SinceForm, StarsForm, TransferForm
from .ledger_models import ISSUING, POOL, LedgerMovement
from .stars import thresholds_for

bp = Blueprint("hours", __name__, url_prefix="/c/<slug>")


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


def _transfer_form(form: TransferForm | None = None) -> TransferForm:
    form = form or TransferForm(formdata=None)
    form.to_community.choices = [SelectChoice(c.slug, c.name) for c in services.communities_of(current_user.id)
                                 if c.slug != g.community.slug]
    if not form.transfer_id.data:
        form.transfer_id.data = str(uuid.uuid4())     # made once per rendered form: a retry is the same transfer
    return form


def _hours_page(donate: DonateForm | None = None, transfer: TransferForm | None = None, status: int = 200):
    if donate is None:
        donate = DonateForm(formdata=None)
    if not donate.key.data:
        donate.key.data = uuid.uuid4().hex      # a new key per rendered form: a double submit gives once
    lines, pages = services.statement_page(db(), current_user.id, _page())
    per_community, total = services.combined(current_user.id)
    several = len(per_community) > 1
    return render("timebank/hours.html", balance=ledger.balance(db(), ledger.person(current_user.id)),
                  stars=services.stars_of(db(), current_user.id), lines=lines, page=min(_page(), pages), pages=pages,
                  donate=donate, transfer=_transfer_form(transfer) if several else None, several=several,
                  per_community=per_community, total=total,
                  record=services.combined_record(current_user.id) if several else [],
                  kinds=services.KIND_NAMES, hm=services.hours_text), status


@bp.route("/timebank/hours")
@requires("community.member")
def mine(slug):
    """A member's hours: balance, stars, statement, gifts; balances in every community and transfers."""
    services.recover_own(g.community, current_user)
    return _hours_page()


def _not_a_person_lookup() -> bool:
    return request.form.get("target") != "person"


@bp.route("/timebank/hours/donate", methods=["POST"])
@requires("community.member")
# Each post naming a person looks them up by phone or username: limited per user, so nobody walks the phone book.
@limiter.limit(lambda: current_app.config.get("DONATION_LOOKUP_RATE_LIMIT", "20 per hour"),
               key_func=lambda: f"donate-lookup|{current_user.id}", exempt_when=_not_a_person_lookup)
def donate(slug):
    """Give hours: the first post shows what will happen, the confirmed post records it once per form key."""
    form = DonateForm()
    if not form.validate_on_submit() or not form.key.data:
        if not form.errors:
            form.form_errors.append(_("The form has expired; please try again."))
        return _hours_page(donate=form, status=422)
    minutes = services.to_minutes(form.hours.data, form.minutes.data)
    to = None if form.target.data == "pool" else (form.to.data or "")
    try:
        if form.confirmed.data != "yes":
            person = services.review_donation(db(), g.community, current_user.id, to, minutes)
            return render("timebank/hours_confirm.html", form=form, minutes=minutes, person=person,
                          hm=services.hours_text)
        services.donate_hours(db(), g.community, current_user.id, to, minutes, form.key.data,
                              services.actor_of(current_user))
    except HallError as err:
        db().rollback()
        if err.field == "minutes":
            err.field = "hours"
        copy_error(form, err)
        return _hours_page(donate=form, status=422)
    flash(_("Thank you: %(hours)s given.", hours=services.hours_text(minutes)), "success")
    return redirect(url_for("hours.mine", slug=slug), code=303)


@bp.route("/timebank/hours/transfer", methods=["POST"])
@requires("community.member")
def transfer(slug):
    """Move own hours to another community the member belongs to; a retry with the same form moves once."""
    form = _transfer_form(TransferForm())
    posted_id = request.form.get("transfer_id", "")
    if not form.validate_on_submit() or not posted_id or len(posted_id) > 36:
        if not form.errors:
            form.form_errors.append(_("The form has expired; please try again."))
        return _hours_page(transfer=form, status=422)
    minutes = services.to_minutes(form.hours.data, form.minutes.data)
    try:
        state = services.transfer_hours(g.community, current_user, form.to_community.data, minutes,
                                        form.transfer_id.data)
    except HallError as err:
        db().rollback()
        if err.field == "minutes":
            err.field = "hours"
        copy_error(form, err)
        return _hours_page(transfer=form, status=422)
    if state == "completed":
        flash(_("%(hours)s moved to the other community.", hours=services.hours_text(minutes)), "success")
    else:
        flash(_("The hours have left this community but have not arrived yet; the move will be finished "
                "automatically."), "warning")
    return redirect(url_for("hours.mine", slug=slug), code=303)


# --- the head's ledger page ---------------------------------------------------------------------
def _since() -> tuple[SinceForm, datetime]:
    form = SinceForm(request.args)
    form.validate()
    day = form.since.data if not form.since.errors and form.since.data else None
    if day is None:
        day = (clock.utcnow() - timedelta(days=30)).date()
        form.since.data = day
    return form, datetime.combine(day, time.min, tzinfo=UTC)


def _ledger_page(overdraft: OverdraftForm | None = None, star_form: StarsForm | None = None, status: int = 200):
    if star_form is None:
        star_form = StarsForm(formdata=None, data={f"star{i + 1}": h for i, h in enumerate(thresholds_for(db()))})
    since_form, since = _since()
    return render("timebank/ledger_admin.html", accounts=services.account_rows(db()),
                  pool=ledger.balance(db(), POOL), issuing=ledger.balance(db(), ISSUING),
                  movements=services.recent_movements(db()), overdraft=overdraft or OverdraftForm(formdata=None),
                  star_form=star_form, since_form=since_form, rises=services.new_levels(db(), since),
                  kinds=services.KIND_NAMES, hm=services.hours_text), status


@bp.route("/timebank/ledger")
@requires("timebank.manage")
def ledger_page(slug):
    """The head's view of the ledger: accounts, pool, recent movements, overdrafts, stars."""
    return _ledger_page()


def _movement_or_404(movement_id: int) -> LedgerMovement:
    movement = db().get(LedgerMovement, movement_id)
    if movement is None:
        abort(404)
    return movement


@bp.route("/timebank/ledger/movements/<int:movement_id>/reverse", methods=["GET", "POST"])
@requires("timebank.manage")
def reverse(slug, movement_id):
    """Reverse a movement: open it, then confirm with a reason."""
    movement = _movement_or_404(movement_id)
    form = ReverseForm()
    if form.validate_on_submit():
        try:
            ledger.reverse(db(), movement_id, form.reason.data, services.actor_of(current_user))
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Movement %(id)s was reversed.", id=movement_id), "success")
            return redirect(url_for("hours.ledger_page", slug=slug), code=303)
    row = next((r for r in services.recent_movements(db(), 10 ** 6) if r.m.id == movement_id), None)
    return render("timebank/ledger_admin_reverse.html", form=form, row=row, movement=movement,
                  kinds=services.KIND_NAMES, hm=services.hours_text), 422 if form.errors else 200


@bp.route("/timebank/ledger/overdraft", methods=["POST"])
@requires("timebank.manage")
def overdraft(slug):
    """Set how far below zero a person's balance may go."""
    form = OverdraftForm()
    if form.validate_on_submit():
        try:
            user_id = services.find_member(db(), g.community, form.person.data)
            ledger.set_overdraft(db(), user_id, form.hours.data * 60, services.actor_of(current_user))
        except HallError as err:
            db().rollback()
            err.field = "person" if err.field == "to" else "hours"
            copy_error(form, err)
        else:
            flash(_("Overdraft set to %(hours)s hours.", hours=form.hours.data), "success")
            return redirect(url_for("hours.ledger_page", slug=slug), code=303)
    return _ledger_page(overdraft=form, status=422)


@bp.route("/timebank/ledger/stars", methods=["POST"])
@requires("timebank.manage")
def star_thresholds(slug):
    """Save the community's five star thresholds."""
    from .settings import save_thresholds

    form = StarsForm()
    if form.validate_on_submit():
        try:
            save_thresholds(db(), [form[f"star{i}"].data for i in range(1, 6)], current_user.id)
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Star thresholds saved."), "success")
            return redirect(url_for("hours.ledger_page", slug=slug), code=303)
    return _ledger_page(star_form=form, status=422)
