"""Orders for volunteer services (点单派单), the claim board, family grants and pool eligibility."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from .. import clock
from ..accounts.models import Profile
from ..accounts.policy import can, requires
from ..errors import HallError, copy_error, parse_id
from ..formatting import decimal_hours
from ..htmx import render
from ..tenancy import community_session
from . import family, ledger
from . import orders as services
from .forms import PART_NAMES, SKILL_NAMES
from .order_forms import (
    ACTION_NAMES,
    POOL_REASON_NAMES,
    RELATION_NAMES,
    SOURCE_NAMES,
    STATUS_NAMES,
    ConfirmForm,
    DeclineForm,
    DispatchForm,
    DoneForm,
    EligibleForm,
    GrantForm,
    OrderForm,
)
from .order_models import Order
from .volunteer_models import Volunteer
from .volunteers import approved_volunteer

bp = Blueprint("orders", __name__, url_prefix="/c/<slug>")


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def _staff() -> bool:
    return can(g.roles, "orders.dispatch")


def _actor() -> services.Actor:
    return services.Actor(current_user.id, current_user.display_name, "staff" if _staff() else "resident")


def _today():
    return clock.today(g.community.timezone)


def _names() -> dict:
    return {"status_names": STATUS_NAMES, "action_names": ACTION_NAMES, "part_names": PART_NAMES,
            "source_names": SOURCE_NAMES, "skill_names": SKILL_NAMES, "relation_names": RELATION_NAMES,
            "reason_names": POOL_REASON_NAMES}


def _visible_or_404(order_id: int) -> Order:
    # The resident, the volunteer it was sent to, volunteers while it is on the board, and station staff.
    order = services.get(db(), order_id)
    if order is None:
        abort(404)
    volunteer = approved_volunteer(db(), current_user.id)
    mine = volunteer is not None and order.volunteer_id == volunteer.id
    on_board = volunteer is not None and order.status == "open" and order.on_board
    if not (_staff() or order.resident_user_id == current_user.id or mine or on_board):
        abort(404)
    return order


@bp.route("/orders")
@requires("community.member")
def index(slug):
    """What a person can order, their orders, the orders sent to them as a volunteer, and the station's list."""
    volunteer = approved_volunteer(db(), current_user.id)
    show_all = request.args.get("all") == "1"
    return render("timebank/orders.html", items=services.volunteer_items(db()),
                  mine=services.of_resident(db(), current_user.id), volunteer=volunteer,
                  theirs=services.of_volunteer(db(), volunteer.id) if volunteer else [],
                  station=services.for_staff(db(), show_all) if _staff() else [], show_all=show_all,
                  board_count=len(services.board(db())), **_names())


@bp.route("/orders/new", methods=["GET", "POST"])
@requires("community.member")
def new(slug):
    """点单: order a volunteer service (staff may order for a resident who calls or walks in)."""
    form = OrderForm()
    form.item.choices = [SelectChoice(str(i.id), i.name) for i in services.volunteer_items(db())]
    if not form.key.data:
        form.key.data = uuid.uuid4().hex      # a new key per rendered form: a double click places one order
    if request.method == "GET":
        form.item.data = request.args.get("item", "")
        profile = db().get(Profile, current_user.id)
        if profile is not None and not _staff():
            form.phone.data, form.address.data = profile.phone, profile.address
    if form.validate_on_submit():
        resident_id = current_user.id
        try:
            if _staff() and (form.resident.data or "").strip():
                member = family.find_member(db(), form.resident.data)
                if member is None:
                    raise HallError(_("Nobody with this phone or username is registered in this community."),
                                    "resident")
                resident_id = member.user_id
            item_id = parse_id(form.item.data) or 0
            order = services.place(db(), resident_id, services.NewOrder(
                item_id=item_id, wanted_day=form.wanted_day.data, wanted_part=form.wanted_part.data,
                address=form.address.data, phone=form.phone.data, note=form.note.data or "",
                request_key=form.key.data), _actor(), _today())
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Your order has been sent to the station."), "success")
            return redirect(url_for("orders.order", slug=slug, order_id=order.id), code=303)
    return render("timebank/order_new.html", form=form, staff=_staff(), today=_today())


def _source_choices(order: Order) -> list[SelectChoice]:
    resident = order.resident_user_id
    own = ledger.balance(db(), ledger.person(resident))
    choices = [SelectChoice("own", _("Own hours (balance %(hours)s hours)", hours=decimal_hours(own)))]
    for grant in family.received(db(), resident):
        choices.append(SelectChoice(f"family:{grant.grantor_user_id}", _(
            "Hours of %(name)s (%(relation)s)", name=grant.grantor_name, relation=RELATION_NAMES[grant.relation])))
    if services.is_eligible(db(), resident):
        choices.append(SelectChoice("pool", _("The community's donation pool")))
    return choices


def _order_page(order: Order, **forms):
    volunteer = approved_volunteer(db(), current_user.id)
    dispatch = forms.get("dispatch_form") or DispatchForm()
    candidates = services.candidates(db(), order) if _staff() and order.status == "open" else []
    dispatch.volunteer.choices = [SelectChoice("board", _("Put it on the board for volunteers to take"))] + [
        SelectChoice(str(v.id), f"{v.number} {v.real_name}" + (f" · {_('free then')}" if free else ""))
        for v, free in candidates]
    confirm = forms.get("confirm_form") or ConfirmForm()
    confirm.source.choices = _source_choices(order)
    if confirm.source.data is None:
        # A resident on the pool list whose own hours cannot cover the service (the usual 孤寡老人) pays from the pool.
        short = ledger.balance(db(), ledger.person(order.resident_user_id)) < (order.minutes or 0)
        confirm.source.data = "pool" if short and services.is_eligible(db(), order.resident_user_id) else "own"
    assigned = db().get(Volunteer, order.volunteer_id) if order.volunteer_id else None
    return render("timebank/order.html", o=order, staff=_staff(), candidates=candidates, assigned=assigned,
                  is_resident=order.resident_user_id == current_user.id,
                  is_volunteer=volunteer is not None and order.volunteer_id == volunteer.id,
                  may_claim=volunteer is not None and order.status == "open" and order.on_board,
                  dispatch_form=dispatch, decline_form=forms.get("decline_form") or DeclineForm(),
                  done_form=forms.get("done_form") or DoneForm(), confirm_form=confirm, hours=decimal_hours(order.minutes),
                  **_names())


@bp.route("/orders/<int:order_id>")
@requires("community.member")
def order(slug, order_id):
    """One order: its state, timeline and what the viewer may do next."""
    return _order_page(_visible_or_404(order_id))


def _done(slug, order_id, message):
    flash(message, "success")
    return redirect(url_for("orders.order", slug=slug, order_id=order_id), code=303)


def _expired(slug, order_id):
    flash(_("The form has expired; please try again."), "error")
    return redirect(url_for("orders.order", slug=slug, order_id=order_id), code=303)


@bp.route("/orders/<int:order_id>/dispatch", methods=["POST"])
@requires("orders.dispatch")
def dispatch(slug, order_id):
    """派单: send the order to a volunteer, or put it on the board."""
    o = _visible_or_404(order_id)
    form = DispatchForm()
    if not form.validate_on_submit():
        return _expired(slug, order_id)
    try:
        if form.volunteer.data == "board":
            services.to_board(db(), o.id, _actor())
            message = _("The order is on the board; approved volunteers can take it.")
        else:
            vid = parse_id(form.volunteer.data) or 0
            services.dispatch(db(), o.id, vid, _actor())
            message = _("The order was sent to the volunteer.")
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
        return redirect(url_for("orders.order", slug=slug, order_id=order_id), code=303)
    return _done(slug, order_id, message)


def _simple(slug, order_id, verb, message):
    _visible_or_404(order_id)
    if not DeclineForm().validate_on_submit():
        return _expired(slug, order_id)
    try:
        verb()
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
        return redirect(url_for("orders.order", slug=slug, order_id=order_id), code=303)
    return _done(slug, order_id, message)


@bp.route("/orders/<int:order_id>/claim", methods=["POST"])
@requires("community.member")
def claim(slug, order_id):
    """A volunteer takes an order from the board."""
    return _simple(slug, order_id, lambda: services.claim(db(), order_id, _actor()),
                   _("The order is yours. Please call the resident to agree the time."))


@bp.route("/orders/<int:order_id>/accept", methods=["POST"])
@requires("community.member")
def accept(slug, order_id):
    """接单: the volunteer accepts the order sent to them."""
    return _simple(slug, order_id, lambda: services.accept(db(), order_id, _actor()),
                   _("Accepted. Please call the resident to agree the time."))


@bp.route("/orders/<int:order_id>/cancel", methods=["POST"])
@requires("community.member")
def cancel(slug, order_id):
    """The resident or staff cancel an order not yet served."""
    return _simple(slug, order_id, lambda: services.cancel(db(), order_id, _actor(), _staff()),
                   _("The order was cancelled."))


@bp.route("/orders/<int:order_id>/decline", methods=["POST"])
@requires("community.member")
def decline(slug, order_id):
    """The volunteer gives the order back with a reason."""
    o = _visible_or_404(order_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline(db(), o.id, _actor(), form.reason.data or "")
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            return _done(slug, order_id, _("The order went back to the board."))
    return _order_page(o, decline_form=form)


@bp.route("/orders/<int:order_id>/done", methods=["POST"])
@requires("community.member")
def done(slug, order_id):
    """The volunteer reports the service done with the hours spent."""
    o = _visible_or_404(order_id)
    form = DoneForm()
    if form.validate_on_submit():
        try:
            services.complete(db(), o.id, _actor(), form.hours.data, form.note.data or "")
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            return _done(slug, order_id, _("Thank you. The resident will be asked to confirm."))
    return _order_page(o, done_form=form)


@bp.route("/orders/<int:order_id>/confirm", methods=["POST"])
@requires("community.member")
def confirm(slug, order_id):
    """评单: the resident (or staff for them) confirms, rates and pays; the volunteer is credited."""
    o = _visible_or_404(order_id)
    on_behalf = o.resident_user_id != current_user.id
    if on_behalf and not _staff():
        abort(404)
    form = ConfirmForm()
    form.source.choices = _source_choices(o)
    if form.validate_on_submit():
        source, _sep, grantor = form.source.data.partition(":")
        try:
            services.confirm(db(), o.id, _actor(), int(form.rating.data), form.comment.data or "", source,
                             int(grantor) if grantor.isdigit() else None, on_behalf, g.community.timezone)
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            return _done(slug, order_id, _("Confirmed. The volunteer has been credited; thank you for rating."))
    return _order_page(o, confirm_form=form)


@bp.route("/orders/board")
@requires("community.member")
def board(slug):
    """The board of orders approved volunteers may take."""
    volunteer = approved_volunteer(db(), current_user.id)
    return render("timebank/order_board.html", volunteer=volunteer,
                  orders=services.board(db()) if volunteer or _staff() else [], **_names())


@bp.route("/orders/from-ticket/<int:ticket_id>", methods=["POST"])
@requires("orders.dispatch")
def from_ticket(slug, ticket_id):
    """Staff send a home-visit ticket to volunteers as an order."""
    if not DeclineForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("visits.index", slug=slug), code=303)
    try:
        order = services.create_from_ticket(db(), ticket_id, _actor(), _today())
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
        return redirect(url_for("visits.index", slug=slug), code=303)
    return redirect(url_for("orders.order", slug=slug, order_id=order.id), code=303)


def _cap(text: str | None) -> float | None:
    if not (text or "").strip():
        return None
    try:
        return float(Decimal(text.strip()))
    except (InvalidOperation, ValueError):
        return -1.0


@bp.route("/orders/family", methods=["GET", "POST"])
@requires("community.member")
def family_grants(slug):
    """Family grants: let a family member pay for their services with your hours; see the grants you have."""
    form = GrantForm()
    if form.validate_on_submit():
        try:
            family.grant(db(), current_user.id, form.grantee.data, form.relation.data, _cap(form.cap_hours.data))
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Saved. Your family member can now pay for their services with your hours."), "success")
            return redirect(url_for("orders.family_grants", slug=slug), code=303)
    return render("timebank/family.html", form=form, given=family.given(db(), current_user.id),
                  received=family.received(db(), current_user.id), hours=decimal_hours, **_names())


@bp.route("/orders/family/<int:grant_id>/revoke", methods=["POST"])
@requires("community.member")
def revoke(slug, grant_id):
    """The grantor withdraws a grant."""
    if DeclineForm().validate_on_submit():
        try:
            family.revoke(db(), grant_id, current_user.id)
            flash(_("The grant was withdrawn."), "success")
        except HallError as err:
            db().rollback()
            flash(str(err.message), "error")
    return redirect(url_for("orders.family_grants", slug=slug), code=303)


@bp.route("/orders/pool", methods=["GET", "POST"])
@requires("timebank.manage")
def pool(slug):
    """The head's list of residents who pay for services from the donation pool (孤寡/空巢老人)."""
    form = EligibleForm()
    if form.validate_on_submit():
        try:
            services.mark_eligible(db(), form.who.data, form.reason.data, _actor())
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Saved. The resident's services can be paid from the donation pool."), "success")
            return redirect(url_for("orders.pool", slug=slug), code=303)
    pool_balance = ledger.balance(db(), "pool")
    return render("timebank/order_pool.html", form=form, rows=services.eligible(db()),
                  pool_hours=decimal_hours(pool_balance), **_names())


@bp.route("/orders/pool/<int:user_id>/remove", methods=["POST"])
@requires("timebank.manage")
def unmark(slug, user_id):
    """The head takes a resident off the pool list."""
    if DeclineForm().validate_on_submit():
        services.unmark_eligible(db(), user_id)
        flash(_("Taken off the list."), "success")
    return redirect(url_for("orders.pool", slug=slug), code=303)
