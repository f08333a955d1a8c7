"""Words of first-inquiry routing as users see them (the rosters' duty reasons are in glossary.py)."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

from ..glossary import DUTY_REASON_LABELS

HOP_KIND_LABELS = {
    "route": _l("Routed"),
    "handover": _l("Handed over"),
    "handback": _l("Handed back"),
    "leave": _l("Passed on (handler away)"),
    "escalation": _l("Escalated to the head"),
}
INQUIRY_STATUS_LABELS = {"open": _l("Waiting for an answer"), "answered": _l("Answered"), "ticket": _l("Made a ticket")}
EXTRA_REASON_LABELS = {"no_post": _l("No post: the station head"),
                       "escalated": _l("Not acknowledged in time: the station head")}
AWAY_LABELS = {"leave": _l("On leave"), "out": _l("Out visiting households")}
NOTICE_MESSAGES = {
    "assigned": _l("New matter for you: %(matter)s"),
    "handover": _l("%(by)s handed you %(matter)s: please acknowledge"),
    "handback": _l("%(by)s handed %(matter)s back to you: please acknowledge"),
    "leave": _l("%(matter)s passed to you because %(by)s is away: please acknowledge"),
    "escalation": _l("Not acknowledged in time: %(matter)s"),
    "answered": _l("Your first inquiry %(matter)s has been answered"),
}


def hop_kind(key: str) -> str:
    """The name of a kind of hop."""
    return str(HOP_KIND_LABELS.get(key, key))


def routing_reason(key: str) -> str:
    """Why routing named a person, in words."""
    return str(EXTRA_REASON_LABELS.get(key) or DUTY_REASON_LABELS.get(key, key))


def hop_reason(kind: str, reason: str) -> str:
    """A hop's reason; passes on leave store why the handler was away."""
    return str(AWAY_LABELS.get(reason, reason)) if kind == "leave" else reason


def inquiry_status(key: str) -> str:
    """The state of an inquiry in words."""
    return str(INQUIRY_STATUS_LABELS.get(key, key))


def notice_text(kind: str, params: str) -> str:
    """A staff notice in the reader's language."""
    try:
        values = {"matter": "", "by": "", **json.loads(params or "{}")}
        return str(NOTICE_MESSAGES[kind]) % values
    except (KeyError, ValueError, TypeError):
        return kind


def register(state) -> None:
    """Make the labels available to templates (called when the blueprint is registered)."""
    env = state.app.jinja_env
    env.globals.update(hop_kind=hop_kind, routing_reason=routing_reason, hop_reason=hop_reason,
                       inquiry_status=inquiry_status, notice_text=notice_text)
