"""Home visits in the browser: the head plans a visit inline (htmx), the visitor prints the sheet and records it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.window.conftest import menu, submit  # noqa: F401 - comm-a with its menu, tickets to submit

pytestmark = pytest.mark.browser


def test_head_plans_inline_and_the_visitor_prints_and_records(app, hall, submit, new_tab):  # noqa: F811
    t = submit(channel="home_visit", home_address="幸福里3号楼2单元501")
    page = hall.page
    hall.sign_in("head-a")
    hall.visit("/c/comm-a/visits", "visits-list")
    # axe leaves empty style attributes behind, which htmx's settling would copy onto the swapped-in
    # inputs of the same id (blocked by the CSP): plan on a freshly loaded page.
    page.reload()
    row = page.locator("#visit-1")
    expect(row).to_contain_text(t.number)
    row.get_by_label("楼栋").fill("3号楼")
    row.get_by_label("网格").fill("第二网格")
    row.get_by_label("上门人员").select_option(label="员工a")
    row.get_by_role("button", name="派单").click()
    expect(page.locator("#visits-announce")).to_contain_text("已安排员工a")
    expect(page.locator("#visit-list")).to_contain_text("3号楼 · 第二网格")
    hall.check("visits-list-planned")

    with new_tab() as staff:
        staff.sign_in("staff-a")
        staff.visit("/c/comm-a/visits", "visits-list-staff")
        staff.page.get_by_role("link", name="打印上门工作单").click()
        expect(staff.page.locator("main")).to_contain_text("13800138001")
        staff.check("visits-sheet")
        staff.visit("/c/comm-a/visits/1", "visit")
        staff.page.locator("#text-done").fill("已上门办结")
        staff.page.get_by_role("button", name="上门办结").click()
        expect(staff.page.locator(".flash.success")).to_contain_text(t.number)
        staff.check("visits-recorded")
