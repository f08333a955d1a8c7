"""iCal feeds parsed back with icalendar: a member of staff's secret feed and a post's feed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import icalendar
import pytest

from tests.rosters.duty_fixtures import TZ, add, leave, local, outreach, post, shift, uid

DAY = date.today() + timedelta(days=3)


@pytest.fixture
def station(app, build):
    build.two_communities()
    build.user("li-q", "comm-a", "staff", "李强", phone="13700001111")
    ids = {name: uid(app, name) for name in ("head-a", "staff-a", "li-q")}
    post(app, "SB", "社会保障岗", ids["staff-a"], ids["li-q"])
    rows = add(app, shift(ids["staff-a"], DAY), shift(ids["staff-a"], DAY + timedelta(days=1), "10:00", "19:00", "late"),
               shift(ids["staff-a"], DAY + timedelta(days=2), published=False),                 # a draft: not in feeds
               shift(ids["li-q"], DAY, "10:00", "19:00", "late"), shift(ids["head-a"], DAY),
               leave(ids["staff-a"], DAY + timedelta(days=5), DAY + timedelta(days=6)),
               leave(ids["staff-a"], DAY + timedelta(days=9), DAY + timedelta(days=9), status="requested"),
               outreach(ids["staff-a"], local(DAY, "14:00"), local(DAY, "15:30"), "走访独居老人"))
    return {**ids, "rows": rows}


def feed_url(client, auth) -> str:
    page = client.get("/c/comm-a/rosters/calendar").get_data(as_text=True)
    return re.search(r'value="http://localhost(/c/comm-a/rosters/ical/[^"]+\.ics)"', page).group(1)


def events(body: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_staff_feed_has_shifts_leave_and_outreach(app, client, auth, station):
    auth.login("staff-a")
    url = feed_url(client, auth)
    auth.logout()
    response = client.get(url)                      # no login needed: the token is the key
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.data)
    assert cal.walk("VTIMEZONE") and str(cal.walk("VTIMEZONE")[0]["TZID"]) == "Asia/Shanghai"
    found = events(response.data)
    shift_id, late_id, draft_id = station["rows"][:3]
    leave_id, requested_id, trip_id = station["rows"][5:8]
    assert set(found) == {f"shift-{shift_id}@comm-a.community-hall", f"shift-{late_id}@comm-a.community-hall",
                          f"leave-{leave_id}@comm-a.community-hall", f"outreach-{trip_id}@comm-a.community-hall"}
    regular = found[f"shift-{shift_id}@comm-a.community-hall"]
    assert regular.start == local(DAY, "08:30") and regular.end == local(DAY, "17:30")
    assert regular.start.tzinfo is not None and regular.start.utcoffset() == timedelta(hours=8)
    assert str(regular["SUMMARY"]) == "常规班"
    late = found[f"shift-{late_id}@comm-a.community-hall"]
    assert late.start == local(DAY + timedelta(days=1), "10:00") and "错时" in str(late["SUMMARY"])
    off = found[f"leave-{leave_id}@comm-a.community-hall"]
    assert off.start == DAY + timedelta(days=5) and off.end == DAY + timedelta(days=7)    # all-day, end exclusive
    assert str(off["SUMMARY"]) == "年休假"
    trip = found[f"outreach-{trip_id}@comm-a.community-hall"]
    assert trip.start == local(DAY, "14:00") and trip.end.astimezone(TZ) == local(DAY, "15:30")
    assert str(trip["SUMMARY"]) == "下沉入户"       # the typed note (who is visited) stays off the public feed
    # the same feed again: same UIDs, so phones update rather than duplicate
    assert set(events(client.get(url).data)) == set(found)


def test_wrong_token_is_404_and_regenerating_cuts_the_old_address(client, auth, station):
    assert client.get("/c/comm-a/rosters/ical/not-a-token.ics").status_code == 404
    auth.login("staff-a")
    old = feed_url(client, auth)
    assert client.get(old).status_code == 200
    assert auth.post("/c/comm-a/rosters/calendar/regenerate").status_code == 303
    new = feed_url(client, auth)
    assert new != old
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    assert client.get(new.replace("comm-a", "comm-b")).status_code == 404   # a token opens only its community


def test_post_feed_for_staff_only(client, auth, station):
    auth.login("staff-a")
    response = client.get("/c/comm-a/rosters/posts/SB.ics")
    assert response.status_code == 200
    found = list(icalendar.Calendar.from_ical(response.data).walk("VEVENT"))
    summaries = sorted(str(e["SUMMARY"]) for e in found)
    assert len(found) == 3                    # staff-a's two published shifts and li-q's; not the head's
    assert any("社会保障岗" in s and "B岗" in s and "李强" in s for s in summaries)
    assert {e.start for e in found} >= {local(DAY, "08:30"), local(DAY, "10:00")}
    assert client.get("/c/comm-a/rosters/posts/NOPE.ics").status_code == 404
    auth.logout()
    auth.login("res-a")
    assert client.get("/c/comm-a/rosters/posts/SB.ics").status_code == 403
    auth.logout()
    assert client.get("/c/comm-a/rosters/posts/SB.ics").status_code == 302
