"""Signing in, with the mouse and with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_staff_signs_in_and_sees_the_people_of_their_community(build, hall):
    build.two_communities()
    page = hall.page
    hall.visit("/login", "login")
    page.locator("#username").fill("staff-a")
    page.locator("#password").fill("password123")
    page.locator("main button[type=submit]").click()

    expect(page).to_have_url(hall.url("/account"))
    hall.check("account")
    expect(page.locator("main")).to_contain_text("甲社区")
    expect(page.locator("main")).not_to_contain_text("乙社区")

    hall.visit("/c/comm-a/members", "members")
    table = page.locator("table.data")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader")).to_have_count(5)   # name, username, roles, phone, housebound
    usernames = table.locator("tbody tr td:nth-child(2)")
    expect(usernames).to_have_text(["district", "head-a", "res-a", "staff-a"])


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el), box = el.getBoundingClientRect();
        return {id: el.id, tag: el.tagName.toLowerCase(), cls: el.className, text: el.textContent.trim(),
                outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
                left: box.left, top: box.top, width: box.width, height: box.height};
    }""")


def _assert_focus_visible(focused: dict) -> None:
    assert focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2, \
        f"no visible focus indicator on {focused}"
    assert focused["width"] > 0 and focused["left"] >= 0 and focused["top"] >= 0, f"focused element off screen: {focused}"


def test_keyboard_only_sign_in(build, hall):
    build.two_communities()
    page = hall.page
    hall.visit("/login", "login-keyboard")

    # The first Tab lands on the skip link, which then shows on screen.
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert "skip-link" in focused["cls"], f"first Tab focused {focused}"
    assert focused["text"] in ("跳到主要内容", "Skip to main content")
    _assert_focus_visible(focused)

    # Following it moves focus to <main>, so the next Tab reaches the first field of the form.
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert focused["id"] == "username", f"expected the username field, focus is on {focused}"
    _assert_focus_visible(focused)
    page.keyboard.type("staff-a")

    page.keyboard.press("Tab")
    focused = _focused(page)
    assert focused["id"] == "password", f"expected the password field, focus is on {focused}"
    _assert_focus_visible(focused)
    page.keyboard.type("password123")

    # The submit button is reachable too, and shows its focus.
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert focused["tag"] == "button", f"expected the sign-in button, focus is on {focused}"
    _assert_focus_visible(focused)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")

    expect(page).to_have_url(hall.url("/account"))
    hall.check("account-keyboard")
    expect(page.locator("main")).to_contain_text("staff-a")
    expect(page.locator("main")).to_contain_text("甲社区")
