"""The access matrix's table: for every rule of the URL map, the outcome each actor must get, per method.

Outcomes: "ok" (2xx, or a redirect that is not to the sign-in page), "login" (sent to sign in), "403", "404", or
another status ("400", "422": an empty form from someone allowed to send it). Actors, in the order of each line:
anonymous, resident of A, volunteer of A (a resident with an approved time-bank card who leads a team), staff of A,
head of A, staff of B, district admin of A and B. Lines under /open311/ add two more: an anonymous caller with B's
API key, then with A's API key (the web actors call without a key). Every request targets community A's real rows
(see matrix_site.py).

perm is the permission the view's decorator names (policy.py's `permission` marker: a PERMISSIONS key, "login" or
"district"); test_access_matrix checks it, and that every refusal the policy implies is the one declared. A refusal
where the permission lets the actor in (the view checks the row: someone else's order) is listed in `narrowed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ACTORS = ("anonymous", "resident", "volunteer", "staff", "head", "staff_b", "district")
API_ACTORS = (*ACTORS, "key_b", "key_a")
# the order the actors are run in: those that must be refused first, so nothing they could change hides a refusal
RUN_ORDER = ("anonymous", "key_b", "key_a", "staff_b", "resident", "volunteer", "district", "staff", "head")


@dataclass(frozen=True)
class Route:
    """What a rule expects per method, the permission its view's decorator names, and how to fill its arguments."""

    expect: dict[str, tuple[str, ...]]
    perm: str | None = None
    args: dict = field(default_factory=dict)      # argument -> a value, or "$name" for the data set's value
    query: dict = field(default_factory=dict)     # sent with GET
    data: dict = field(default_factory=dict)      # sent with other methods (besides the CSRF token)
    narrowed: frozenset = frozenset()             # actors the view itself refuses though the permission lets them in


def route(perm: str | None = None, *, args: dict | None = None, query: dict | None = None, data: dict | None = None,
          narrowed: str = "", **methods: str) -> Route:
    """route("tickets.view", GET="login 403 403 ok ok 404 ok", args={"number": "$ticket"})."""
    return Route({m: tuple(line.split()) for m, line in methods.items()}, perm, args or {}, query or {}, data or {},
                 frozenset(narrowed.split()))


ROUTES: dict[str, Route] = {
    "/": route(GET="ok ok ok ok ok ok ok"),
    "/account": route("login", GET="login ok ok ok ok ok ok"),
    "/account/password": route("login", GET="login ok ok ok ok ok ok", POST="login ok ok ok ok ok ok"),
    # a person's own data (PIPL); an empty deletion form (no password) is refused on the page and deletes nothing
    "/account/data": route("login", GET="login ok ok ok ok ok ok"),
    "/account/data.csv": route("login", GET="login ok ok ok ok ok ok"),
    "/account/data.json": route("login", GET="login ok ok ok ok ok ok"),
    "/account/delete": route("login", GET="login ok ok ok ok ok ok", POST="login ok ok ok ok ok ok"),
    "/c/<slug>/": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/apply/<code>": route(GET="ok ok ok ok ok ok ok", POST="ok ok ok ok ok ok ok", args={"code": "$item"}),
    "/c/<slug>/appointments": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/appointments/<code>": route(GET="ok ok ok ok ok ok ok", args={"code": "$appointment"}),
    # a booking's code is not proof enough to change it: code + phone, its owner, or staff acting for a resident
    "/c/<slug>/appointments/<code>/cancel": route(POST="404 404 404 ok ok 404 404", args={"code": "$appointment"}),
    "/c/<slug>/appointments/<code>/reschedule":
        route(GET="404 404 404 ok ok 404 404", POST="404 404 404 ok ok 404 404", args={"code": "$appointment"}),
    "/c/<slug>/appointments/<code>/staff/<action>":
        route("appointments.work", POST="login 403 403 ok ok 404 403", args={"code": "$appointment", "action": "check-in"}),
    "/c/<slug>/appointments/book": route(GET="ok ok ok ok ok ok ok", POST="ok ok ok ok ok ok ok"),
    "/c/<slug>/appointments/day": route("appointments.view", GET="login 403 403 ok ok 404 403"),
    # an empty search is refused as bad input before anything is looked up
    "/c/<slug>/appointments/find": route(POST="422 422 422 422 422 422 422"),
    "/c/<slug>/calendar": route("calendar.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/calendar/<day>/delete": route("calendar.manage", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/complaints": route("complaints.handle", GET="login 403 403 403 ok 404 ok"),
    # a complaint about the service is the head's; the district handles only complaints about the head
    "/c/<slug>/complaints/<number>":
        route("complaints.handle", GET="login 403 403 403 ok 404 404", args={"number": "$complaint"}, narrowed="district"),
    "/c/<slug>/complaints/<number>/<action>":
        route("complaints.handle", POST="login 403 403 403 400 404 404", args={"number": "$complaint", "action": "reply"},
              narrowed="district"),
    "/c/<slug>/complaints/new": route(GET="ok ok ok ok ok ok ok", POST="ok ok ok ok ok ok ok"),
    "/c/<slug>/dashboard": route("dashboard.view", GET="login 403 403 403 ok 404 ok"),
    "/c/<slug>/desk": route("floor.call", GET="login 403 403 ok ok 404 403"),
    "/c/<slug>/desk/<int:window_id>/call": route("floor.call", POST="login 403 403 ok ok 404 403"),
    "/c/<slug>/desk/<int:window_id>/numbers/<int:number_id>/<action>":
        route("floor.call", POST="login 403 403 ok ok 404 403", args={"action": "recall"}),
    "/c/<slug>/disclosure": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/disclosure.json": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/floor/figures": route("floor.call", GET="login 403 403 ok ok 404 403"),
    "/c/<slug>/followups": route("ratings.followup", GET="login 403 403 403 ok 404 ok"),
    "/c/<slug>/followups/<int:followup_id>":
        route("ratings.followup", GET="login 403 403 403 ok 404 ok", POST="login 403 403 403 ok 404 ok"),
    "/c/<slug>/inquiries": route("inquiries.work", GET="login 403 403 ok ok 404 403", POST="login 403 403 ok ok 404 403"),
    "/c/<slug>/inquiries/<int:inquiry_id>": route("inquiries.work", GET="login 403 403 ok ok 404 403"),
    "/c/<slug>/inquiries/<int:inquiry_id>/<action>":
        route("inquiries.work", POST="login 403 403 422 422 404 403", args={"action": "acknowledge"}),
    "/c/<slug>/inquiries/escalations": route("inquiries.oversee", GET="login 403 403 403 ok 404 ok"),
    "/c/<slug>/inquiries/mine": route("inquiries.work", GET="login 403 403 ok ok 404 403"),
    "/c/<slug>/inquiries/tickets/<number>/<action>":
        route("inquiries.work", POST="login 403 403 ok ok 404 403", args={"number": "$ticket", "action": "acknowledge"}),
    # anyone signed in may ask to join a community as a resident (an empty form joins nobody)
    "/c/<slug>/join": route("login", GET="login ok ok ok ok ok ok", POST="login ok ok ok ok ok ok"),
    "/c/<slug>/kiosk": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/kiosk/check-in": route(GET="ok ok ok ok ok ok ok", POST="ok ok ok ok ok ok ok"),
    "/c/<slug>/kiosk/slip/<token>": route(GET="ok ok ok ok ok ok ok", args={"token": "$slip"}),
    "/c/<slug>/kiosk/take": route(POST="ok ok ok ok ok ok ok"),
    "/c/<slug>/members": route("members.view", GET="login 403 403 ok ok 404 ok"),
    "/c/<slug>/members/<int:user_id>/housebound": route("residents.housebound", POST="login 403 403 ok ok 404 403"),
    "/c/<slug>/members/new": route("members.create", GET="login 403 403 403 ok 404 ok", POST="login 403 403 403 ok 404 ok"),
    "/c/<slug>/menu/": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/menu/<code>": route(GET="ok ok ok ok ok ok ok", args={"code": "$item"}),
    "/c/<slug>/menu/<code>/edit":
        route("menu.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403",
              args={"code": "$other_item"}),
    "/c/<slug>/menu/<code>/move": route("menu.manage", POST="login 403 403 403 ok 404 403", args={"code": "$other_item"}),
    "/c/<slug>/menu/<code>/publish": route("menu.manage", POST="login 403 403 403 ok 404 403", args={"code": "$other_item"}),
    "/c/<slug>/menu/categories": route("menu.manage", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/menu/categories/<int:category_id>/move": route("menu.manage", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/menu/export.csv": route("menu.manage", GET="login 403 403 403 ok 404 403"),
    "/c/<slug>/menu/export.xlsx": route("menu.manage", GET="login 403 403 403 ok 404 403"),
    "/c/<slug>/menu/import": route("menu.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/menu/manage": route("menu.manage", GET="login 403 403 403 ok 404 403"),
    "/c/<slug>/menu/new": route("menu.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/audit": route("audit.read", GET="login 403 403 403 ok 404 ok"),
    "/c/<slug>/my": route("login", GET="login ok ok ok ok ok ok"),
    "/c/<slug>/retention": route("privacy.retention", GET="login 403 403 403 ok 404 403",
                                 POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/notifications": route("community.member", GET="login ok ok ok ok 404 ok", POST="login ok ok ok ok 404 ok"),
    "/c/<slug>/orders": route("community.member", GET="login ok ok ok ok 404 ok"),
    # the order of another resident, on the volunteers' board: the resident actor and the district do not see it
    "/c/<slug>/orders/<int:order_id>": route("community.member", GET="login 404 ok ok ok 404 404",
              narrowed="resident district"),
    "/c/<slug>/orders/<int:order_id>/accept": route("community.member", POST="login 404 ok ok ok 404 404",
              narrowed="resident district"),
    "/c/<slug>/orders/<int:order_id>/cancel": route("community.member", POST="login 404 ok ok ok 404 404",
              narrowed="resident district"),
    "/c/<slug>/orders/<int:order_id>/claim": route("community.member", POST="login 404 ok ok ok 404 404",
              narrowed="resident district"),
    "/c/<slug>/orders/<int:order_id>/confirm": route("community.member", POST="login 404 404 ok ok 404 404",
              narrowed="resident volunteer district"),
    "/c/<slug>/orders/<int:order_id>/decline": route("community.member", POST="login 404 ok ok ok 404 404",
              narrowed="resident district"),
    "/c/<slug>/orders/<int:order_id>/dispatch": route("orders.dispatch", POST="login 403 403 ok ok 404 403"),
    "/c/<slug>/orders/<int:order_id>/done": route("community.member", POST="login 404 ok ok ok 404 404",
              narrowed="resident district"),
    "/c/<slug>/orders/board": route("community.member", GET="login ok ok ok ok 404 ok"),
    "/c/<slug>/orders/family": route("community.member", GET="login ok ok ok ok 404 ok", POST="login ok ok ok ok 404 ok"),
    # someone else's grant: the service refuses with a message (the snapshot checks nothing changed)
    "/c/<slug>/orders/family/<int:grant_id>/revoke": route("community.member", POST="login ok ok ok ok 404 ok"),
    "/c/<slug>/orders/from-ticket/<int:ticket_id>": route("orders.dispatch", POST="login 403 403 ok ok 404 403"),
    "/c/<slug>/orders/new": route("community.member", GET="login ok ok ok ok 404 ok", POST="login ok ok ok ok 404 ok"),
    "/c/<slug>/orders/pool":
        route("timebank.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/orders/pool/<int:user_id>/remove":
        route("timebank.manage", POST="login 403 403 403 ok 404 403", args={"user_id": "$pool_user_id"}),
    "/c/<slug>/q/<token>": route(GET="ok ok ok ok ok ok ok", args={"token": "$slip"}),
    "/c/<slug>/queue": route("tickets.view", GET="login 403 403 ok ok 404 ok"),
    "/c/<slug>/queue/board": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/queue/board.json": route(GET="ok ok ok ok ok ok ok"),
    # rating a ticket needs proof of it (or staff rating on the resident's behalf)
    "/c/<slug>/rate/<number>":
        route(GET="404 404 404 ok ok 404 404", POST="404 404 404 ok ok 404 404", args={"number": "$ticket"}),
    # a receipt is shown only to whoever just submitted the ticket (in their session)
    "/c/<slug>/receipt/<number>": route(GET="404 404 404 404 404 404 404", args={"number": "$ticket"}),
    "/c/<slug>/report": route("dashboard.view", GET="login 403 403 403 ok 404 ok"),
    "/c/<slug>/rosters/calendar": route("rosters.view", GET="login 403 403 ok ok 404 ok"),
    "/c/<slug>/rosters/calendar/regenerate": route("rosters.view", POST="login 403 403 ok ok 404 ok"),
    "/c/<slug>/rosters/duty": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/rosters/duty.json": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/rosters/export/<what>.csv":
        route("rosters.manage", GET="login 403 403 403 ok 404 403", args={"what": "shifts"}),
    # the calendar feed's secret token is the key
    "/c/<slug>/rosters/ical/<token>.ics": route(GET="ok ok ok ok ok ok ok", args={"token": "$ical"}),
    "/c/<slug>/rosters/import":
        route("rosters.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    # the district reads leave; asking for leave is for the station's own staff
    "/c/<slug>/rosters/leave": route("rosters.view", GET="login 403 403 ok ok 404 ok", POST="login 403 403 ok ok 404 403",
              narrowed="district"),
    "/c/<slug>/rosters/leave/<int:leave_id>/cancel": route("rosters.self", POST="login 403 403 ok ok 404 403"),
    "/c/<slug>/rosters/leave/<int:leave_id>/decide": route("rosters.manage", POST="login 403 403 403 400 404 403"),
    "/c/<slug>/rosters/leave/enter": route("rosters.manage", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/rosters/mine": route("rosters.self", GET="login 403 403 ok ok 404 403"),
    "/c/<slug>/rosters/outreach":
        route("rosters.view", GET="login 403 403 ok ok 404 ok", POST="login 403 403 ok ok 404 403", narrowed="district"),
    "/c/<slug>/rosters/outreach/<int:trip_id>/end": route("rosters.self", POST="login 403 403 ok ok 404 403"),
    "/c/<slug>/rosters/posts": route("rosters.view", GET="login 403 403 ok ok 404 ok"),
    "/c/<slug>/rosters/posts/<code>.ics": route("rosters.view", GET="login 403 403 ok ok 404 ok", args={"code": "$post"}),
    "/c/<slug>/rosters/posts/<int:post_id>":
        route("rosters.view", GET="login 403 403 ok ok 404 ok", POST="login 403 403 403 ok 404 403",
              narrowed="staff district"),
    "/c/<slug>/rosters/rota": route("rosters.manage", GET="login 403 403 403 ok 404 403"),
    "/c/<slug>/rosters/rota/generate": route("rosters.manage", POST="login 403 403 403 400 404 403"),
    "/c/<slug>/rosters/rota/publish": route("rosters.manage", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/rosters/rota/shifts/<int:shift_id>/delete":
        route("rosters.manage", POST="login 403 403 403 ok 404 403", args={"shift_id": "$spare_shift_id"}),
    "/c/<slug>/rosters/rota/shifts/<int:shift_id>/reassign":
        route("rosters.manage", POST="login 403 403 403 ok 404 403", args={"shift_id": "$spare_shift_id"}),
    "/c/<slug>/rosters/shifts": route("rosters.view", GET="login 403 403 ok ok 404 ok", POST="login 403 403 403 ok 404 403",
              narrowed="staff district"),
    "/c/<slug>/rosters/shifts/<int:shift_id>":
        route("rosters.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/rosters/shifts/<int:shift_id>/delete":
        route("rosters.manage", POST="login 403 403 403 ok 404 403", args={"shift_id": "$spare_shift_id"}),
    "/c/<slug>/rosters/swaps": route("rosters.view", GET="login 403 403 ok ok 404 ok", POST="login 403 403 ok ok 404 403",
              narrowed="district"),
    "/c/<slug>/rosters/swaps/<int:swap_id>/decide": route("rosters.manage", POST="login 403 403 403 400 404 403"),
    "/c/<slug>/signup": route(GET="ok ok ok ok ok ok ok", POST="ok ok ok ok ok ok ok"),
    "/c/<slug>/staff/notices": route("inquiries.work", GET="login 403 403 ok ok 404 403"),
    "/c/<slug>/staff/notices/badge": route("inquiries.work", GET="login 403 403 ok ok 404 403"),
    "/c/<slug>/staff/notices/read": route("inquiries.work", POST="login 403 403 ok ok 404 403"),
    "/c/<slug>/tickets/<number>": route("tickets.view", GET="login 403 403 ok ok 404 ok", args={"number": "$ticket"}),
    "/c/<slug>/tickets/<number>/<action>":
        route("tickets.work", POST="login 403 403 400 400 404 403", args={"number": "$ticket", "action": "accept"}),
    "/c/<slug>/tickets/new": route("tickets.work", GET="login 403 403 ok ok 404 403", POST="login 403 403 ok ok 404 403"),
    "/c/<slug>/timebank/activities": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/timebank/activities/<int:activity_id>": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/timebank/activities/<int:activity_id>/attendance":
        route("community.member", GET="login 403 403 ok ok 404 403", args={"activity_id": "$past_activity_id"},
              narrowed="resident volunteer district"),
    "/c/<slug>/timebank/activities/<int:activity_id>/attendance/<int:signup_id>":
        route("community.member", POST="login 403 403 ok ok 404 403", args={"activity_id": "$past_activity_id"},
              narrowed="resident volunteer district"),
    # the volunteer actor leads the activity's team, so may organise it
    "/c/<slug>/timebank/activities/<int:activity_id>/cancel": route("community.member", POST="login 403 ok ok ok 404 403",
              narrowed="resident district"),
    "/c/<slug>/timebank/activities/<int:activity_id>/confirm":
        route("community.member", POST="login 403 403 ok ok 404 403", args={"activity_id": "$past_activity_id"},
              narrowed="resident volunteer district"),
    "/c/<slug>/timebank/activities/<int:activity_id>/signup": route("community.member", POST="login ok ok ok ok 404 ok"),
    "/c/<slug>/timebank/activities/<int:activity_id>/withdraw": route("community.member", POST="login ok ok ok ok 404 ok"),
    "/c/<slug>/timebank/activities/mine": route("community.member", GET="login ok ok ok ok 404 ok"),
    "/c/<slug>/timebank/activities/new":
        route("community.member", GET="login 403 ok ok ok 404 403", POST="login 403 ok ok ok 404 403",
              narrowed="resident district"),
    "/c/<slug>/timebank/applications": route("timebank.manage", GET="login 403 403 403 ok 404 403"),
    "/c/<slug>/timebank/applications/<int:volunteer_id>/<decision>":
        route("timebank.manage", POST="login 403 403 403 ok 404 403",
              args={"volunteer_id": "$pending_volunteer_id", "decision": "approve"}),
    "/c/<slug>/timebank/apply": route("community.member", GET="login ok ok ok ok 404 ok", POST="login ok ok ok ok 404 ok"),
    "/c/<slug>/timebank/card": route("community.member", GET="login ok ok ok ok 404 ok"),
    "/c/<slug>/timebank/certificates":
        route("timebank.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/timebank/certificates/<number>": route(GET="ok ok ok ok ok ok ok", args={"number": "$certificate"}),
    # a certificate is printed by the head or its volunteer only
    "/c/<slug>/timebank/certificates/<number>/print":
        route("community.member", GET="login 404 404 404 ok 404 404", args={"number": "$certificate"},
              narrowed="resident volunteer staff district"),
    "/c/<slug>/timebank/certificates/<number>/revoke":
        route("timebank.manage", POST="login 403 403 403 ok 404 403", args={"number": "$certificate"}),
    "/c/<slug>/timebank/certificates/mine":
        route("community.member", GET="login ok ok ok ok 404 ok", POST="login ok ok ok ok 404 ok"),
    "/c/<slug>/timebank/figures": route("timebank.figures", GET="login 403 403 403 ok 404 ok"),
    "/c/<slug>/timebank/hours": route("community.member", GET="login ok ok ok ok 404 ok"),
    # an empty form is refused as bad input
    "/c/<slug>/timebank/hours/donate": route("community.member", POST="login 422 422 422 422 404 422"),
    "/c/<slug>/timebank/hours/transfer": route("community.member", POST="login 422 422 422 422 404 422"),
    "/c/<slug>/timebank/ledger": route("timebank.manage", GET="login 403 403 403 ok 404 403"),
    "/c/<slug>/timebank/ledger.csv": route("timebank.manage", GET="login 403 403 403 ok 404 403"),
    "/c/<slug>/timebank/ledger/movements/<int:movement_id>/reverse":
        route("timebank.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 422 404 403"),
    "/c/<slug>/timebank/ledger/overdraft": route("timebank.manage", POST="login 403 403 403 422 404 403"),
    "/c/<slug>/timebank/ledger/stars": route("timebank.manage", POST="login 403 403 403 422 404 403"),
    "/c/<slug>/timebank/teams": route(GET="ok ok ok ok ok ok ok"),
    "/c/<slug>/timebank/teams/<int:team_id>": route("community.member", GET="login ok ok ok ok 404 ok"),
    "/c/<slug>/timebank/teams/<int:team_id>/edit":
        route("timebank.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/timebank/teams/<int:team_id>/join": route("community.member", POST="login ok ok ok ok 404 ok"),
    "/c/<slug>/timebank/teams/<int:team_id>/requests/<int:volunteer_id>/<decision>":
        route("community.member", POST="login 403 403 403 ok 404 403", args={"decision": "accept"},
              narrowed="resident volunteer staff district"),
    "/c/<slug>/timebank/teams/new":
        route("timebank.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/timebank/volunteers/<number>": route(GET="ok ok ok ok ok ok ok", args={"number": "$volunteer"}),
    "/c/<slug>/track": route(GET="ok ok ok ok ok ok ok", POST="ok ok ok ok ok ok ok"),
    "/c/<slug>/track/<number>": route(GET="ok ok ok ok ok ok ok", args={"number": "$ticket"}),
    # acting on a ticket needs proof of it (its number and the resident's phone digits)
    "/c/<slug>/track/<number>/<action>":
        route(POST="404 404 404 404 404 404 404", args={"number": "$ticket", "action": "withdraw"}),
    "/c/<slug>/unresolved/new": route(GET="ok ok ok ok ok ok ok", POST="ok ok ok ok ok ok ok"),
    "/c/<slug>/visits": route("visits.view", GET="login 403 403 ok ok 404 403"),
    "/c/<slug>/visits/<int:visit_id>": route("visits.view", GET="login 403 403 ok ok 404 403"),
    "/c/<slug>/visits/<int:visit_id>/assign": route("visits.assign", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/visits/<int:visit_id>/outcome": route("visits.record", POST="login 403 403 ok ok 404 403"),
    "/c/<slug>/visits/sheet": route("visits.view", GET="login 403 403 ok ok 404 403"),
    "/c/<slug>/windows": route("floor.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    "/c/<slug>/windows/<int:window_id>/hours":
        route("floor.manage", GET="login 403 403 403 ok 404 403", POST="login 403 403 403 ok 404 403"),
    "/communities/new": route("district", GET="login 403 403 403 403 403 ok", POST="login 403 403 403 403 403 ok"),
    "/district": route("district", GET="login 403 403 403 403 403 ok"),
    "/district/report": route("district", GET="login 403 403 403 403 403 ok"),
    "/healthz": route(GET="ok ok ok ok ok ok ok"),
    "/login": route(GET="ok ok ok ok ok ok ok", POST="ok ok ok ok ok ok ok"),
    # run last for each actor
    "/logout": route(POST="ok ok ok ok ok ok ok"),
    # the API: anything but its own addresses is a 404 in the spec's format
    "/open311/v2/":
        route(DELETE="404 404 404 404 404 404 404 404 404", GET="404 404 404 404 404 404 404 404 404",
              PATCH="404 404 404 404 404 404 404 404 404", POST="404 404 404 404 404 404 404 404 404",
              PUT="404 404 404 404 404 404 404 404 404"),
    "/open311/v2/<path:rest>":
        route(DELETE="404 404 404 404 404 404 404 404 404", GET="404 404 404 404 404 404 404 404 404",
              PATCH="404 404 404 404 404 404 404 404 404", POST="404 404 404 404 404 404 404 404 404",
              PUT="404 404 404 404 404 404 404 404 404", args={"rest": "nothing/here.json"}),
    "/open311/v2/discovery.<any(json, xml):fmt>": route(GET="ok ok ok ok ok ok ok ok ok", args={"fmt": "json"}),
    "/open311/v2/openapi.json": route(GET="ok ok ok ok ok ok ok ok ok"),
    # reading requests is open (no personal data); opening one needs the community's own key
    "/open311/v2/requests.<any(json, xml):fmt>":
        route(GET="ok ok ok ok ok ok ok ok ok", POST="403 403 403 403 403 403 403 403 ok", args={"fmt": "json"},
              data={"service_code": "$item", "first_name": "明月", "last_name": "欧阳", "phone": "13912345678"}),
    "/open311/v2/requests/<number>.<any(json, xml):fmt>":
        route(GET="ok ok ok ok ok ok ok ok ok", args={"number": "$ticket", "fmt": "json"}),
    "/open311/v2/services.<any(json, xml):fmt>": route(GET="ok ok ok ok ok ok ok ok ok", args={"fmt": "json"}),
    "/open311/v2/services/<code>.<any(json, xml):fmt>":
        route(GET="ok ok ok ok ok ok ok ok ok", args={"code": "$item", "fmt": "json"}),
    "/preferences/elderly": route(GET="ok ok ok ok ok ok ok", POST="ok ok ok ok ok ok ok"),
    "/static/<path:filename>": route(GET="ok ok ok ok ok ok ok", args={"filename": "css/hall.css"}),

}
