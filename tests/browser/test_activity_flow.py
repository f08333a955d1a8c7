"""A volunteer signs up for an activity with the keyboard (htmx swaps the button), staff mark attendance and confirm.

Every page goes through hall.visit / hall.check: axe, CSP, console.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, get_community, registry_session, utcnow
from community_hall.timebank import activities as services
from community_hall.timebank import ledger
from community_hall.timebank import volunteers as volunteer_services
from community_hall.timebank.activity_models import Activity

pytestmark = pytest.mark.browser

SLUG = "comm-a"


@pytest.fixture
def activity(app, build):
    """comm-a with res-a an approved volunteer and one activity tomorrow with two places."""
    build.two_communities()
    with app.app_context():
        session = community_session(SLUG)
        res = registry_session().query(User).filter_by(username="res-a").one()
        head = registry_session().query(User).filter_by(username="head-a").one()
        volunteer = volunteer_services.apply(session, res.id, volunteer_services.Application(
            real_name="王小明", phone="13912345678", emergency_name="王大明", emergency_phone="13811112222",
            consent=True))
        volunteer_services.approve(session, get_community(SLUG), volunteer.id, head.id)
        starts = utcnow() + timedelta(days=1)
        found = services.publish(session, services.Draft(
            title="楼道清洁日", description="清理楼道杂物", starts_at=starts, ends_at=starts + timedelta(hours=2),
            place="服务站门口", slots=2, hours="2", skills=["repair"]), head.id, head.display_name, True)
        return found.id, res.id


def test_volunteer_signs_up_and_staff_confirm_attendance(app, activity, hall, new_tab, zh):
    activity_id, user_id = activity
    page = hall.page
    hall.visit(f"/c/{SLUG}/timebank/activities", "activities-public")
    expect(page.locator("main .cards li")).to_contain_text("楼道清洁日")
    hall.sign_in("res-a")
    hall.visit(f"/c/{SLUG}/timebank/activities", "activities-volunteer")
    fragment = page.locator(f"#signup-{activity_id}")
    fragment.locator("button").focus()
    page.keyboard.press("Enter")                                     # htmx swaps the fragment in place
    expect(page.locator(f"#signup-{activity_id}")).to_contain_text(zh("You are signed up"))
    expect(page.locator(f"#signup-{activity_id}")).to_contain_text(zh("Places left: %(left)s of %(slots)s",
                                                                      left=1, slots=2))
    hall.check("activities-signed-up")
    hall.visit(f"/c/{SLUG}/timebank/activities/{activity_id}", "activity-page")
    with app.app_context():                                          # the activity begins
        session = community_session(SLUG)
        row = session.get(Activity, activity_id)
        row.starts_at, row.ends_at = utcnow() - timedelta(hours=2), utcnow()
        session.commit()

    with new_tab() as staff:
        sp = staff.page
        staff.sign_in("staff-a")
        staff.visit(f"/c/{SLUG}/timebank/activities/{activity_id}/attendance", "activity-attendance")
        expect(sp.locator("#unmarked-hint")).to_contain_text(
            zh("Volunteers not marked yet: %(n)s. Mark every row before confirming.", n=1))
        row = sp.locator("#attendance li").filter(has_text="王小明")
        row.locator("input[name=hours]").fill("1.5")
        row.locator("button").click()
        expect(sp.locator("#attendance li").filter(has_text="王小明")).to_contain_text(zh("%(hours)s hours", hours="1.5"))
        expect(sp.locator("#unmarked-hint")).to_have_text("")         # updated out of band with the row
        staff.check("activity-attendance-marked")
        with sp.expect_navigation():
            sp.locator("main form button").filter(has_text=zh("Confirm attendance and credit hours")).click()
        staff.check("activity-attendance-confirmed")
        expect(sp.locator(".flash")).to_contain_text(zh("Attendance confirmed; the hours are credited."))
    with app.app_context():
        assert ledger.balance(community_session(SLUG), f"person:{user_id}") == 90
    hall.visit(f"/c/{SLUG}/timebank/activities/mine", "activities-mine")
    expect(page.locator("main table")).to_contain_text("楼道清洁日")
