"""Roster pages: posts and their holders, shifts, leave, outreach, shift swaps, my duty, CSV import and export."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, request, send_file, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..accounts.policy import can, requires
from ..errors import HallError, copy_error, parse_id
from ..glossary import LEAVE_KIND_LABELS, POST_FIELD_LABELS, REQUEST_STATE_LABELS, SHIFT_KIND_LABELS
from ..htmx import render
from ..tenancy import community_session, tenancy
from . import leave as leaves
from . import services, transfer
from .forms import DecisionForm, ImportForm, LeaveEntryForm, LeaveForm, OutreachForm, PostForm, ShiftForm, SwapForm
from .models import Leave, Outreach, Post, Shift, ShiftSwap

bp = Blueprint("rosters", __name__, url_prefix="/c/<slug>")
MINE_DAYS = 28  # "my duty" shows the next four weeks


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def _or_404(model, key):
    found = db().get(model, key)
    if found is None:
        abort(404)
    return found


def _people_choices(blank: str | None = None) -> list[tuple[str, str]]:
    people = [(str(p.user_id), f"{p.name} ({p.username})") for p in services.staff_of(db(), g.community)]
    return ([("", blank)] if blank is not None else []) + people


def _back(default: str):
    return redirect(default, code=303)


# --- posts ---------------------------------------------------------------------------------------------------------
@bp.route("/rosters/posts")
@requires("rosters.view")
def posts(slug):
    """Every post with its window, menu items, A and B holders (the head standing in where one is unset)."""
    names = services.names_of(db(), g.community)
    return render("rosters/posts.html", posts=services.all_posts(db()), items=services.items_of_posts(db()),
                  names=names, head=names.get(services.head_of(g.community)))


@bp.route("/rosters/posts/<int:post_id>", methods=["GET", "POST"])
@requires("rosters.view")
def post(slug, post_id):
    """One post: its holders, the edit form for the head, and the history of its changes."""
    p = _or_404(Post, post_id)
    form = PostForm(obj=None if request.method == "POST" else p,
                    data=None if request.method == "POST" else {"a_holder": str(p.a_holder_id or ""),
                                                                 "b_holder": str(p.b_holder_id or "")})
    choices = _people_choices(_("Not set (the station head stands in)"))
    # A holder who has since left the staff stays selectable, so other fields can still be edited.
    choices += [(str(uid), f"#{uid}") for uid in (p.a_holder_id, p.b_holder_id)
                if uid is not None and str(uid) not in {value for value, _label in choices}]
    form.a_holder.choices = form.b_holder.choices = choices
    if request.method == "POST":
        if not can(g.roles, "rosters.manage"):
            abort(403)
        if form.validate_on_submit():
            try:
                changes = services.update_post(db(), g.community, p, current_user.id, form.name.data, form.window.data,
                                               parse_id(form.a_holder.data), parse_id(form.b_holder.data))
            except HallError as err:
                db().rollback()
                copy_error(form, err)
            else:
                db().commit()
                flash(_("Post %(code)s saved.", code=p.code) if changes else _("Nothing was changed."), "success")
                return _back(url_for("rosters.post", slug=slug, post_id=post_id))
    names = services.names_of(db(), g.community)
    return render("rosters/post.html", p=p, form=form, names=names, head=names.get(services.head_of(g.community)),
                  items=services.items_of_posts(db()).get(p.id, []), history=services.post_history(db(), p))


# --- shifts --------------------------------------------------------------------------------------------------------
def _shift_from_form(form: ShiftForm, shift_id: int | None = None) -> services.ShiftData:
    return services.clean_shift(db(), g.community, parse_id(form.user.data), form.day.data or "", form.start.data or "",
                                form.end.data or "", form.kind.data or "", shift_id=shift_id)


@bp.route("/rosters/shifts", methods=["GET", "POST"])
@requires("rosters.view")
def shifts(slug):
    """A month of shifts (published and draft) per person; the head adds shifts here."""
    first = services.parse_month(request.args.get("month"), g.community)
    form = ShiftForm(data=None if request.method == "POST" else {"day": first.isoformat(), "start": "08:30",
                                                                  "end": "17:30"})
    form.user.choices = _people_choices("")
    if request.method == "POST":
        if not can(g.roles, "rosters.manage"):
            abort(403)
        if form.validate_on_submit():
            try:
                shift = services.add_shift(db(), g.community, current_user.id, _shift_from_form(form))
            except HallError as err:
                db().rollback()
                copy_error(form, err)
            else:
                db().commit()
                flash(_("Shift added."), "success")
                return _back(url_for("rosters.shifts", slug=slug, month=f"{shift.day:%Y-%m}"))
    last = services.month_end(first)
    people = services.staff_of(db(), g.community)
    by_person = {p.user_id: [] for p in people}
    for s in services.shifts_between(db(), first, last):
        by_person.setdefault(s.user_id, []).append(s)
    names = {p.user_id: p.name for p in people}
    return render("rosters/shifts.html", form=form, first=first, last=last, by_person=by_person, names=names,
                  prev=f"{first - timedelta(days=1):%Y-%m}", next=f"{last + timedelta(days=1):%Y-%m}",
                  today=services.today(g.community))


@bp.route("/rosters/shifts/<int:shift_id>", methods=["GET", "POST"])
@requires("rosters.manage")
def shift(slug, shift_id):
    """Edit one shift."""
    s = _or_404(Shift, shift_id)
    form = ShiftForm(data=None if request.method == "POST" else {
        "user": str(s.user_id), "day": s.day.isoformat(), "start": s.start, "end": s.end, "kind": s.kind})
    form.user.choices = _people_choices()
    if form.validate_on_submit():
        try:
            services.update_shift(db(), g.community, current_user.id, s, _shift_from_form(form, shift_id))
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            db().commit()
            flash(_("Shift saved."), "success")
            return _back(url_for("rosters.shifts", slug=slug, month=f"{s.day:%Y-%m}"))
    return render("rosters/shift.html", s=s, form=form, name=services.names_of(db(), g.community).get(s.user_id))


@bp.route("/rosters/shifts/<int:shift_id>/delete", methods=["POST"])
@requires("rosters.manage")
def delete_shift(slug, shift_id):
    """Delete one shift."""
    s = _or_404(Shift, shift_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    month = f"{s.day:%Y-%m}"
    services.delete_shift(db(), current_user.id, s)
    db().commit()
    flash(_("Shift deleted."), "success")
    return _back(url_for("rosters.shifts", slug=slug, month=month))


# --- leave ---------------------------------------------------------------------------------------------------------
@bp.route("/rosters/leave", methods=["GET", "POST"])
@requires("rosters.view")
def leave(slug):
    """Leave requests: staff ask for their own; the head sees everybody's and decides."""
    form = LeaveForm()
    if request.method == "POST":
        if not can(g.roles, "rosters.self"):
            abort(403)
        if form.validate_on_submit():
            try:
                leaves.request_leave(db(), g.community, current_user.id, form.first_day.data, form.last_day.data,
                                     form.kind.data, form.reason.data)
            except HallError as err:
                db().rollback()
                copy_error(form, err)
            else:
                db().commit()
                flash(_("Your leave request was sent to the station head."), "success")
                return _back(url_for("rosters.leave", slug=slug))
    return _leave_page(form, _entry_form())


def _entry_form() -> LeaveEntryForm:
    form = LeaveEntryForm(prefix="entry")
    form.user.choices = _people_choices("")
    return form


def _leave_page(form: LeaveForm, entry: LeaveEntryForm):
    everyone = can(g.roles, "rosters.manage") or "district" in g.roles
    rows = leaves.leave_list(db(), None if everyone else current_user.id)
    return render("rosters/leave.html", form=form, entry=entry, rows=rows, names=services.names_of(db(), g.community),
                  decision=DecisionForm(), today=services.today(g.community), everyone=everyone)


@bp.route("/rosters/leave/enter", methods=["POST"])
@requires("rosters.manage")
def enter_leave(slug):
    """The head enters leave for a member of staff (sick leave phoned in, leave agreed in person): approved at once."""
    entry = _entry_form()
    if entry.validate_on_submit():
        try:
            leaves.add_approved_leave(db(), g.community, current_user.id, parse_id(entry.user.data), entry.first_day.data,
                                      entry.last_day.data, entry.kind.data, entry.reason.data)
        except HallError as err:
            db().rollback()
            copy_error(entry, err)
        else:
            db().commit()
            flash(_("Leave entered and approved."), "success")
            return _back(url_for("rosters.leave", slug=slug))
    return _leave_page(LeaveForm(formdata=None), entry)


@bp.route("/rosters/leave/<int:leave_id>/decide", methods=["POST"])
@requires("rosters.manage")
def decide_leave(slug, leave_id):
    """The head approves or declines a leave request, with a note."""
    v = _or_404(Leave, leave_id)
    form = DecisionForm()
    if not form.validate_on_submit() or request.form.get("decision") not in ("approve", "decline"):
        abort(400)
    try:
        leaves.decide_leave(db(), current_user.id, v, request.form["decision"] == "approve", form.note.data)
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    else:
        db().commit()
        flash(_("Leave approved.") if v.status == "approved" else _("Leave declined."), "success")
    return _back(url_for("rosters.leave", slug=slug))


@bp.route("/rosters/leave/<int:leave_id>/cancel", methods=["POST"])
@requires("rosters.self")
def cancel_leave(slug, leave_id):
    """Staff withdraw their own leave before it starts."""
    v = _or_404(Leave, leave_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    try:
        leaves.cancel_leave(db(), g.community, current_user.id, v)
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    else:
        db().commit()
        flash(_("Leave cancelled."), "success")
    return _back(request.form.get("back") == "mine" and url_for("rosters.mine", slug=slug)
                 or url_for("rosters.leave", slug=slug))


# --- outreach ------------------------------------------------------------------------------------------------------
@bp.route("/rosters/outreach", methods=["GET", "POST"])
@requires("rosters.view")
def outreach(slug):
    """Who is out visiting households (下沉入户); staff mark themselves out and end a trip early."""
    form = OutreachForm()
    if request.method == "POST":
        if not can(g.roles, "rosters.self"):
            abort(403)
        if form.validate_on_submit():
            try:
                leaves.start_outreach(db(), g.community, current_user.id, form.starts_at.data, form.ends_at.data,
                                      form.note.data)
            except HallError as err:
                db().rollback()
                copy_error(form, err)
            else:
                db().commit()
                flash(_("You are marked out visiting households."), "success")
                return _back(url_for("rosters.outreach", slug=slug))
    elif not form.starts_at.data:
        now = services.local_now(g.community)
        form.starts_at.data = f"{now:%Y-%m-%dT%H:%M}"
        form.ends_at.data = f"{now + timedelta(hours=2):%Y-%m-%dT%H:%M}"
    return render("rosters/outreach.html", form=form, trips=leaves.outreach_list(db()),
                  names=services.names_of(db(), g.community), current=leaves.is_current, end_form=DecisionForm())


@bp.route("/rosters/outreach/<int:trip_id>/end", methods=["POST"])
@requires("rosters.self")
def end_outreach(slug, trip_id):
    """Back from visiting households early."""
    trip = _or_404(Outreach, trip_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    try:
        leaves.end_outreach(db(), current_user.id, trip)
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    else:
        db().commit()
        flash(_("Welcome back: your outreach has ended."), "success")
    return _back(url_for("rosters.outreach", slug=slug))


# --- shift swaps ---------------------------------------------------------------------------------------------------
def _swap_form() -> SwapForm:
    form = SwapForm()
    tomorrow = services.today(g.community) + timedelta(days=1)
    own = services.shifts_between(db(), tomorrow, tomorrow + timedelta(days=92), current_user.id)
    form.shift.choices = [("", "")] + [(str(s.id), f"{s.day.isoformat()} {s.start}–{s.end}") for s in own if s.published]
    form.to_user.choices = [(v, n) for v, n in _people_choices("") if v != str(current_user.id)]
    return form


@bp.route("/rosters/swaps", methods=["GET", "POST"])
@requires("rosters.view")
def swaps(slug):
    """Shift swaps: staff ask to give a future shift to a colleague; the head approves or declines."""
    form = _swap_form()
    if request.method == "POST":
        if not can(g.roles, "rosters.self"):
            abort(403)
        if form.validate_on_submit():
            shift_id = parse_id(form.shift.data)
            try:
                services.request_swap(db(), g.community, current_user.id, db().get(Shift, shift_id) if shift_id else None,
                                      parse_id(form.to_user.data), form.reason.data)
            except HallError as err:
                db().rollback()
                copy_error(form, err)
            else:
                db().commit()
                flash(_("Your swap request was sent to the station head."), "success")
                return _back(url_for("rosters.swaps", slug=slug))
    everyone = can(g.roles, "rosters.manage") or "district" in g.roles
    rows = services.swaps(db(), None if everyone else current_user.id)
    return render("rosters/swaps.html", form=form, rows=rows, names=services.names_of(db(), g.community),
                  shifts={s.id: s for s in db().query(Shift).filter(Shift.id.in_([r.shift_id for r in rows]))},
                  decision=DecisionForm())


@bp.route("/rosters/swaps/<int:swap_id>/decide", methods=["POST"])
@requires("rosters.manage")
def decide_swap(slug, swap_id):
    """The head approves (the shift changes hands) or declines a swap."""
    swap = _or_404(ShiftSwap, swap_id)
    if not DecisionForm().validate_on_submit() or request.form.get("decision") not in ("approve", "decline"):
        abort(400)
    try:
        services.decide_swap(db(), g.community, current_user.id, swap, request.form["decision"] == "approve")
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    else:
        db().commit()
        flash(_("Swap approved: the shift has changed hands.") if swap.status == "approved" else _("Swap declined."),
              "success")
    return _back(url_for("rosters.swaps", slug=slug))


# --- my duty -------------------------------------------------------------------------------------------------------
@bp.route("/rosters/mine")
@requires("rosters.self")
def mine(slug):
    """My shifts of the next four weeks, my leave, outreach and swaps."""
    today = services.today(g.community)
    my_shifts = services.shifts_between(db(), today, today + timedelta(days=MINE_DAYS), current_user.id)
    my_swaps = services.swaps(db(), current_user.id)
    return render("rosters/mine.html", shifts=[s for s in my_shifts if s.published], today=today,
                  leave=leaves.leave_list(db(), current_user.id, since=today),
                  trips=leaves.outreach_list(db(), current_user.id), current=leaves.is_current,
                  swaps=my_swaps, names=services.names_of(db(), g.community), form=DecisionForm(),
                  swap_shifts={s.id: s for s in db().query(Shift).filter(Shift.id.in_([r.shift_id for r in my_swaps]))},
                  posts=[p for p in services.all_posts(db()) if current_user.id in (p.a_holder_id, p.b_holder_id)])


# --- import and export ---------------------------------------------------------------------------------------------
@bp.route("/rosters/export/<what>.csv")
@requires("rosters.manage")
def export(slug, what):
    """Posts, published shifts or approved leave as CSV (UTF-8 with BOM)."""
    if what not in transfer.KINDS:
        abort(404)
    rows = transfer.export_rows(db(), g.community, what)
    data = transfer.write_csv(what, rows)
    audit.record_apart(tenancy().community_engine(slug), current_user.id, "rosters.export", f"{what}: {len(rows)} rows")
    today = services.today(g.community)
    return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True, max_age=0,
                     download_name=f"{g.community.slug}-{what}-{today:%Y%m%d}.csv")


@bp.route("/rosters/import", methods=["GET", "POST"])
@requires("rosters.manage")
def import_roster(slug):
    """Upload a CSV of posts, shifts or leave (told by its header): every row is checked, any problem and none stored."""
    form = ImportForm()
    problems: list[transfer.Problem] = []
    status = 200
    if form.validate_on_submit():
        try:
            parsed = transfer.read_csv(form.file.data.read(transfer.MAX_BYTES + 1))
            count = transfer.import_file(db(), g.community, parsed, current_user.id)
        except transfer.ImportRejected as err:
            copy_error(form, err)
            problems, status = err.problems, 422     # the file was read and refused: nothing changed
        else:
            flash(_("%(n)s rows imported.", n=count), "success")
            target = {"posts": "rosters.posts", "shifts": "rosters.shifts", "leave": "rosters.leave"}[parsed.kind]
            return _back(url_for(target, slug=slug))
    return render("rosters/import.html", form=form, problems=problems, columns=transfer.COLUMNS), status


@bp.context_processor
def labels():
    """Words for the keys the roster pages show."""
    return {"shift_kind": lambda k: str(SHIFT_KIND_LABELS.get(k, k)),
            "leave_kind": lambda k: str(LEAVE_KIND_LABELS.get(k, k)),
            "request_state": lambda k: str(REQUEST_STATE_LABELS.get(k, k)),
            "post_field": lambda k: str(POST_FIELD_LABELS.get(k, k)),
            "local": lambda t: services.as_local(g.community, t), "weekday": lambda d: format_date(d, "EEE")}
