"""A person's own data (个人信息): see, download as JSON or CSV, ask for deletion; a head's retention periods."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from ..errors import HallError, copy_error, parse_id
from ..extensions import limiter
from ..htmx import render
from ..tenancy import community_session
from . import personal_data, retention
from .data_forms import DeleteForm, RetentionForm
from .data_labels import field_label
from .policy import requires, requires_login

bp = Blueprint("privacy", __name__)


def _download(body: str, mimetype: str, extension: str) -> Response:
    name = f"personal-data-{current_user.id}.{extension}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}",
                                                      "Cache-Control": "no-store"})


@bp.route("/account/data")
@requires_login
def data():
    """What the site holds about the signed-in person, with the download links and the deletion link."""
    collected = personal_data.collect(current_user)
    return render("accounts/data.html", data=collected, kind_label=kind_label, field_label=field_label)


@bp.route("/account/data.json")
@requires_login
def data_json():
    """Everything held about the signed-in person as one JSON file."""
    collected = personal_data.collect(current_user)
    personal_data.record_export(current_user, collected, "json")
    return _download(personal_data.to_json(collected), "application/json", "json")


@bp.route("/account/data.csv")
@requires_login
def data_csv():
    """Everything held about the signed-in person as one CSV file (community, kind, record, field, value)."""
    collected = personal_data.collect(current_user)
    personal_data.record_export(current_user, collected, "csv")
    return _download(personal_data.to_csv(collected), "text/csv", "csv")


@bp.route("/account/delete", methods=["GET", "POST"])
@requires_login
# Wrong passwords count as at the login form, so a borrowed session cannot be used to guess the password.
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=lambda: f"delete|{current_user.id}",
               methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def delete():
    """The confirmation page of a deletion; the POST with the right password anonymises the person."""
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            personal_data.delete_account(current_user, form.password.data)
        except HallError as err:
            copy_error(form, err)
        else:
            logout_user()
            flash(_("Your account is closed and your personal details have been removed."), "success")
            return redirect(url_for("communities.index"))
    return render("accounts/delete.html", form=form)


@bp.route("/c/<slug>/retention", methods=["GET", "POST"])
@requires("privacy.retention")
def retention_settings(slug):
    """The head sets how many months personal details of finished records are kept."""
    session = community_session(slug)
    current = retention.months_by_kind(session)
    form = RetentionForm(data={kind: str(months) for kind, months in current.items()})
    if form.validate_on_submit():
        values = {kind: parse_id(getattr(form, kind).data)
                  for kind in retention.DEFAULT_MONTHS}
        try:
            retention.save(session, values, current_user.id)
        except HallError as err:
            copy_error(form, err)
        else:
            flash(_("Retention periods saved."), "success")
            return redirect(url_for("privacy.retention_settings", slug=slug))
    return render("accounts/retention.html", form=form, community=g.community, defaults=retention.DEFAULT_MONTHS)


LABELS = {
    "account": _l("Account"), "membership": _l("Memberships"), "profile": _l("Profile"), "ticket": _l("Tickets"),
    "ticket_event": _l("Ticket timelines"), "appointment": _l("Appointments"), "home_visit": _l("Home visits"),
    "queue_number": _l("Queue numbers"), "complaint": _l("Complaints"), "rating": _l("Ratings"),
    "notification": _l("Messages"), "volunteer": _l("Volunteer record"), "ledger_account": _l("Time bank accounts"),
    "ledger_entry": _l("Time bank entries"), "ledger_transfer": _l("Time bank transfers"),
    "certificate": _l("Certificates"), "certificate_request": _l("Certificate requests"),
    "activity_signup": _l("Activity sign-ups"), "order": _l("Orders"), "order_event": _l("Order timelines"),
    "family_grant": _l("Family payment grants"), "pool_eligible": _l("Pool eligibility"), "shift": _l("Shifts"),
    "leave": _l("Leave"), "outreach": _l("Outreach"), "staff_notification": _l("Staff notices"),
    "audit_event": _l("Your actions in the audit log"),
}


def kind_label(kind: str) -> str:
    """The name of a kind of record in the reader's language."""
    return str(LABELS.get(kind, kind))
