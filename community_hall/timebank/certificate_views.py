"""Certificates (志愿服务证明) and their public check, the time-bank figures and the ledger export."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from .. import audit
from ..accounts.models import User
from ..accounts.policy import can, community_public, requires
from ..errors import HallError, copy_error
from ..extensions import limiter
from ..formatting import decimal_hours, localtime, spreadsheet_cell
from ..htmx import render
from ..privacy import mask_text
from ..qr import qr_svg
from ..tenancy import community_session, registry_session, tenancy, utcnow
from . import certificates as services
from . import figures as figure_services
from . import volunteers as volunteer_services
from .certificate_forms import ExportForm, IssueForm, RequestForm, RevokeForm
from .stars import thresholds_for

bp = Blueprint("certificates", __name__, url_prefix="/c/<slug>")

KIND_LABELS = {"credit_service": _l("Service credited"), "pay_service": _l("Service paid with hours"),
               "donate": _l("Donation"), "reverse": _l("Reversal"), "transfer_out": _l("Transfer out"),
               "transfer_in": _l("Transfer in")}
ACCOUNT_LABELS = {"issuing": _l("Issuing account"), "pool": _l("Donation pool")}


def db():
    """The current community's database session."""
    return community_session(g.community.slug)


def _issuer():
    return SimpleNamespace(user_id=current_user.id, name=current_user.display_name)


def _issue_form() -> IssueForm:
    form = IssueForm()
    form.volunteer.choices = [SelectChoice(v.id, f"{v.number} {v.real_name}")
                              for v in volunteer_services.approved(db())]
    return form


@bp.route("/timebank/certificates", methods=["GET", "POST"])
@requires("timebank.manage")
def index(slug):
    """The head's certificates: requests waiting, issuing one, and every certificate issued."""
    form = _issue_form()
    if form.validate_on_submit():
        try:
            certificate = services.issue(db(), g.community, form.volunteer.data, _issuer())
        except HallError as err:
            db().rollback()
            copy_error(form, err)
        else:
            flash(_("Certificate %(number)s issued.", number=certificate.number), "success")
            return redirect(url_for("certificates.show", slug=slug, number=certificate.number), code=303)
    return render("timebank/certificates.html", form=form, requests=services.pending_requests(db()),
                  certificates=services.certificates(db()))


@bp.route("/timebank/certificates/mine", methods=["GET", "POST"])
@requires("community.member")
def mine(slug):
    """A volunteer's own certificates, and asking the station for one."""
    volunteer = volunteer_services.approved_volunteer(db(), current_user.id)
    if volunteer is None:
        return redirect(url_for("timebank.apply", slug=slug), code=303)
    form = RequestForm()
    if form.validate_on_submit():
        try:
            services.request_certificate(db(), volunteer)
        except HallError as err:
            db().rollback()
            flash(str(err.message), "error")
        else:
            flash(_("Your request was sent to the station head, who issues the certificate."), "success")
        return redirect(url_for("certificates.mine", slug=slug), code=303)
    return render("timebank/certificate_mine.html", form=form, v=volunteer,
                  pending=services.pending_request(db(), volunteer.id),
                  certificates=services.certificates(db(), volunteer.id))


def _certificate_or_404(number: str):
    certificate = services.by_number(db(), number)
    if certificate is None:
        abort(404)
    return certificate


@bp.route("/timebank/certificates/<number>/print")
@requires("community.member")
def show(slug, number):
    """The printable certificate (A4) for the head or the volunteer it certifies."""
    certificate = _certificate_or_404(number)
    if not can(g.roles, "timebank.manage"):
        mine = volunteer_services.approved_volunteer(db(), current_user.id)
        if mine is None or mine.id != certificate.volunteer_id:
            abort(404)
    verify_url = url_for("certificates.verify", slug=slug, number=certificate.number, _external=True)
    qr = qr_svg(verify_url, scale=3)
    return render("timebank/certificate.html", c=certificate, qr=qr, verify_url=verify_url,
                  label=services.record_label, hours=decimal_hours, revoke_form=RevokeForm())


@bp.route("/timebank/certificates/<number>/revoke", methods=["POST"])
@requires("timebank.manage")
def revoke(slug, number):
    """The head revokes a certificate with a reason."""
    certificate = _certificate_or_404(number)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(db(), certificate.number, form.reason.data or "", current_user.id)
        except HallError as err:
            db().rollback()
            flash(str(err.message), "error")
        else:
            flash(_("The certificate is revoked; the public check now says so."), "success")
    else:
        flash(_("The form has expired; please try again."), "error")
    return redirect(url_for("certificates.show", slug=slug, number=certificate.number), code=303)


@bp.route("/timebank/certificates/<number>")
@community_public
@limiter.limit(lambda: current_app.config.get("CERTIFICATE_CHECK_RATE_LIMIT", "60 per hour"))
def verify(slug, number):
    """Public check that a certificate is genuine: only what the certificate itself shows."""
    certificate = _certificate_or_404(number)
    return render("timebank/certificate_verify.html", c=certificate, label=services.record_label, hours=decimal_hours)


@bp.route("/timebank/figures")
@requires("timebank.figures")
def figures(slug):
    """Registration rate, teams, hours this month, active volunteers, star levels, orders."""
    data = figure_services.figures(db(), registry_session(), g.community, thresholds=thresholds_for(db()))
    return render("timebank/figures.html", f=data, hours=decimal_hours, form=ExportForm(request.args),
                  registration_target=figure_services.REGISTRATION_TARGET, teams_target=figure_services.TEAMS_TARGET,
                  active_days=figure_services.ACTIVE_DAYS)


def _cell(value) -> str:
    return spreadsheet_cell(str(value or ""))   # as text, like before: every cell of this export is checked


@bp.route("/timebank/ledger.csv")
@requires("timebank.manage")
def ledger_csv(slug):
    """Every ledger entry as CSV (UTF-8 with BOM so Excel reads Chinese), optionally within local dates."""
    form = ExportForm(request.args)
    try:
        start, end = figure_services.date_range(g.community, form.date_from.data, form.date_to.data)
    except HallError as err:
        copy_error(form, err)
        data = figure_services.figures(db(), registry_session(), g.community, thresholds=thresholds_for(db()))
        return render("timebank/figures.html", f=data, hours=decimal_hours, form=form,
                      registration_target=figure_services.REGISTRATION_TARGET,
                      teams_target=figure_services.TEAMS_TARGET, active_days=figure_services.ACTIVE_DAYS), 400
    lines = figure_services.ledger_lines(db(), start, end)
    ids = {line.user_id for line in lines if line.user_id is not None}
    names = dict(registry_session().execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) \
        if ids else {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Movement"), _("Time"), _("Kind"), _("Account"), _("Name"), _("Minutes"), _("In hours"),
                     _("Reference"), _("Reason"), _("Recorded by")])
    for line in lines:
        name = names.get(line.user_id, "") if line.user_id is not None else str(ACCOUNT_LABELS.get(line.account, ""))
        writer.writerow([line.movement_id, localtime(line.at, "%Y-%m-%d %H:%M:%S"),
                         str(KIND_LABELS.get(line.kind, line.kind)), line.account, _cell(name), line.amount,
                         decimal_hours(line.amount), _cell(mask_text(line.reference)), _cell(mask_text(line.reason)),
                         _cell(line.actor)])
    span = f"{form.date_from.data or '…'}..{form.date_to.data or '…'}"
    # A transaction of its own: the export only read, and on SQLite a reader cannot take the write lock later.
    audit.record_apart(tenancy().community_engine(slug), current_user.id, "timebank.ledger_export",
                       f"{span}: {len(lines)} entries")
    filename = f"ledger-{slug}-{localtime(utcnow(), '%Y%m%d')}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
