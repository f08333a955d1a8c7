"""Sign in and out, sign up, change password, and member administration."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from ..errors import HallError, copy_error
from ..extensions import limiter
from ..glossary import role_label
from ..security import safe_next
from ..tenancy import registry_session
from . import services
from .forms import JoinForm, LoginForm, MemberForm, PasswordForm, SignupForm
from .identity import SESSION_KEY
from .models import User
from .policy import can, community_public, grantable_roles, requires, requires_login
from .signins import SID_KEY, end_signin, open_signin

bp = Blueprint("accounts", __name__)


def _login_key() -> str:
    # Failed attempts are counted per username *and* address, so one attacker cannot lock out a user.
    return f"{get_remote_address()}|{services.normalise_username(request.form.get('username', ''))}"


def start_session(user_id: int) -> None:
    """Sign a user in on a new session: nothing of the session before (a planted one, say) is kept but its
    messages, the CSRF token is new, and the session holds the user's current session_version."""
    user = registry_session().get(User, user_id)
    flashes = session.get("_flashes")
    previous = session.get(SID_KEY)
    session.clear()
    if flashes:
        session["_flashes"] = flashes
    g.pop("csrf_token", None)   # Flask-WTF keeps the request's token here
    end_signin(previous)        # a renewed session replaces the sign-in it continues
    login_user(user)
    session[SESSION_KEY] = user.session_version
    session[SID_KEY] = open_signin(user.id)
    session.permanent = True    # the cookie outlives the browser; the server's sign-in decides (signins.py)


@bp.after_app_request
def renew_session(response):
    """The signed-in user's password or roles changed on this request: their other sessions have ended, and this
    one goes on as a new session (services.end_sessions)."""
    user_id = g.pop("renew_session", None)
    if user_id is not None:
        registry_session().expire_all()     # read the committed session_version
        start_session(user_id)
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key, methods=["POST"],
               deduct_when=lambda response: response.status_code != 302)
def login():
    """Sign in with username and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            start_session(user.id)
            flash(_("You are signed in."), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("accounts.account"))
        # One message whether the username exists or not.
        form.form_errors.append(_("Wrong username or password."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out."""
    if current_user.is_authenticated:
        services.note_logout(current_user.id)
    end_signin(session.get(SID_KEY))   # every copy of this cookie is signed out, not only this browser's
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("communities.index"))


@bp.route("/account")
@requires_login
def account():
    """The signed-in user's communities and roles."""
    return render_template("accounts/account.html", memberships=services.memberships_of(current_user))


@bp.route("/account/password", methods=["GET", "POST"])
@requires_login
def change_password():
    """Change one's own password."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.old_password.data, form.new_password.data)
        except HallError as err:
            copy_error(form, err)
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/password.html", form=form)


@bp.route("/c/<slug>/signup", methods=["GET", "POST"])
@community_public
@limiter.limit(lambda: current_app.config["PUBLIC_FORM_RATE_LIMIT"], methods=["POST"])
def signup(slug):
    """A resident registers into this community."""
    community = g.community
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.sign_up_resident(community, form.username.data, form.password.data,
                                             form.real_name.data, form.phone.data or "", form.address.data or "")
        except HallError as err:
            copy_error(form, err)
        else:
            start_session(user.id)
            flash(_("Welcome! You are registered as a resident of %(name)s.", name=community.name), "success")
            return redirect(url_for("communities.home", slug=slug))
    return render_template("accounts/signup.html", form=form)


@bp.route("/c/<slug>/join", methods=["GET", "POST"])
@community_public
@requires_login
def join(slug):
    """A signed-in person becomes a resident of this community too."""
    form = JoinForm()
    if request.method == "GET":
        form.real_name.data = current_user.display_name
    if form.validate_on_submit():
        try:
            services.join_as_resident(current_user, g.community, form.real_name.data, form.phone.data or "",
                                      form.address.data or "")
        except HallError as err:
            copy_error(form, err)
        else:
            flash(_("Welcome! You are registered as a resident of %(name)s.", name=g.community.name), "success")
            return redirect(url_for("communities.home", slug=slug))
    return render_template("accounts/join.html", form=form)


@bp.route("/c/<slug>/members")
@requires("members.view")
def members(slug):
    """People of this community and their roles."""
    role = request.args.get("role", "")
    people = services.members_of(g.community)
    if role:
        people = [p for p in people if role in p["roles"]]
    can_create = can(g.roles, "members.create")
    return render_template("accounts/members.html", people=people, role=role, can_create=can_create,
                           can_housebound=can(g.roles, "residents.housebound"))


@bp.route("/c/<slug>/members/<int:user_id>/housebound", methods=["POST"])
@requires("residents.housebound")
def housebound(slug, user_id):
    """Staff mark a resident housebound (or not): their open tickets then appear on the home visits list."""
    on = request.form.get("on") == "1"
    try:
        profile = services.set_housebound(g.community, user_id, on, current_user.id)
    except HallError as err:
        flash(str(err.message), "error")
    else:
        flash(_("%(name)s is marked housebound.", name=profile.real_name) if on
              else _("%(name)s is no longer marked housebound.", name=profile.real_name), "success")
    return redirect(url_for("accounts.members", slug=slug, role=request.form.get("role", "")), code=303)


@bp.route("/c/<slug>/members/new", methods=["GET", "POST"])
@requires("members.create")
def new_member(slug):
    """A head adds staff; a district admin adds heads."""
    allowed = grantable_roles(g.roles)
    form = MemberForm()
    form.role.choices = [(r, role_label(r)) for r in allowed]
    if request.method == "GET":
        form.role.data = allowed[0]
    if form.validate_on_submit():
        try:
            user = services.create_member(current_user, g.roles, g.community, form.role.data, form.username.data,
                                          form.password.data, form.real_name.data, form.phone.data or "")
        except HallError as err:
            copy_error(form, err)
        else:
            flash(_("%(name)s has been added.", name=user.display_name), "success")
            return redirect(url_for("accounts.members", slug=slug))
    return render_template("accounts/new_member.html", form=form)
