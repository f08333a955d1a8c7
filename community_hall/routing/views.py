"""Pages of first-inquiry routing: log and work inquiries, hand matters over, the head's escalations, staff notices."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from ..accounts.policy import can, requires
from ..errors import HallError, copy_error, parse_id
from ..htmx import is_htmx, redirect_to, render
from ..menu.models import ServiceItem
from ..rosters.models import Post
from ..rosters.services import all_posts
from ..tenancy import community_session
from ..window.services import request_ticket, ticket_by_number
from . import labels, services
from .forms import AnswerForm, HandOverForm, InquiryForm, PostForm
from .models import Inquiry

bp = Blueprint("routing", __name__, url_prefix="/c/<slug>")
bp.record(labels.register)


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def as_head() -> bool:
    """The station head may act on any matter."""
    return can(g.roles, "inquiries.act_any")


def _sweep() -> None:
    # Staff pages keep routing current: work of people whose leave started passes on, late hand-overs escalate.
    services.sweep(db(), g.community)


def _item_choices(form: InquiryForm) -> None:
    items = db().query(ServiceItem).filter_by(published=True).order_by(ServiceItem.position, ServiceItem.code).all()
    form.item_code.choices = [SelectChoice("", _("No particular service"))] + \
        [SelectChoice(i.code, f"{i.code} {i.name}") for i in items]


@bp.route("/inquiries", methods=["GET", "POST"])
@requires("inquiries.work")
def inquiries(slug):
    """The quick inquiry form and the matters the signed-in person now handles."""
    form = InquiryForm()
    _item_choices(form)
    logged = None
    if form.validate_on_submit():
        data = services.InquiryData(resident_name=form.resident_name.data or "", text=form.text.data or "",
                                    contact_phone=form.contact_phone.data or "", item_code=form.item_code.data or "",
                                    topic=form.topic.data or "", channel=form.channel.data or "window")
        try:
            logged = services.log_inquiry(db(), g.community, current_user.id, data)
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            if not is_htmx():
                flash(_("Inquiry #%(id)s logged: you are its first-asked owner.", id=logged.id), "success")
                return redirect(url_for("routing.inquiries", slug=slug), code=303)
            form = InquiryForm(formdata=None)
            _item_choices(form)
    _sweep()
    rows = services.my_work(db(), current_user.id)
    return render("routing/inquiries.html", block="work", form=form, rows=rows, logged=logged,
                  names=services.names_of(r.pending.from_user_id for r in rows if r.pending))


@bp.route("/inquiries/mine")
@requires("inquiries.work")
def mine(slug):
    """My first inquiries (我的首问): kept until the resident has an answer; late hand-overs in red."""
    _sweep()
    rows = services.my_first_inquiries(db(), current_user.id)
    return render("routing/mine.html", rows=rows, names=services.names_of(r.matter.handler_user_id for r in rows))


def _inquiry_or_404(inquiry_id: int) -> Inquiry:
    inquiry = db().get(Inquiry, inquiry_id)
    if inquiry is None:
        abort(404)
    return inquiry


def _handover_form(matter, proposal: services.Proposal) -> HandOverForm:
    form = HandOverForm()
    people = services.station_people(g.community)
    form.to_user_id.choices = [SelectChoice(str(uid), name) for uid, name in people.items()
                               if uid != matter.handler_user_id]
    if request.method == "GET" and proposal.user_id:
        form.to_user_id.data = str(proposal.user_id)
    return form


def handover_context(matter) -> dict:
    """What a matter's page shows of routing: hops with names, the proposal, the hand-over form."""
    proposal = services.propose(db(), g.community, matter.post_id)
    hops = services.hops_of(db(), matter)
    ids = {matter.handler_user_id, proposal.user_id, getattr(matter, "owner_user_id", None)}
    ids |= {h.from_user_id for h in hops} | {h.to_user_id for h in hops} | {h.routed_user_id for h in hops}
    pending = [h for h in services.pending_hops(db(), matter) if h.to_user_id == current_user.id]
    may_act = can(g.roles, "inquiries.work") and services.is_open(matter) and \
        services.may_act(matter, current_user.id, as_head())
    return {"proposal": proposal, "hops": hops, "names": services.names_of(ids), "may_act": may_act,
            "pending_mine": pending[-1] if pending and matter.handler_user_id == current_user.id else None,
            "handover_form": _handover_form(matter, proposal)}


@bp.route("/inquiries/<int:inquiry_id>")
@requires("inquiries.work")
def inquiry(slug, inquiry_id):
    """One inquiry: what was asked, who owns and handles it, its hops, and what can be done next."""
    i = _inquiry_or_404(inquiry_id)
    return _inquiry_page(i)


def _inquiry_page(i: Inquiry, answer_form=None, post_form=None, handover_form=None, problem: str = ""):
    post_form = post_form or PostForm(post_id=str(i.post_id or ""))
    post_form.post_id.choices = [SelectChoice("", _("No post: the station head"))] + \
        [SelectChoice(str(p.id), f"{p.code} {p.name}") for p in all_posts(db())]
    ctx = handover_context(i)
    if handover_form is not None:  # the submitted form, with its errors, keeps the choices of the page
        handover_form.to_user_id.choices = ctx["handover_form"].to_user_id.choices
        ctx["handover_form"] = handover_form
    return render("routing/inquiry.html", block="panel", i=i, problem=problem,
                  ticket=request_ticket(db(), i.ticket_id),
                  item=db().get(ServiceItem, i.item_id) if i.item_id else None,
                  post=db().get(Post, i.post_id) if i.post_id else None, post_form=post_form,
                  answer_form=answer_form or AnswerForm(), **ctx)


@bp.route("/inquiries/<int:inquiry_id>/<action>", methods=["POST"])
@requires("inquiries.work")
def inquiry_act(slug, inquiry_id, action):
    """Answer, make a ticket, choose the post, hand over or acknowledge; errors are shown on the page."""
    if action not in ("answer", "ticket", "post", "handover", "acknowledge"):
        abort(404)
    i = _inquiry_or_404(inquiry_id)
    forms: dict = {}
    try:
        if action == "answer":
            form = forms["answer_form"] = AnswerForm()
            if not form.validate_on_submit():
                raise HallError(_("Write the answer the resident was given (up to 2,000 characters)."), "answer")
            services.answer_inquiry(db(), i, current_user.id, form.answer.data, as_head())
            message = _("Inquiry #%(id)s answered.", id=i.id)
        elif action == "ticket":
            if not FlaskForm().validate_on_submit():
                abort(400)
            t = services.inquiry_to_ticket(db(), g.community, i, current_user.id, current_user.display_name, as_head())
            flash(_("Ticket %(number)s opened from the inquiry.", number=t.number), "success")
            return redirect_to(url_for("window.ticket", slug=slug, number=t.number))
        elif action == "post":
            form = forms["post_form"] = PostForm()
            if not form.validate_on_submit():
                abort(400)
            services.set_inquiry_post(db(), i, parse_id(form.post_id.data), current_user.id, as_head())
            message = _("Post changed: see whom routing now proposes.")
        elif action == "handover":
            form = forms["handover_form"] = HandOverForm()
            if not form.validate_on_submit():
                abort(400)
            hop = services.hand_over(db(), g.community, i, current_user.id, parse_id(form.to_user_id.data),
                                     form.reason.data or "", as_head())
            message = _("Handed over to %(name)s, who must acknowledge it.",
                        name=services.names_of([hop.to_user_id]).get(hop.to_user_id, ""))
        else:
            if not FlaskForm().validate_on_submit():
                abort(400)
            services.acknowledge(db(), i, current_user.id)
            message = _("Acknowledged: the matter is yours now.")
    except HallError as err:
        db().rollback()
        i = _inquiry_or_404(inquiry_id)
        form = forms.get(f"{action}_form")
        # The action forms are shown only to whoever may still act: otherwise the message goes above the page.
        shown = services.is_open(i) and services.may_act(i, current_user.id, as_head())
        if shown and form is not None and (err.field is None or hasattr(form, err.field)):
            copy_error(form, err)
        else:
            forms["problem"] = str(err.message)
        return _inquiry_page(i, **forms), 422
    flash(message, "success")
    return redirect_to(url_for("routing.inquiry", slug=slug, inquiry_id=inquiry_id))


@bp.route("/inquiries/tickets/<number>/<action>", methods=["POST"])
@requires("inquiries.work")
def ticket_act(slug, number, action):
    """Hand a ticket over, or acknowledge one handed to you; back to the ticket's page."""
    if action not in ("handover", "acknowledge"):
        abort(404)
    t = ticket_by_number(db(), number)
    if t is None or t.kind != "request":
        abort(404)  # complaints are the head's, never routed between staff
    form = HandOverForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if action == "handover":
            services.hand_over(db(), g.community, t, current_user.id, parse_id(form.to_user_id.data),
                               form.reason.data or "", as_head())
            flash(_("Handed over: the receiver must acknowledge it."), "success")
        else:
            services.acknowledge(db(), t, current_user.id)
            flash(_("Acknowledged: the matter is yours now."), "success")
    except HallError as err:
        db().rollback()
        flash(str(err.message), "error")
    return redirect_to(url_for("window.ticket", slug=slug, number=t.number))


@bp.app_template_global()
def ticket_routing(ticket) -> dict:
    """Routing of a ticket for its staff page: handler, hops with reasons, hand-over form."""
    return handover_context(ticket)


@bp.app_template_global()
def staff_unread() -> int:
    """Unread staff notices of the signed-in person in the current community (for the navigation badge)."""
    if g.get("community") is None or not can(g.get("roles", frozenset()), "inquiries.work"):
        return 0
    return services.unread_count(db(), current_user.id)


@bp.route("/inquiries/escalations")
@requires("inquiries.oversee")
def escalations(slug):
    """The head's list of overdue tickets and late hand-overs, with the numbers of routing (block panel)."""
    if can(g.roles, "inquiries.work"):
        _sweep()
    late = services.unacknowledged(db())
    overdue = services.overdue_tickets(db())
    figures = services.numbers(db())
    ids = {r.pending.to_user_id for r in late} | {r.pending.from_user_id for r in late} | \
        {t.handler_user_id for t in overdue} | {u for u, *_ in figures.ack_by_receiver} | \
        {u for u, _n in figures.handbacks_by_giver} | {u for u, *_ in figures.inquiries_by_owner}
    return render("routing/escalations.html", block="panel", late=late, overdue=overdue, figures=figures,
                  names=services.names_of(ids), embedded=request.args.get("embedded") == "1")


@bp.route("/staff/notices")
@requires("inquiries.work")
def notices(slug):
    """A member of staff's notices: assignments, hand-overs, escalations, answers."""
    _sweep()
    return render("routing/notices.html", notices=services.staff_inbox(db(), current_user.id),
                  unread=services.unread_count(db(), current_user.id))


@bp.route("/staff/notices/badge")
@requires("inquiries.work")
def badge(slug):
    """The navigation badge: how many notices are unread (htmx polls it)."""
    return render("routing/_badge.html", unread=services.unread_count(db(), current_user.id))


@bp.route("/staff/notices/read", methods=["POST"])
@requires("inquiries.work")
def notices_read(slug):
    """Mark all notices read."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.mark_read(db(), current_user.id)
    return redirect_to(url_for("routing.notices", slug=slug))
