"""Every address of the URL map that takes a ticket's id or number, filled with one complaint's: the side doors a
complaint must never come out through."""

from __future__ import annotations

from flask import url_for

ACTIONS = ("accept", "start", "return", "complete", "decline", "reply", "handover", "acknowledge", "withdraw",
           "resubmit", "answer", "ticket", "post", "print", "revoke")
WRITE = {"POST", "PUT", "PATCH", "DELETE"}


def side_doors(app, number: str, ticket_id: int) -> list[tuple[str, str]]:
    """(method, url) for every community rule of comm-a with an id or number argument, filled with the complaint's
    (every integer argument with its id, every text argument with its number, an action with each known one)."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            args = set(rule.arguments) - {"slug"}
            if not rule.rule.startswith("/c/<slug>/") or not args:
                continue
            ints = {name for name, conv in rule._converters.items() if type(conv).__name__ == "IntegerConverter"}
            base = {name: ticket_id if name in ints else number for name in args if name != "action"}
            for action in (ACTIONS if "action" in args else (None,)):
                values = {**base, **({"action": action} if action else {})}
                try:
                    url = url_for(rule.endpoint, slug="comm-a", **values)
                except Exception:   # noqa: S112 - a converter that refuses the value: no such address
                    continue
                for method in sorted(rule.methods & ({"GET"} | WRITE)):
                    found.append((method, url))
    return sorted(set(found))
