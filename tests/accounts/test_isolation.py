"""Community isolation: members of A find nothing of B. Routes come from the URL map, so none can escape."""

from __future__ import annotations

import pytest

# Community pages anyone may see (no personal data on them); join is open to any signed-in person.
PUBLIC = {"communities.home", "accounts.signup", "accounts.join", "menu.index", "menu.item",
          # the resident side of the window: proof of a ticket is its number + phone digits, not membership
          "window.apply", "window.receipt", "window.track", "window.tracked", "window.resident_act", "window.mine",
          # the hall floor's kiosk, number slips and board are for anyone standing in the hall
          "floor.kiosk", "floor.take", "floor.slip", "floor.follow", "floor.board", "floor.board_json",
          # appointments: proof of a booking is its code + phone (or being signed in as its owner)
          "appointments.index", "appointments.book", "appointments.find", "appointments.show", "appointments.cancel",
          "appointments.reschedule", "appointments.check_in",
          # anyone may complain or report a matter nobody would handle, signed in or not
          "complaints.new_complaint", "complaints.new_unresolved",
          # who is on duty now (names only) for the hall and its screens; a staff member's calendar feed, whose
          # secret token is the key
          "duty.on_duty", "duty.on_duty_json", "duty.staff_ical",
          # 居务公开: the community's service results, counts and rates only (no personal data)
          "disclosure.page", "disclosure.page_json",
          # volunteers: the public list of teams (counts only) and the check a card's QR code points to
          "timebank.teams", "timebank.verify",
          # the check a volunteer service certificate's QR code points to (what the paper shows, nothing more)
          "certificates.verify",
          # volunteer activities: the upcoming list and an activity's page (places left, no names unless organising)
          "activities.index", "activities.show"}


@pytest.fixture
def people(build):
    build.two_communities()


def community_rules(app):
    """Every rule under /c/<slug>/ with its methods, with placeholder values for other arguments."""
    for rule in app.url_map.iter_rules():
        if "slug" not in rule.arguments:
            continue
        values = {arg: "1" for arg in rule.arguments if arg != "slug"}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, values


def test_the_url_map_has_private_community_routes(app):
    private = {rule.endpoint for rule, _m, _v in community_rules(app)} - PUBLIC
    assert {"accounts.members", "accounts.new_member"} <= private


@pytest.mark.parametrize("username", ["staff-a", "head-a", "res-a"])
def test_members_of_a_get_404_for_every_private_url_of_b(app, client, auth, people, username):
    auth.login(username)
    token = auth.csrf_token("/")
    checked = 0
    for rule, method, values in community_rules(app):
        if rule.endpoint in PUBLIC:
            continue
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, slug="comm-b", **values)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 404, f"{username} {method} {url} gave {response.status_code}"
        checked += 1
    assert checked >= 3


def test_anonymous_visitors_are_sent_to_login_for_private_pages(app, client, people):
    response = client.get("/c/comm-a/members")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_residents_see_nothing_of_other_residents(client, auth, people):
    auth.login("res-a")
    assert client.get("/c/comm-a/members").status_code == 403
    seen = "".join(client.get(url).get_data(as_text=True) for url in
                   ["/", "/account", "/c/comm-a/", "/c/comm-b/", "/c/comm-b/members"])
    assert "居民b" not in seen and "res-b" not in seen and "13800000008" not in seen


def test_staff_of_a_list_only_people_of_a(client, auth, people):
    auth.login("head-a")
    page = client.get("/c/comm-a/members").get_data(as_text=True)
    assert "居民a" in page and "居民b" not in page and "员工b" not in page


def test_district_admin_reads_across_their_communities_only(client, auth, build, people):
    build.community("comm-c", "丙社区")
    auth.login("district")
    assert client.get("/c/comm-a/members").status_code == 200
    assert "居民b" in client.get("/c/comm-b/members").get_data(as_text=True)
    assert client.get("/c/comm-c/members").status_code == 404


def test_public_pages_show_no_personal_data(client, people):
    for url in ("/c/comm-a/", "/c/comm-a/signup", "/"):
        html = client.get(url).get_data(as_text=True)
        assert "13800000007" not in html and "138****0007" not in html, url
        assert "居民a" not in html and "res-a" not in html
