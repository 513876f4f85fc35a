"""BrowserTestCase: a live server with the shared personas, driven by Debian's chromium.

Browser tests are marked `browser` (run by `make test` after the others). Screenshots land in
var/screenshots/.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from gongjian.problems.defaults import load_categories
from gongjian.projects.defaults import load_defaults
from gongjian.test import Personas

# Playwright's sync API runs an event loop in this thread; the ORM calls here are still plain
# synchronous test set-up, so Django's async guard would be a false alarm.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


class BrowserTestCase(Personas, StaticLiveServerTestCase):
    shot_prefix = ""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        SHOTS.mkdir(parents=True, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self):
        # The flush after each live-server test empties the lists the data migration made.
        load_defaults(django_apps)
        load_categories(django_apps)
        self.create_personas()
        self.page = self.browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")

    def tearDown(self):
        self.page.close()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SHOTS / f"{self.shot_prefix}{name}.png"), full_page=True)

    def wait_until(self, expression: str, timeout_ms: int = 10_000) -> None:
        """Poll a JavaScript expression until it is true. Playwright's wait_for_function evals
        its expression inside the page, which the CSP (no 'unsafe-eval') refuses; evaluate()
        goes through the DevTools protocol, which the CSP does not govern."""
        waited = 0
        while not self.page.evaluate(expression):
            if waited >= timeout_ms:
                raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
            self.page.wait_for_timeout(50)
            waited += 50

    def assert_fits_the_phone(self, what: str) -> None:
        """Nothing on the phone page is wider than the screen (no sideways scrolling)."""
        overflow = self.page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const wide = [...document.querySelectorAll('main *')]
                    .filter(e => e.getBoundingClientRect().right > width + 1)
                    .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);
                return {scroll: document.documentElement.scrollWidth, width, wide};
            }"""
        )
        self.assertLessEqual(overflow["scroll"], overflow["width"], f"{what}: {overflow}")
        self.assertEqual(overflow["wide"], [], what)

    def log_in(self, username: str) -> None:
        page = self.page
        page.context.clear_cookies()
        page.goto(f"{self.live_server_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "password")
        page.click("button.btn-primary")
        # Each role lands on its own start page; wait until the login page is left.
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
