"""Browser tests: Debian Chromium through pytest-playwright, axe on every page, CSP errors fail."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.axe import assert_accessible
from tests.helpers import PASSWORD

CHROMIUM = "/usr/bin/chromium"
SUBRESOURCES = {"stylesheet", "script", "image", "font"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium, never a Playwright download (skipped when it is not installed)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig) -> Path:
    """test-results/screenshots/ (gitignored) for looking at the pages after a run."""
    path = pytestconfig.rootpath / "test-results" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Hall:
    """One browser tab on the live app that checks every page it shows.

    Each visited page must load without uncaught script errors, without Content-Security-Policy
    reports in the console and without broken stylesheets or scripts; axe must find nothing
    serious or critical; and a screenshot is kept under test-results/screenshots/<name>.png.
    """

    def __init__(self, page, base_url: str, screenshot_dir: Path):
        self.page = page
        self.base_url = base_url
        self.screenshot_dir = screenshot_dir
        self.problems: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught page error: {exc}"))
        page.on("response", self._on_response)

    def _on_console(self, msg) -> None:
        if msg.type == "error" and "Content Security Policy" in msg.text:
            self.problems.append(f"CSP console error: {msg.text}")

    def _on_response(self, response) -> None:
        if response.request.resource_type in SUBRESOURCES and response.status >= 400:
            self.problems.append(f"{response.request.resource_type} {response.url} answered {response.status}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def visit(self, path: str, name: str, status: int = 200):
        """Go to path, expect the status, then check the page (see check())."""
        response = self.page.goto(self.url(path))
        assert response is not None and response.status == status, \
            f"{path}: expected {status}, got {response.status if response else None}"
        self.check(name)
        return response

    def check(self, name: str) -> None:
        """Check the page as it is now (after a click or a form submit) and save its screenshot."""
        self.page.wait_for_load_state("load")
        self.assert_no_problems()
        assert_accessible(self.page, name)
        self.page.screenshot(path=str(self.screenshot_dir / f"{name}.png"), full_page=True)

    def assert_no_problems(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "browser reported problems:\n" + "\n".join(problems)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        """Sign in through the login form with ordinary fills and a click."""
        self.visit("/login", "login")
        self.page.locator("#username").fill(username)
        self.page.locator("#password").fill(password)
        self.page.locator("main button[type=submit]").click()
        self.page.wait_for_url(self.url("/account"))


@pytest.fixture
def hall(page, live_server, screenshot_dir):
    """A checked browser tab on the live app; problems after the last check still fail the test."""
    tab = Hall(page, live_server, screenshot_dir)
    yield tab
    tab.assert_no_problems()


@pytest.fixture
def new_tab(browser, live_server, screenshot_dir):
    """Another person: a fresh browser context (own cookies) with a checked tab, closed on leaving the block."""

    @contextmanager
    def open_tab():
        context = browser.new_context()
        try:
            tab = Hall(context.new_page(), live_server, screenshot_dir)
            yield tab
            tab.assert_no_problems()
        finally:
            context.close()

    return open_tab
