"""Resident side of the window: apply online, the receipt with its QR code, tracking, my requests, withdraw."""

from __future__ import annotations

import hashlib
import uuid

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import attempts
from ..accounts.models import Profile
from ..accounts.policy import community_public, requires_login
from ..errors import HallError, copy_error
from ..extensions import limiter
from ..menu.services import item_by_code
from ..pagecache import serve, watch
from ..qr import qr_svg
from . import rules, services
from .forms import ApplyForm, TrackForm
from .models import Ticket
from .views import bp, db

TRACKED = "tracked"   # session key: ticket numbers this browser has proved (number + phone digits)
TRACKED_TABLES = watch("tickets", "ticket_events")   # what the tracking page shows
TRACK_LIMIT = "TRACK_TICKET_FAILURE_LIMIT"   # the setting: wrong proofs of one number before it is locked


def _proved(ticket: Ticket) -> bool:
    """This visitor may see the ticket: they proved it, or it is their own."""
    if ticket.number in session.get(TRACKED, []):
        return True
    return current_user.is_authenticated and ticket.resident_user_id == current_user.id


def _remember(number: str) -> None:
    # Keep the last 20 proved numbers in the signed session cookie.
    session[TRACKED] = ([n for n in session.get(TRACKED, []) if n != number] + [number])[-20:]


def _resident_actor(ticket: Ticket) -> services.Actor:
    return services.Actor(current_user.id if current_user.is_authenticated else None, ticket.resident_name, "resident")


@bp.route("/apply/<code>", methods=["GET", "POST"])
@community_public
@limiter.limit(lambda: current_app.config["PUBLIC_FORM_RATE_LIMIT"], methods=["POST"])
def apply(slug, code):
    """Submit a request for a menu item online (the materials are listed before the form)."""
    item = item_by_code(db(), code, published_only=True)
    if item is None or "online" not in item.channel_list:
        abort(404)
    form = ApplyForm()
    if request.method == "GET":
        form.idem_key.data = uuid.uuid4().hex  # a double click or a resent form creates one ticket
        if current_user.is_authenticated:
            profile = db().get(Profile, current_user.id)
            form.resident_name.data = profile.real_name if profile else current_user.display_name
            form.resident_phone.data = profile.phone if profile else ""
            form.home_address.data = profile.address if profile else ""
    if form.validate_on_submit():
        sub = services.Submission(
            item_code=item.code, resident_name=form.resident_name.data, resident_phone=form.resident_phone.data,
            channel="home_visit" if form.home_visit.data else "online",
            resident_user_id=current_user.id if current_user.is_authenticated else None,
            details=form.details.data or "", aged_70=form.aged_70.data, disabled=form.disabled.data,
            pregnant=form.pregnant.data, home_address=form.home_address.data or "",
            idem_key=_idem_key(form.idem_key.data, form.resident_phone.data))
        try:
            ticket = services.submit_ticket(db(), g.community, sub, services.Actor(sub.resident_user_id, sub.resident_name,
                                                                                  "resident"))
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            _remember(ticket.number)
            return redirect(url_for("window.receipt", slug=slug, number=ticket.number), code=303)
    return render_template("window/apply.html", form=form, item=item)


def _idem_key(form_key: str | None, phone: str) -> str | None:
    """The form's one-time key bound to the phone given, so nobody can claim another's ticket by its key."""
    if not form_key:
        return None
    return "web-" + hashlib.sha256(f"{form_key}:{phone}".encode()).hexdigest()[:56]


@bp.route("/receipt/<number>")
@community_public
def receipt(slug, number):
    """The receipt: the ticket number, a QR code to follow it, and the materials to bring."""
    ticket = services.ticket_by_number(db(), number)
    if ticket is None or not _proved(ticket):
        abort(404)
    track_url = url_for("window.track", slug=slug, number=ticket.number, _external=True)
    item = item_by_code(db(), ticket.item_code)
    return render_template("window/receipt.html", t=ticket, item=item, qr=qr_svg(track_url), track_url=track_url)


@bp.route("/track", methods=["GET", "POST"])
@community_public
@limiter.limit(lambda: current_app.config["TRACK_RATE_LIMIT"], methods=["POST"],
               deduct_when=lambda response: response.status_code != 303)
def track(slug):
    """Follow a request by its number and the last four digits of the phone given with it."""
    form = TrackForm()
    if request.method == "GET" and request.args.get("number"):
        form.number.data = request.args["number"]
    if form.validate_on_submit():
        # Counted per number, existing or not (so the lock tells nothing), whatever the address: numbers are
        # predictable and four digits few, so the per-address limit alone can be beaten by changing address.
        key = (TRACK_LIMIT, slug, form.number.data.strip().upper())
        if attempts.locked(*key):
            form.form_errors.append(_("Too many wrong attempts for this request number. Ask at the service window, "
                                      "or try again later."))
            return render_template("window/track.html", form=form), 429
        ticket = services.ticket_by_number(db(), form.number.data)
        if ticket is not None and ticket.resident_phone[-4:] == form.digits.data:
            _remember(ticket.number)
            return redirect(url_for("window.tracked", slug=slug, number=ticket.number), code=303)
        attempts.failed(*key)
        # One message for a wrong number and wrong digits: nobody can probe which numbers exist.
        form.form_errors.append(_("No request matches this number and these digits. Check both and try again."))
    return render_template("window/track.html", form=form)


@bp.route("/track/<number>")
@community_public
def tracked(slug, number):
    """Where a proved request stands, in plain words, with its public timeline."""
    number = (number or "").strip().upper()
    if number not in session.get(TRACKED, []):   # not proved in this browser: perhaps the signed-in owner's
        ticket = services.ticket_by_number(db(), number)
        if ticket is None or not _proved(ticket):
            return redirect(url_for("window.track", slug=slug, number=number), code=303)

    def page():
        ticket = services.ticket_by_number(db(), number)
        if ticket is None:
            return redirect(url_for("window.track", slug=slug, number=number), code=303)
        rate_url = url_for("ratings.rate", slug=slug, number=ticket.number) \
            if ticket.status in ("done", "declined") and ticket.kind == "request" else None
        return render_template("window/tracked.html", t=ticket, rate_url=rate_url,
                               actions=rules.allowed_actions(ticket.status, "resident"))

    # Kept while no ticket and no timeline entry of the community has been written since: a proved visitor is
    # served without reading the database beyond the write stamps.
    return serve(TRACKED_TABLES, page, stamp=number)


@bp.route("/track/<number>/<action>", methods=["POST"])
@community_public
def resident_act(slug, number, action):
    """The resident withdraws a request not yet accepted, or says the missing materials are supplied."""
    ticket = services.ticket_by_number(db(), number)
    if ticket is None or not _proved(ticket) or action not in ("withdraw", "resubmit"):
        abort(404)
    note = request.form.get("note", "")[:500]
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    try:
        if action == "withdraw":
            services.withdraw(db(), ticket, _resident_actor(ticket), note, version)
            flash(_("Your request has been withdrawn."), "success")
        else:
            services.resubmit(db(), g.community, ticket, _resident_actor(ticket), note, version)
            flash(_("Thank you. The station has been told the materials are supplied."), "success")
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    return redirect(url_for("window.tracked", slug=slug, number=number), code=303)


@bp.route("/my")
@community_public
@requires_login
def mine(slug):
    """The signed-in resident's requests in this community, newest first."""
    tickets = db().scalars(select(Ticket).where(Ticket.resident_user_id == current_user.id)
                           .order_by(Ticket.submitted_at.desc()).limit(200)).all()
    return render_template("window/mine.html", tickets=tickets)
