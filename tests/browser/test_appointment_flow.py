"""An appointment's life: a resident books a time online (htmx refreshes the times), checks in at the kiosk
with the confirmation code (keyboard only, elderly mode), and the calling desk calls that number before a
walk-in who came earlier. Every page goes through hall.visit / hall.check: axe, CSP, console.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from community_hall.appointments import services
from community_hall.floor import services as floor
from community_hall.floor.models import ServiceWindow
from community_hall.tenancy import community_session, get_community
from community_hall.window.models import CalendarOverride
from tests.appointments.conftest import bookable  # noqa: F401 - comm-a with bookable items and windows A, B
from tests.browser.test_floor_flow import tab_to

pytestmark = pytest.mark.browser

SLUG = "comm-a"


@pytest.fixture
def open_now(app, bookable):  # noqa: F811
    """Window A takes appointments today in 5-minute slots, the first starting 5 to 10 minutes from now."""
    with app.app_context():
        community = get_community(SLUG)
        local = services.local_now(community)
        if local.hour == 23 and local.minute >= 30:   # too close to midnight for a slot today: wait for tomorrow
            time.sleep((60 - local.minute) * 60 - local.second + 5)
            local = services.local_now(community)
        # 5–10 minutes ahead: not begun while a slow machine gets to the booking, and check-in opens 15 minutes before.
        first = (local + timedelta(minutes=10 - local.minute % 5)).replace(second=0, microsecond=0)
        last = min(first + timedelta(minutes=30), datetime.combine(first.date(), datetime.max.time(), first.tzinfo)
                   .replace(hour=23, minute=55, second=0, microsecond=0))
        session = community_session(SLUG)
        session.merge(CalendarOverride(day=local.date(), is_workday=True, note="test"))
        window = session.get(ServiceWindow, bookable.a)
        window.opening_hours, window.slot_minutes = f"{first:%H:%M}-{last:%H:%M}", 5
        session.commit()
        walk_in = floor.take_number(session, community, bookable.a).code   # came before the appointment
        return bookable, f"{first:%H:%M}", walk_in, local.date().isoformat()


def test_book_online_then_check_in_at_the_kiosk_and_be_called_first(open_now, hall, new_tab):
    windows, first_slot, walk_in, today = open_now
    page = hall.page

    # 1. The resident finds the bookable services and opens the booking form for 居住证明预约办理.
    hall.visit(f"/c/{SLUG}/appointments", "appointments-index")
    with page.expect_navigation():
        page.locator("main a.button", has_text="居住证明预约办理").click()
    hall.check("appointments-book")
    expect(page.locator("#item")).to_have_value("YY-001")
    page.evaluate("window.__mark = 1")

    # 2. Switching the service swaps in that service's times with htmx, without reloading the page.
    page.select_option("#item", "YY-002")
    expect(page.locator("#slots legend")).to_contain_text("2号窗口", timeout=5000)
    page.select_option("#item", "YY-001")
    expect(page.locator("#slots legend")).to_contain_text("1号窗口", timeout=5000)
    assert page.evaluate("window.__mark === 1"), "the page reloaded instead of swapping the times"
    hall.check("appointments-book-refreshed")

    # 3. Today's first slot (the first day on the list is today), name and phone; book.
    expect(page.locator("#day option").first).to_have_attribute("value", today)
    page.locator(f"#slots input[type=radio][value='{first_slot}']").check()
    page.locator("#name").fill("王芳")
    page.locator("#phone").fill("13800001111")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    hall.check("appointments-booked")
    code = page.locator("#appointment-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{6}", code)
    expect(page.locator("main")).to_contain_text(first_slot)

    # 4. At the kiosk, with the keyboard alone: "I have an appointment", type the code, Enter.
    with new_tab() as kiosk:
        kp = kiosk.page
        kiosk.visit(f"/c/{SLUG}/kiosk", "floor-kiosk-with-check-in")
        expect(kp.locator("body")).to_have_class(re.compile(r"\belderly\b"))
        link = kp.locator("main a.appointment")
        tab_to(kp, link)
        with kp.expect_navigation():
            kp.keyboard.press("Enter")
        kiosk.check("appointments-check-in")
        tab_to(kp, kp.locator("#code"))
        kp.keyboard.type(code.lower())
        with kp.expect_navigation():
            kp.keyboard.press("Enter")
        expect(kp).to_have_url(re.compile(rf"/c/{SLUG}/kiosk/slip/[^/?#]+$"))
        kiosk.check("appointments-slip")
        number = kp.locator(".slip-number").inner_text().strip()
        assert number.startswith("A") and number != walk_in

    # 5. The desk calls the appointment's number before the walk-in who was already waiting.
    with new_tab() as staff:
        sp = staff.page
        staff.sign_in("staff-a")
        staff.visit(f"/c/{SLUG}/desk?window={windows.a}", "appointments-desk")
        with sp.expect_navigation():
            sp.locator(f"main form[action$='/desk/{windows.a}/call'] button[type=submit]").click()
        staff.check("appointments-desk-called")
        expect(sp.locator("main .panel .slip-number")).to_have_text(number)
        staff.visit(f"/c/{SLUG}/appointments/day", "appointments-day")
        expect(sp.locator("main table")).to_contain_text("王芳")

    # 6. The resident's booking page now says checked in, with the number.
    hall.visit(f"/c/{SLUG}/appointments/{code}", "appointments-checked-in")
    expect(page.locator("main")).to_contain_text(number)

