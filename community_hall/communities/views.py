"""The site index, each community's public home, creating communities, and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from ..accounts.policy import community_public, requires_district
from ..errors import HallError, copy_error
from ..tenancy import Community, all_communities, community_session, registry_session
from . import services
from .forms import CommunityForm

bp = Blueprint("communities", __name__)


@bp.route("/")
def index():
    """The site's communities; a large site lists its street offices first (?street= lists one street's)."""
    street = request.args.get("street")
    if street is None:
        if services.community_count() > current_app.config["INDEX_STREETS_ABOVE"]:
            return render_template("communities/index.html", streets=services.streets(),
                                   no_street=services.NO_STREET)
        return render_template("communities/index.html", communities=all_communities())
    communities = services.communities_of_street(street)
    if not communities:
        abort(404)
    return render_template("communities/index.html", communities=communities, street=street,
                           no_street=services.NO_STREET)


@bp.route("/c/<slug>/")
@community_public
def home(slug):
    """A community's public home page."""
    return render_template("communities/home.html", station=services.station_of(g.community))


@bp.route("/communities/new", methods=["GET", "POST"])
@requires_district
def new_community():
    """A street-office admin registers a community (and becomes its district admin)."""
    form = CommunityForm()
    if form.validate_on_submit():
        try:
            community = services.create_community(form.slug.data, form.name.data, form.households.data or 0,
                                                  form.residents.data or 0, form.street.data, creator=current_user)
        except HallError as err:
            copy_error(form, err)
        else:
            flash(_("Community %(name)s has been created.", name=community.name), "success")
            return redirect(url_for("communities.home", slug=community.slug))
    return render_template("communities/new.html", form=form)


@bp.route("/healthz")
def healthz():
    """200 when the registry and a community database answer."""
    try:
        registry_session().execute(text("SELECT 1"))
        first = registry_session().query(Community.slug).order_by(Community.id).first()
        if first is not None:
            community_session(first.slug).execute(text("SELECT 1"))
    except Exception as exc:  # report, do not crash: this is what monitors poll
        return jsonify(status="error", error=type(exc).__name__), 503
    return jsonify(status="ok")
