"""Staff side of the window: the work queue, a ticket's page and its actions, opening tickets at the window."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.policy import can, requires
from ..errors import HallError, copy_error, parse_id
from ..glossary import TICKET_CHANNEL_LABELS, status_label
from ..htmx import is_htmx, render
from ..menu.models import ServiceItem
from ..pagecache import cached
from ..rosters.services import all_posts
from ..tenancy import community_session
from . import rules, services
from .forms import ActionForm, WindowTicketForm
from .models import OPEN_STATES
from .queue import QueueFilter, queue_page

bp = Blueprint("window", __name__, url_prefix="/c/<slug>")


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def staff_actor() -> services.Actor:
    """The signed-in member of staff as a ticket actor."""
    return services.Actor(current_user.id, current_user.display_name, "staff")


def _filter_from_args() -> QueueFilter:
    args = request.args
    return QueueFilter(status=args.get("status", "open"), post_id=parse_id(args.get("post")),
                       overdue=args.get("overdue") == "1", priority=args.get("priority") == "1",
                       mine_user_id=current_user.id if args.get("mine") == "1" else None,
                       q=args.get("q", "")[:60], page=min(parse_id(args.get("page")) or 1, 100_000))


@bp.route("/queue")
@requires("tickets.view")
@cached(("tickets", "posts"), minute=True)     # rows turn overdue as the clock runs
def queue(slug):
    """The work queue; htmx polls the rows block with the same filters."""
    f = _filter_from_args()
    tickets, more = queue_page(db(), f)
    if is_htmx():   # the rows only: the filters' posts and counts are on the page already
        return render("window/queue.html", block="rows", tickets=tickets, more=more, f=f, is_overdue=services.is_overdue)
    return render("window/queue.html", tickets=tickets, more=more, f=f, posts=all_posts(db()), states=rules.STATES,
                  is_overdue=services.is_overdue, counts=services.count_open(db()), open_states=OPEN_STATES)


def _ticket_or_404(number: str):
    ticket = services.ticket_by_number(db(), number)
    if ticket is None or ticket.kind != "request":
        abort(404)  # complaints open only on their handler's page (complaints.views), never to ordinary staff
    return ticket


@bp.route("/tickets/<number>")
@requires("tickets.view")
def ticket(slug, number):
    """One ticket for staff: the resident's details, materials, timeline and the actions its state allows."""
    t = _ticket_or_404(number)
    item = db().get(ServiceItem, t.item_id) if t.item_id else None
    return render("window/ticket.html", block="panel", t=t, item=item, form=ActionForm(version=t.version),
                  actions=rules.allowed_actions(t.status) if can(g.roles, "tickets.work") else [],
                  is_overdue=services.is_overdue(t))


ACTIONS = {
    "accept": lambda t, f, a: services.accept(db(), g.community, t, a, request.form.getlist("checked"),
                                              f.note.data or "", f.version.data),
    "start": lambda t, f, a: services.start(db(), t, a, f.note.data or "", f.version.data),
    "return": lambda t, f, a: services.return_for_materials(
        db(), t, a, request.form.get("missing", "").replace("、", "\n").splitlines(), f.note.data or "", f.version.data),
    "complete": lambda t, f, a: services.complete(db(), t, a, f.note.data or "", f.version.data),
    "decline": lambda t, f, a: services.decline(db(), t, a, f.note.data or "", f.version.data),
}


@bp.route("/tickets/<number>/<action>", methods=["POST"])
@requires("tickets.work")
def act(slug, number, action):
    """Apply a staff action; a conflict or a broken rule is shown on the ticket, nothing half-done."""
    if action not in ACTIONS:
        abort(404)
    t = _ticket_or_404(number)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    message, ok = "", True
    try:
        # The resident came to the window for this step: the trip is counted with it, or not at all.
        with services.with_visit(db(), staff_actor()) if request.form.get("visit") == "1" else nullcontext():
            t = ACTIONS[action](t, form, staff_actor())
    except HallError as err:
        db().rollback()
        message, ok = str(err.message), False
        t = _ticket_or_404(number)
    else:
        message = _("%(number)s: %(state)s", number=t.number, state=status_label(t.status))
    if is_htmx() and request.headers.get("HX-Target", "").startswith("row-"):
        # The row is swapped in place: announce the outcome in the live region and keep focus on the row.
        return render("window/queue.html", block="row", t=t, is_overdue=services.is_overdue, focus=True,
                      announce=message, announce_ok=ok)
    flash(message, "success" if ok else "error")
    return redirect(url_for("window.ticket", slug=slug, number=t.number), code=303)


@bp.route("/tickets/new", methods=["GET", "POST"])
@requires("tickets.work")
def new_ticket(slug):
    """Open a ticket for a resident at the window, by phone, on a home visit or as proxy handling."""
    form = WindowTicketForm()
    items = db().query(ServiceItem).filter_by(published=True).order_by(ServiceItem.code).all()
    form.item_code.choices = [(i.code, f"{i.code} {i.name}") for i in items]
    form.channel.choices = [(k, str(TICKET_CHANNEL_LABELS[k]))
                            for k in ("window", "phone", "home_visit", "proxy", "appointment", "self_service")]
    if request.method == "GET":
        import uuid

        form.idem_key.data = uuid.uuid4().hex
        form.item_code.data = request.args.get("item", "")
    if form.validate_on_submit():
        sub = services.Submission(
            item_code=form.item_code.data, resident_name=form.resident_name.data, resident_phone=form.resident_phone.data,
            channel=form.channel.data, details=form.details.data or "", id_number=form.id_number.data or "",
            aged_70=form.aged_70.data, disabled=form.disabled.data, pregnant=form.pregnant.data, urgent=form.urgent.data,
            home_address=form.home_address.data or "", proxy_name=form.proxy_name.data or "",
            proxy_relation=form.proxy_relation.data or "",
            idem_key=("staff-" + form.idem_key.data)[:64] if form.idem_key.data else None)
        try:
            t = services.submit_ticket(db(), g.community, sub, staff_actor())
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Ticket %(number)s opened.", number=t.number), "success")
            return redirect(url_for("window.ticket", slug=slug, number=t.number), code=303)
    return render("window/new_ticket.html", form=form)


from . import calendar_views, resident_views  # noqa: E402,F401 - they register their routes on bp
