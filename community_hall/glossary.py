"""Domain terms as users see them: the one place where role and other labels are named."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "resident": _l("Resident"),
    "staff": _l("Staff"),
    "head": _l("Station head"),
    "district": _l("Street office admin"),
}


def role_label(role: str) -> str:
    """The translated name of a role."""
    return str(ROLE_LABELS.get(role, role))


def register(app) -> None:
    """Make the labels available to templates."""
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.filters["role_label"] = role_label
