"""Kiosk (取号), a number's slip and phone page, the staff desk (叫号), the public board and its JSON."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.policy import community_public, requires
from ..errors import HallError, parse_id
from ..extensions import limiter
from ..formatting import localtime
from ..htmx import render
from ..qr import qr_svg
from ..tenancy import community_session, utcnow
from . import services
from .models import QueueNumber, ServiceWindow

bp = Blueprint("floor", __name__, url_prefix="/c/<slug>")


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def _every() -> int:
    return int(current_app.config.get("FLOOR_PRIORITY_EVERY", services.DEFAULT_PRIORITY_EVERY))


@bp.route("/kiosk")
@community_public
def kiosk(slug):
    """The touch screen at the door: one huge button per window (elderly mode on by default)."""
    return render_template("floor/kiosk.html", windows=services.windows(db()), kiosk=True)


@bp.route("/kiosk/take", methods=["POST"])
@community_public
@limiter.limit(lambda: current_app.config.get("KIOSK_RATE_LIMIT", "30 per minute"))
def take(slug):
    """Give out a number and show its slip."""
    try:
        window_id = parse_id(request.form.get("window"))
        if not window_id:
            raise ValueError(window_id)
        number = services.take_number(db(), g.community, window_id, request.form.get("priority") == "1")
    except (ValueError, HallError):
        db().rollback()
        flash(_("Please choose a window."), "error")
        return redirect(url_for("floor.kiosk", slug=slug), code=303)
    return redirect(url_for("floor.slip", slug=slug, token=number.token), code=303)


def _number_or_404(token: str) -> QueueNumber:
    number = db().scalar(select(QueueNumber).where(QueueNumber.token == token))
    if number is None:
        abort(404)
    return number


@bp.route("/kiosk/slip/<token>")
@community_public
def slip(slug, token):
    """The printable slip: number, window, people ahead and a QR code to follow it from a phone."""
    number = _number_or_404(token)
    follow_url = url_for("floor.follow", slug=slug, token=token, _external=True)
    qr = qr_svg(follow_url)
    return render_template("floor/slip.html", n=number, window=db().get(ServiceWindow, number.window_id),
                           ahead=services.people_ahead(db(), number), qr=qr, follow_url=follow_url, kiosk=True)


@bp.route("/q/<token>")
@community_public
def follow(slug, token):
    """Follow a number from a phone: where it stands (refreshes itself)."""
    number = _number_or_404(token)
    return render("floor/follow.html", block="state", n=number, window=db().get(ServiceWindow, number.window_id),
                  ahead=services.people_ahead(db(), number))


@bp.route("/queue/board")
@community_public
def board(slug):
    """The TV in the hall: per window the number called, how many wait, the estimated wait; the last calls."""
    rows, recent = services.board(db(), g.community)
    return render("floor/board.html", block="board", rows=rows, recent=recent, every=_every(),
                  windows_by_id={w.id: w for w in services.windows(db(), active_only=False)})


@bp.route("/queue/board.json")
@community_public
def board_json(slug):
    """The board's data for external LED screens: no personal data."""
    rows, recent = services.board(db(), g.community)
    names = {w.id: w for w in services.windows(db(), active_only=False)}
    return jsonify(
        windows=[{"code": r.window.prefix, "name": r.window.name, "calling": r.calling.code if r.calling else None,
                  "waiting": r.waiting, "estimated_wait_minutes": r.estimated_wait_minutes} for r in rows],
        recent=[{"number": n.code, "window": names[n.window_id].prefix, "window_name": names[n.window_id].name,
                 "called_at": localtime(n.called_at, "%Y-%m-%dT%H:%M:%S")} for n in recent],
        updated_at=localtime(utcnow(), "%Y-%m-%dT%H:%M:%S"))


@bp.route("/desk")
@requires("floor.call")
def desk(slug):
    """A member of staff's window: call next, recall, no-show, transfer, serve, finish."""
    all_windows = services.windows(db())
    given = request.args.get("window")
    window_id = (parse_id(given) or 0) if given else (all_windows[0].id if all_windows else 0)
    window = db().get(ServiceWindow, window_id) if window_id else None
    day = services.today(g.community)
    current = db().scalar(select(QueueNumber).where(
        QueueNumber.day == day, QueueNumber.window_id == window_id, QueueNumber.status.in_(("called", "serving")),
        QueueNumber.staff_user_id == current_user.id).order_by(QueueNumber.called_at.desc())) if window else None
    return render("floor/desk.html", block="desk", windows=all_windows, window=window, current=current,
                  waiting=services.waiting(db(), day, window_id) if window else [],
                  figures=services.day_figures(db(), day))


@bp.route("/floor/figures")
@requires("floor.call")
def figures(slug):
    """A day's figures per window (served, average wait and service, no-shows), the week before, appointments."""
    from ..appointments.services import day_counts

    try:
        chosen = datetime.strptime(request.args.get("day", ""), "%Y-%m-%d").date()
    except ValueError:
        chosen = datetime.strptime(services.today(g.community), "%Y%m%d").date()
    key = chosen.strftime("%Y%m%d")
    week = services.days_figures(db(), (chosen - timedelta(days=6)).strftime("%Y%m%d"), key)
    return render_template("floor/figures.html", day=chosen, figures=services.day_figures(db(), key), week=week,
                           appointments=day_counts(db(), chosen))


DESK_ACTIONS = {
    "recall": lambda n: services.recall(db(), n),
    "no_show": lambda n: services.mark_no_show(db(), n),
    "serve": lambda n: services.start_serving(db(), n),
    "finish": lambda n: services.finish(db(), n),
}


@bp.route("/desk/<int:window_id>/call", methods=["POST"])
@requires("floor.call")
def call(slug, window_id):
    """Call the next number for this window."""
    cfg = current_app.config
    number = services.call_next(db(), g.community, window_id, current_user.id, current_user.display_name, _every(),
                                int(cfg.get("FLOOR_NO_SHOW_CALLS", services.DEFAULT_NO_SHOW_CALLS)),
                                int(cfg.get("FLOOR_NO_SHOW_MINUTES", services.DEFAULT_NO_SHOW_MINUTES)))
    if number is None:
        flash(_("Nobody is waiting."), "success")
    return redirect(url_for("floor.desk", slug=slug, window=window_id), code=303)


@bp.route("/desk/<int:window_id>/numbers/<int:number_id>/<action>", methods=["POST"])
@requires("floor.call")
def act(slug, window_id, number_id, action):
    """Recall, no-show, start serving, finish, or transfer (with to_window) a number."""
    try:
        if action == "transfer":
            services.transfer(db(), number_id, parse_id(request.form.get("to_window")) or 0)
        elif action in DESK_ACTIONS:
            DESK_ACTIONS[action](number_id)
        else:
            abort(404)
        if action == "serve" and request.form.get("open_ticket") == "1":
            return redirect(url_for("window.new_ticket", slug=slug, queue=number_id), code=303)
    except (HallError, ValueError) as err:
        db().rollback()
        flash(str(getattr(err, "message", _("Choose a window that is open."))), "error")
    return redirect(url_for("floor.desk", slug=slug, window=window_id), code=303)


@bp.route("/windows", methods=["GET", "POST"])
@requires("floor.manage")
def manage_windows(slug):
    """Heads add the hall's windows (prefix letter, name, what it handles)."""
    if request.method == "POST":
        try:
            services.create_window(db(), request.form.get("prefix", ""), request.form.get("name", ""),
                                   request.form.get("serves", ""))
            db().commit()
        except HallError as err:
            db().rollback()
            flash(str(err.message), "error")
        else:
            flash(_("Window added."), "success")
        return redirect(url_for("floor.manage_windows", slug=slug), code=303)
    return render_template("floor/windows.html", windows=services.windows(db(), active_only=False))
