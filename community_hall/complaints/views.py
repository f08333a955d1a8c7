"""Complaint pages: the resident's two forms, the handler's list, one complaint with its written answer."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from ..accounts.models import Profile
from ..accounts.policy import community_public, requires
from ..errors import HallError, copy_error, parse_id
from ..extensions import limiter
from ..glossary import status_label
from ..htmx import render
from ..menu.models import ServiceItem
from ..tenancy import community_session
from ..window import services as tickets
from ..window.forms import ActionForm
from ..window.resident_views import _idem_key, _remember
from . import services
from .forms import ComplaintForm, UnresolvedForm

bp = Blueprint("complaints", __name__, url_prefix="/c/<slug>")
KIND_LABELS = {"complaint": _l("Complaint"), "unresolved": _l("Matter nobody would handle")}


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def _prepare(form) -> None:
    """Fill the choices, and on a first visit the one-time key and a signed-in resident's name and phone."""
    items = db().query(ServiceItem).filter_by(published=True).order_by(ServiceItem.position, ServiceItem.code).all()
    form.item_code.choices = [SelectChoice("", _("Choose a service"))] + \
        [SelectChoice(i.code, f"{i.code} {i.name}") for i in items]
    if isinstance(form, ComplaintForm):
        form.staff_user_id.choices = [SelectChoice("", _("Choose a person"))] + [
            SelectChoice(str(uid), f"{name}（{_('Station head')}）" if is_head else name)
            for uid, name, is_head in services.station_people(g.community)]
    if request.method == "GET":
        form.idem_key.data = uuid.uuid4().hex  # a double click or a resent form creates one ticket
        form.item_code.data = request.args.get("item", "")
        if current_user.is_authenticated:
            profile = db().get(Profile, current_user.id)
            form.resident_name.data = profile.real_name if profile else current_user.display_name
            form.resident_phone.data = profile.phone if profile else ""


def _submit(slug, kind: str, form, template: str):
    _prepare(form)
    if form.validate_on_submit():
        data = services.ComplaintData(
            kind=kind, resident_name=form.resident_name.data, resident_phone=form.resident_phone.data,
            details=form.details.data or "", resident_user_id=current_user.id if current_user.is_authenticated else None,
            item_code=form.item_code.data or "", idem_key=_idem_key(form.idem_key.data, form.resident_phone.data))
        if isinstance(form, ComplaintForm):
            data.about, data.ticket_number = form.about.data, form.ticket_number.data or ""
            data.staff_user_id = parse_id(form.staff_user_id.data)
        else:
            data.where_tried = form.where_tried.data or ""
        actor = tickets.Actor(data.resident_user_id, data.resident_name, "resident")
        try:
            ticket = services.submit_complaint(db(), g.community, data, actor,
                                               workdays=int(current_app.config["COMPLAINT_WORKDAYS"]))
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            _remember(ticket.number)
            return redirect(url_for("window.receipt", slug=slug, number=ticket.number), code=303)
    return render(template, form=form)


@bp.route("/complaints/new", methods=["GET", "POST"])
@community_public
@limiter.limit(lambda: current_app.config["PUBLIC_FORM_RATE_LIMIT"], methods=["POST"])
def new_complaint(slug):
    """A resident complains about a service or a member of staff; the head (or the street office) answers."""
    return _submit(slug, "complaint", ComplaintForm(), "complaints/new.html")


@bp.route("/unresolved/new", methods=["GET", "POST"])
@community_public
@limiter.limit(lambda: current_app.config["PUBLIC_FORM_RATE_LIMIT"], methods=["POST"])
def new_unresolved(slug):
    """A resident reports a matter nobody would handle (办不成事反映); the head takes it up."""
    return _submit(slug, "unresolved", UnresolvedForm(), "complaints/unresolved.html")


@bp.route("/complaints")
@requires("complaints.handle")
def index(slug):
    """The complaints this person handles: the head those about the service and staff, the district those about
    the head."""
    status = "all" if request.args.get("status") == "all" else "open"
    rows = services.complaints_for(db(), current_user, g.roles, status)
    return render("complaints/index.html", rows=rows, status=status, is_overdue=tickets.is_overdue, kinds=KIND_LABELS)


def _visible_or_404(number: str):
    t = tickets.ticket_by_number(db(), number)
    complaint = services.visible_complaint(db(), t, current_user, g.roles)
    if complaint is None:
        abort(404)  # not a complaint, or not this person's to see: it does not exist for them
    return t, complaint


@bp.route("/complaints/<number>")
@requires("complaints.handle")
def show(slug, number):
    """One complaint for its handler: who complains, about what, the timeline, and the written answer."""
    t, complaint = _visible_or_404(number)
    return render("complaints/show.html", t=t, c=complaint, form=ActionForm(version=t.version),
                  is_overdue=tickets.is_overdue(t), kinds=KIND_LABELS)


@bp.route("/complaints/<number>/<action>", methods=["POST"])
@requires("complaints.handle")
def act(slug, number, action):
    """Reply in writing or decline with a reason; a conflict or an empty text is shown, nothing half-done."""
    if action not in ("reply", "decline"):
        abort(404)
    t, _complaint = _visible_or_404(number)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    actor = tickets.Actor(current_user.id, current_user.display_name, "staff")
    try:
        t = services.answer(db(), t, actor, action, form.note.data or "", form.version.data)
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    else:
        flash(_("%(number)s: %(state)s", number=t.number, state=status_label(t.status)), "success")
    return redirect(url_for("complaints.show", slug=slug, number=number), code=303)
