"""Language switch and elderly mode, both remembered across pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TRANSLATIONS = Path(__file__).parents[2] / "community_hall" / "translations"
ZH_COMPILED = any(TRANSLATIONS.glob("zh*/LC_MESSAGES/messages.mo"))


def test_language_switch_is_remembered(build, hall):
    build.two_communities()
    page = hall.page
    html, brand = page.locator("html"), page.locator(".site-header .brand")

    hall.visit("/", "home-zh")
    expect(html).to_have_attribute("lang", "zh-CN")
    if ZH_COMPILED:  # built by `make messages`; without it the UI shows the English msgids
        expect(brand).to_have_text("社区服务大厅")

    page.get_by_role("link", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    hall.check("home-en")
    expect(brand).to_have_text("Community Hall")

    # No ?lang= in this address: the choice comes from the cookie.
    hall.visit("/c/comm-a/", "community-en")
    expect(html).to_have_attribute("lang", "en")
    expect(brand).to_have_text("Community Hall")
    expect(page.locator("h1")).to_have_text("甲社区")

    page.get_by_role("link", name="中文").click()
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_url(hall.url("/c/comm-a/?lang=zh_CN"))
    hall.check("community-zh")
    hall.visit("/", "home-zh-again")
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("link", name="English")).to_be_visible()


def _text_metrics(page) -> dict:
    return page.evaluate("""() => {
        const s = getComputedStyle(document.body);
        return {fontSize: parseFloat(s.fontSize), lineHeight: parseFloat(s.lineHeight)};
    }""")


def test_elderly_mode_enlarges_text_and_is_remembered(build, hall):
    build.two_communities()
    page = hall.page
    body = page.locator("body")
    toggle = page.locator(".site-header button[aria-pressed]")

    hall.visit("/c/comm-a/", "community-normal")
    expect(body).not_to_have_class("elderly")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    normal = _text_metrics(page)

    toggle.click()
    expect(body).to_have_class("elderly")
    expect(page).to_have_url(hall.url("/c/comm-a/"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    hall.check("community-elderly")
    large = _text_metrics(page)
    assert large["fontSize"] >= 1.5 * normal["fontSize"], (normal, large)
    assert large["lineHeight"] >= 1.3 * large["fontSize"], large

    page.reload()
    expect(body).to_have_class("elderly")
    hall.visit("/login", "login-elderly")
    expect(body).to_have_class("elderly")
    hall.visit("/c/comm-a/signup", "signup-elderly")
    expect(body).to_have_class("elderly")
    assert _text_metrics(page)["fontSize"] == large["fontSize"]

    toggle.click()
    expect(body).not_to_have_class("elderly")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page).to_have_url(hall.url("/c/comm-a/signup"))
    assert _text_metrics(page)["fontSize"] == normal["fontSize"]
    hall.visit("/", "home-after-elderly")
    expect(body).not_to_have_class("elderly")


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_phone_width_has_no_sideways_scrolling(build, hall, elderly):
    build.two_communities()
    page = hall.page
    page.set_viewport_size({"width": 360, "height": 740})
    hall.visit("/c/comm-a/", "phone-community")
    if elderly:
        page.locator(".site-header button[aria-pressed]").click()
        expect(page.locator("body")).to_have_class("elderly")
    for path, name in (("/c/comm-a/", "community"), ("/c/comm-a/signup", "signup")):
        hall.visit(path, f"phone-{name}-{'elderly' if elderly else 'normal'}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide on a 360px phone"
