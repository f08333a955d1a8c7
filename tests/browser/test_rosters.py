"""Roster pages in the browser, scanned by axe: the head sets holders, staff ask for leave, the head approves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community_hall.rosters import services
from community_hall.tenancy import community_session, get_community

pytestmark = pytest.mark.browser


def test_head_sets_holders_and_approves_leave(app, build, hall):
    build.two_communities()
    build.user("staff-a2", "comm-a", "staff", "员工二")
    with app.app_context():
        session = community_session("comm-a")
        post = services.create_post(session, "SB", "社会保障岗", "2号窗口")
        session.commit()
        post_id = post.id
        day = services.today(get_community("comm-a")).isoformat()
    page = hall.page
    hall.sign_in("staff-a")
    hall.visit("/c/comm-a/rosters/leave", "rosters-leave-staff")
    page.locator("#first_day").fill("2099-05-04")
    page.locator("#last_day").fill("2099-05-03")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    hall.check("rosters-leave-error")
    page.locator("#last_day").fill("2099-05-06")
    page.locator("main button[type=submit]").click()
    expect(page.locator("#leave-list")).to_contain_text("2099-05-06")
    hall.visit("/c/comm-a/rosters/mine", "rosters-mine")
    hall.visit("/c/comm-a/rosters/outreach", "rosters-outreach")
    hall.visit("/c/comm-a/rosters/swaps", "rosters-swaps")
    page.locator("form[action='/logout'] button").click()

    hall.sign_in("head-a")
    hall.visit(f"/c/comm-a/rosters/posts/{post_id}", "rosters-post")
    page.locator("#a_holder").select_option(label="员工a (staff-a)")
    page.locator("#b_holder").select_option(label="员工a (staff-a)")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    page.locator("#b_holder").select_option(label="员工二 (staff-a2)")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#post-history")).to_contain_text("员工二")
    hall.check("rosters-post-history")
    hall.visit("/c/comm-a/rosters/posts", "rosters-posts")
    hall.visit(f"/c/comm-a/rosters/shifts?month={day[:7]}", "rosters-shifts")
    page.locator("details summary").click()
    page.locator("#user").select_option(label="员工a (staff-a)")
    page.locator("#day").fill(day)
    page.locator("#start").fill("10:00")
    page.locator("#end").fill("19:00")
    page.locator("#kind").select_option("late")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("10:00–19:00")
    hall.visit("/c/comm-a/rosters/leave", "rosters-leave-head")
    page.get_by_role("button", name="批准 员工a 2099-05-04", exact=True).click()
    expect(page.locator("#leave-list")).to_contain_text("已批准")
    hall.visit("/c/comm-a/rosters/import", "rosters-import")
