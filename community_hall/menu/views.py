"""The public service menu with search as you type, item pages, and the head's menu management."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.policy import can, community_public, requires
from ..errors import HallError, copy_error
from ..glossary import CHANNEL_LABELS, DUTY_LABELS, FEE_LABELS, PROVIDER_LABELS, TIME_UNIT_LABELS
from ..htmx import is_htmx, render
from ..pagecache import cached
from ..rosters.services import all_posts
from ..tenancy import community_session
from . import services
from .forms import ItemForm
from .models import Category
from .search import search_items

bp = Blueprint("menu", __name__, url_prefix="/c/<slug>/menu")
MENU_TABLES = ("menu_categories", "service_items", "service_materials")


def _db():
    return community_session(g.community.slug)


@bp.route("/")
@community_public
@cached(MENU_TABLES)
def index(slug):
    """The published menu by category; ?q= searches (htmx asks for the results block only)."""
    q = request.args.get("q", "").strip()
    results = search_items(_db(), q) if q else None
    groups = None if q else services.menu_by_category(_db())
    return render("menu/index.html", block="results", q=q, results=results, groups=groups)


@bp.route("/<code>")
@community_public
@cached(MENU_TABLES)
def item(slug, code):
    """One item: who qualifies, every material to bring, the steps, the time limit, the channels."""
    found = services.item_by_code(_db(), code, published_only=not can(g.roles, "menu.manage"))
    if found is None:
        abort(404)
    return render_template("menu/item.html", item=found)


@bp.route("/manage")
@requires("menu.manage")
def manage(slug):
    """All items, published or not, with edit, publish and reorder actions."""
    return render("menu/manage.html", block="items",
                  groups=services.menu_by_category(_db(), published_only=False, include_empty=True))


@bp.route("/categories", methods=["POST"])
@requires("menu.manage")
def add_category(slug):
    """Add a category at the end of the menu."""
    try:
        services.add_category(_db(), request.form.get("name", ""), current_user.id)
        _db().commit()
    except HallError as err:
        _db().rollback()
        flash(str(err.message), "error")
    return redirect(url_for("menu.manage", slug=slug), code=303)


@bp.route("/categories/<int:category_id>/move", methods=["POST"])
@requires("menu.manage")
def move_category(slug, category_id):
    """Move a category up (direction=-1) or down (direction=1) in the menu."""
    category = _db().get(Category, category_id) or abort(404)
    services.move_category(_db(), category, -1 if request.form.get("direction") == "-1" else 1, current_user.id)
    _db().commit()
    return _back_to_manage(slug)


def _fill_choices(form: ItemForm) -> None:
    session = _db()
    form.category.choices = [(c.name, c.name) for c in session.query(Category).order_by(Category.position)]
    form.post.choices = [("", _("None"))] + [(p.code, f"{p.name} ({p.code})") for p in all_posts(session)]
    form.time_unit.choices = [(k, str(v)) for k, v in TIME_UNIT_LABELS.items()]
    form.channels.choices = [(k, str(v)) for k, v in CHANNEL_LABELS.items()]
    form.fee_kind.choices = [(k, str(v)) for k, v in FEE_LABELS.items()]
    form.duty_list.choices = [(k, str(v)) for k, v in DUTY_LABELS.items()]
    form.provider.choices = [(k, str(v)) for k, v in PROVIDER_LABELS.items()]


def _save(form: ItemForm, existing=None):
    raw = {name: form[name].data for name in services.COLUMNS if name in form and name != "published"}
    raw["published"] = "yes" if form.published.data else "no"
    raw["position"] = existing.position if existing is not None else ""
    data = services.clean_item(raw)
    session = _db()
    if existing is None:
        item = services.create_item(session, data, current_user.id)
    else:
        item = services.update_item(session, existing, data, current_user.id)
    session.commit()
    return item


def _item_form(slug, found=None):
    """The add/edit form of an item: fill, validate, save through the services, or show the reasons."""
    form = ItemForm(obj=found if request.method == "GET" else None)
    _fill_choices(form)
    if request.method == "GET":
        if found is None:
            form.channels.data = ["window"]
        else:
            row = services.item_to_row(found)
            form.category.data, form.post.data, form.materials.data = row["category"], row["post"], row["materials"]
            form.channels.data = found.channel_list
    if form.validate_on_submit():
        try:
            item = _save(form, found)
        except HallError as err:
            _db().rollback()
            copy_error(form, err)
        else:
            message = _("%(name)s has been saved.", name=item.name) if found else \
                _("%(name)s has been added to the menu.", name=item.name)
            flash(message, "success")
            return redirect(url_for("menu.manage", slug=slug))
    return render_template("menu/edit.html", form=form, item=found)


@bp.route("/new", methods=["GET", "POST"])
@requires("menu.manage")
def new(slug):
    """Add a service item."""
    return _item_form(slug)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@requires("menu.manage")
def edit(slug, code):
    """Change a service item."""
    found = services.item_by_code(_db(), code)
    if found is None:
        abort(404)
    return _item_form(slug, found)


@bp.route("/<code>/publish", methods=["POST"])
@requires("menu.manage")
def publish(slug, code):
    """Publish (published=1) or unpublish (published=0) an item."""
    found = services.item_by_code(_db(), code) or abort(404)
    services.set_published(_db(), found, request.form.get("published") == "1", current_user.id)
    _db().commit()
    return _back_to_manage(slug)


@bp.route("/<code>/move", methods=["POST"])
@requires("menu.manage")
def move(slug, code):
    """Move an item up (direction=-1) or down (direction=1) within its category."""
    found = services.item_by_code(_db(), code) or abort(404)
    services.move_item(_db(), found, -1 if request.form.get("direction") == "-1" else 1, current_user.id)
    _db().commit()
    return _back_to_manage(slug)


def _back_to_manage(slug):
    # htmx swaps the refreshed list in place; without JavaScript the browser follows the redirect.
    if is_htmx():
        return render("menu/manage.html", block="items",
                      groups=services.menu_by_category(_db(), published_only=False, include_empty=True))
    return redirect(url_for("menu.manage", slug=slug), code=303)


from . import transfer_views  # noqa: E402,F401  (routes on this blueprint; imported last to avoid a cycle)
