"""A queue number's life on the hall floor: kiosk → slip → board → calling desk → phone page.

Three people, each in their own browser context: the resident at the kiosk (keyboard only, elderly
mode), the TV board in the hall (polled by htmx every 3 s), and staff-a at the calling desk. Every
page goes through hall.visit / hall.check: axe, CSP, console.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from community_hall.floor import services
from community_hall.tenancy import community_session
from tests.menu.conftest import menu  # noqa: F401 - comm-a with head-a, staff-a, res-a and its menu

pytestmark = pytest.mark.browser

SLUG = "comm-a"
WINDOW = "1号窗口"


@pytest.fixture
def floor(app, build, menu):  # noqa: F811
    """comm-a with windows A 1号窗口 and B 2号窗口 (as in tests/floor)."""
    with app.app_context():
        session = community_session(SLUG)
        a = services.create_window(session, "A", WINDOW, "综合受理")
        b = services.create_window(session, "B", "2号窗口", "社会保障")
        session.commit()
        return a.id, b.id


def tab_to(page, target, limit: int = 60) -> None:
    """Press Tab until target has the focus (the way a keyboard user gets there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} never received focus after {limit} presses of Tab")


def test_number_from_kiosk_to_board_to_finished(floor, hall, new_tab, zh):
    window_a = floor[0]
    page = hall.page

    # 1. The resident at the kiosk (elderly mode) takes a number for 1号窗口 with the keyboard alone.
    hall.visit(f"/c/{SLUG}/kiosk", "floor-kiosk")
    expect(page.locator("body")).to_have_class(re.compile(r"\belderly\b"))
    take = page.locator("main form button.kiosk-button:not(.priority)").filter(has_text=WINDOW)
    expect(take).to_have_count(1)
    tab_to(page, take)
    expect(take).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/c/{SLUG}/kiosk/slip/[^/?#]+$"))
    hall.check("floor-slip")
    expect(page.locator(".slip-number")).to_have_text("A001")
    expect(page.locator(".slip")).to_contain_text(WINDOW)
    qr = page.locator(".qr > svg")
    expect(qr).to_have_count(1)
    expect(qr).to_be_visible()
    token = page.url.rsplit("/", 1)[1]

    with new_tab() as board, new_tab() as staff:
        # 2. The board on the hall's TV: nobody called yet at 1号窗口.
        bp = board.page
        board.visit(f"/c/{SLUG}/queue/board", "floor-board-empty")
        row = bp.locator("#board table.board-table tbody tr").filter(has=bp.locator(f"th:text-is('{WINDOW}')"))
        expect(row).to_have_count(1)
        expect(row.locator("td.board-number")).to_have_text("—")
        expect(bp.locator(".board-latest")).to_have_attribute("role", "status")
        bp.evaluate("window.__mark = 1")

        # 3. staff-a calls the next number at window A.
        sp = staff.page
        staff.sign_in("staff-a")
        staff.visit(f"/c/{SLUG}/desk?window={window_a}", "floor-desk")
        expect(sp.locator("main")).to_contain_text("A001")   # waiting
        with sp.expect_navigation():
            sp.locator(f"main form[action$='/desk/{window_a}/call'] button[type=submit]").click()
        staff.check("floor-desk-called")
        expect(sp.locator("main .panel .slip-number")).to_have_text("A001")

        # 4. Within one or two polls the board shows A001 in the row and in the live region, without a reload.
        expect(row.locator("td.board-number")).to_contain_text("A001", timeout=6000)
        latest = bp.locator(".board-latest")
        expect(latest).to_contain_text("A001", timeout=6000)
        expect(latest).to_contain_text(zh("Number %(code)s, please go to %(window)s", code="A001", window=WINDOW))
        expect(latest).to_have_attribute("role", "status")   # still the live region after the swap
        expect(bp.locator(".board-recent")).to_contain_text("A001")
        assert bp.evaluate("window.__mark === 1"), "the board reloaded instead of being swapped by htmx"
        board.check("floor-board-called")

        # 5. The resident comes: staff start serving, then finish.
        serve = sp.locator("main form[action$='/serve']:not(:has(input[name=open_ticket])) button[type=submit]")
        expect(serve).to_have_count(1)
        with sp.expect_navigation():
            serve.click()
        staff.check("floor-desk-serving")
        expect(sp.locator("main .panel")).to_contain_text(zh("Being served"))
        expect(sp.locator(f"main form[action$='/desk/{window_a}/call']")).to_have_count(0)  # busy: no call next
        with sp.expect_navigation():
            sp.locator("main form[action$='/finish'] button[type=submit]").click()
        staff.check("floor-desk-finished")
        expect(sp.locator("main .panel .slip-number")).to_have_count(0)
        expect(sp.locator(f"main form[action$='/desk/{window_a}/call']")).to_have_count(1)

        # The board drops the finished number from the window's row on its next poll.
        expect(row.locator("td.board-number")).to_have_text("—", timeout=6000)
        assert bp.evaluate("window.__mark === 1"), "the board reloaded instead of being swapped by htmx"
        board.check("floor-board-finished")

    # 6. The resident's phone (the QR's address) shows the number finished.
    hall.visit(f"/c/{SLUG}/q/{token}", "floor-follow-done")
    expect(page.locator(".slip-number")).to_have_text("A001")
    expect(page.locator("#follow-state p.lead[role=status]")).to_have_text(zh("Finished. Thank you."))
