"""Every page of the foundation, scanned by axe in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_public_pages(build, hall):
    build.two_communities()
    page = hall.page
    hall.visit("/", "home")
    expect(page.get_by_role("link", name="甲社区")).to_be_visible()
    expect(page.get_by_role("link", name="乙社区")).to_be_visible()

    page.get_by_role("link", name="甲社区").click()
    expect(page).to_have_url(hall.url("/c/comm-a/"))
    hall.check("community")
    expect(page.locator("h1")).to_have_text("甲社区")

    hall.visit("/c/nope/", "not-found", status=404)
    expect(page.locator("main")).to_contain_text("404")


def test_signup_error_summary(build, hall):
    build.two_communities()
    page = hall.page
    hall.visit("/c/comm-a/signup", "signup")
    page.locator("#real_name").fill("王芳")
    page.locator("#password").fill("password123")
    page.locator("#confirm").fill("different123")
    page.locator("main button[type=submit]").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    hall.check("signup-errors")
    expect(page.locator("#username")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#real_name")).to_have_value("王芳")

    # Each message in the summary links to its field, and following the link focuses the field.
    summary.locator("a[href='#username']").click()
    expect(page.locator("#username")).to_be_focused()


def test_signed_in_pages(build, hall):
    build.two_communities()
    hall.sign_in("staff-a")
    hall.visit("/account/password", "password")
    expect(hall.page.locator("#old_password")).to_be_visible()


def test_head_adds_staff_page(build, hall):
    build.two_communities()
    page = hall.page
    hall.sign_in("head-a")
    hall.visit("/c/comm-a/members", "members-head")
    hall.visit("/c/comm-a/members/new", "new-member")
    expect(page.locator("input[type=radio][name=role]")).to_have_count(1)
    page.locator("main button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    hall.check("new-member-errors")
