"""Residents book, find, change and cancel appointments; the kiosk checks them in; staff see the day's list."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Profile
from ..accounts.policy import can, community_public, requires
from ..errors import HallError, copy_error
from ..extensions import limiter
from ..floor.models import ServiceWindow
from ..htmx import render
from ..menu.services import item_by_code
from ..tenancy import community_session
from . import services
from .forms import BookForm, CheckInForm, FindForm, HoursForm, SlotForm
from .models import Appointment

bp = Blueprint("appointments", __name__, url_prefix="/c/<slug>")

PROVED = "appointments"   # session key: confirmation codes this browser booked or proved with the phone


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def _remember(code: str) -> None:
    session[PROVED] = ([c for c in session.get(PROVED, []) if c != code] + [code])[-20:]


def _may_see(appt: Appointment) -> bool:
    if appt.code in session.get(PROVED, []):
        return True
    if current_user.is_authenticated and appt.resident_user_id == current_user.id:
        return True
    return can(g.roles, "appointments.view")


def _appointment_or_find(code: str) -> Appointment:
    appt = services.by_code(db(), code)
    if appt is None or not _may_see(appt):
        abort(404)
    return appt


def _day_label(d: date) -> str:
    return format_date(d, "full")


def _fill_slots(form: SlotForm, window: ServiceWindow | None, exclude_id: int | None = None) -> list:
    """Offer the open days and, for the chosen day, its times with places left; returns the slot views."""
    days = services.open_days(db(), g.community)
    form.day.choices = [(d.isoformat(), _day_label(d)) for d in days]
    if not form.day.data and days:
        form.day.data = days[0].isoformat()
    views = []
    if window is not None and form.day.data:
        try:
            views = services.day_slots(db(), g.community, window, date.fromisoformat(form.day.data),
                                       exclude_id=exclude_id)
        except ValueError:
            views = []
    form.start.choices = [(v.slot.key, v.slot.label) for v in views if v.bookable]
    return views


@bp.route("/appointments")
@community_public
def index(slug):
    """Which services can be booked, finding a booking, and a signed-in resident's own bookings."""
    mine = services.of_resident(db(), current_user.id) if current_user.is_authenticated else []
    return render_template("appointments/index.html", items=services.bookable_items(db()), find_form=FindForm(),
                           mine=mine)


@bp.route("/appointments/book", methods=["GET", "POST"])
@community_public
@limiter.limit(lambda: current_app.config["PUBLIC_FORM_RATE_LIMIT"], methods=["POST"])
def book(slug):
    """Book: service, day, time, name and phone; htmx refreshes the times when the service or day changes."""
    items = services.bookable_items(db())
    if not items:
        abort(404)
    form = BookForm(request.form if request.method == "POST" else request.args, meta={"csrf": True})
    form.item.choices = [(i.code, i.name) for i in items]
    if not form.item.data:
        form.item.data = items[0].code
    if request.method == "GET" and current_user.is_authenticated and not form.name.data:
        profile = db().get(Profile, current_user.id)
        form.name.data = profile.real_name if profile else current_user.display_name
        form.phone.data = profile.phone if profile else ""
    item = next((i for i in items if i.code == form.item.data), items[0])
    try:
        window = services.window_for(db(), item)
    except HallError:
        window = None
    views = _fill_slots(form, window)
    if request.method == "POST" and form.validate():
        try:
            appt = services.book(db(), g.community, form.item.data, services.parse_day(form.day.data),
                                 form.start.data, form.name.data, form.phone.data,
                                 current_user.id if current_user.is_authenticated else None)
        except HallError as err:
            db().rollback()
            copy_error(form, err)
            views = _fill_slots(form, window)
        else:
            _remember(appt.code)
            return redirect(url_for("appointments.show", slug=slug, code=appt.code), code=303)
    return render("appointments/book.html", block="slots", form=form, item=item, window=window, views=views,
                  refresh_url=url_for("appointments.book", slug=slug))


@bp.route("/appointments/find", methods=["POST"])
@community_public
@limiter.limit(lambda: current_app.config["TRACK_RATE_LIMIT"], methods=["POST"],
               deduct_when=lambda response: response.status_code != 303)
def find(slug):
    """Prove a booking by its code and phone, then see it."""
    form = FindForm()
    if form.validate_on_submit():
        try:
            appt = services.find(db(), form.code.data, form.phone.data)
        except HallError as err:
            copy_error(form, err)
        else:
            _remember(appt.code)
            return redirect(url_for("appointments.show", slug=slug, code=appt.code), code=303)
    mine = services.of_resident(db(), current_user.id) if current_user.is_authenticated else []
    return render_template("appointments/index.html", items=services.bookable_items(db()), find_form=form,
                           mine=mine), 422


@bp.route("/appointments/<code>")
@community_public
def show(slug, code):
    """A booking: when and where, the confirmation code, what to bring, and change or cancel."""
    appt = services.by_code(db(), code)
    if appt is None or not _may_see(appt):
        return redirect(url_for("appointments.index", slug=slug), code=303)
    item = item_by_code(db(), appt.item_code)
    return render_template("appointments/show.html", a=appt, item=item, window=db().get(ServiceWindow, appt.window_id),
                           number=services.number_for(db(), appt))


@bp.route("/appointments/<code>/cancel", methods=["POST"])
@community_public
def cancel(slug, code):
    """Cancel a booking; the place goes back to others."""
    appt = _appointment_or_find(code)
    try:
        services.cancel(db(), appt)
        flash(_("Your appointment has been cancelled."), "success")
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    return redirect(url_for("appointments.show", slug=slug, code=appt.code), code=303)


@bp.route("/appointments/<code>/reschedule", methods=["GET", "POST"])
@community_public
def reschedule(slug, code):
    """Move a booking to another day or time; the code stays the same."""
    appt = _appointment_or_find(code)
    if appt.status != "booked":
        flash(_("This appointment can no longer be changed (it was checked in, cancelled or missed)."), "error")
        return redirect(url_for("appointments.show", slug=slug, code=appt.code), code=303)
    form = SlotForm(request.form if request.method == "POST" else request.args, meta={"csrf": True})
    window = db().get(ServiceWindow, appt.window_id)
    views = _fill_slots(form, window, exclude_id=appt.id)
    if request.method == "POST" and form.validate():
        try:
            services.reschedule(db(), g.community, appt, services.parse_day(form.day.data), form.start.data)
        except HallError as err:
            db().rollback()
            copy_error(form, err)
            appt = services.by_code(db(), code)
            views = _fill_slots(form, window, exclude_id=appt.id)
        else:
            flash(_("Your appointment has been moved."), "success")
            return redirect(url_for("appointments.show", slug=slug, code=code), code=303)
    return render("appointments/reschedule.html", block="slots", form=form, a=appt, window=window, views=views,
                  refresh_url=url_for("appointments.reschedule", slug=slug, code=code))


@bp.route("/kiosk/check-in", methods=["GET", "POST"])
@community_public
@limiter.limit(lambda: current_app.config.get("KIOSK_RATE_LIMIT", "30 per minute"), methods=["POST"])
def check_in(slug):
    """At the kiosk: type the confirmation code; within the slot it becomes a number called before all others."""
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            number = services.check_in(db(), g.community, form.code.data)
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            return redirect(url_for("floor.slip", slug=slug, token=number.token), code=303)
    return render_template("appointments/check_in.html", form=form, kiosk=True)


@bp.route("/appointments/day")
@requires("appointments.view")
def day(slug):
    """Staff: the day's appointments by time, with check-in and no-show."""
    try:
        chosen = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        chosen = services.local_now(g.community).date()
    services.mark_no_shows(db(), g.community)
    return render_template("appointments/day.html", day=chosen, appointments=services.for_day(db(), chosen),
                           counts=services.day_counts(db(), chosen),
                           windows={w.id: w for w in db().query(ServiceWindow)})


@bp.route("/appointments/<code>/staff/<action>", methods=["POST"])
@requires("appointments.work")
def staff_act(slug, code, action):
    """Staff check a resident in at the desk (a number called next) or record a no-show."""
    appt = services.by_code(db(), code)
    if appt is None or action not in ("check-in", "no-show"):
        abort(404)
    try:
        if action == "check-in":
            number = services.check_in(db(), g.community, appt.code)
            flash(_("Checked in: number %(code)s.", code=number.code), "success")
        else:
            services.mark_no_show(db(), appt)
            flash(_("Recorded as missed."), "success")
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    return redirect(url_for("appointments.day", slug=slug, day=appt.day.isoformat()), code=303)


@bp.route("/windows/<int:window_id>/hours", methods=["GET", "POST"])
@requires("floor.manage")
def hours(slug, window_id):
    """Heads set a window's appointment hours, slot length and bookings per slot."""
    window = db().get(ServiceWindow, window_id)
    if window is None:
        abort(404)
    form = HoursForm(obj=window)
    if form.validate_on_submit():
        try:
            services.set_hours(db(), window, form.opening_hours.data, form.slot_minutes.data, form.slot_capacity.data)
            db().commit()
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Appointment hours saved."), "success")
            return redirect(url_for("floor.manage_windows", slug=slug), code=303)
    return render_template("appointments/hours.html", form=form, window=window)
