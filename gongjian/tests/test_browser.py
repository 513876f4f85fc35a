"""End to end in Debian's chromium: a unit filer logs in, filters, opens, edits, sees the audit.

Run with `pytest -m browser` (part of `make test`). Screenshots land in var/screenshots/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import override_settings

from gongjian.projects.defaults import load_defaults
from gongjian.test import Personas

pytestmark = pytest.mark.browser
# Playwright's sync API runs an event loop in this thread; the ORM calls here are still plain
# synchronous test set-up, so Django's async guard would be a false alarm.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@override_settings(LANGUAGE_CODE="zh-hans")
class UnitFilerJourneyTests(Personas, StaticLiveServerTestCase):
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
        self.create_personas()
        self.page = self.browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")

    def tearDown(self):
        self.page.close()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def test_unit_filer_filters_opens_edits_and_sees_the_audit_entry(self):
        page = self.page
        page.goto(f"{self.live_server_url}/projects/")
        page.fill("#id_username", "ursula")
        page.fill("#id_password", "password")
        page.click("button.btn-primary")
        page.wait_for_url("**/projects/")
        rows = page.locator("#project-rows tbody tr")
        assert rows.count() == 1  # ursula's town has one project; 西山镇's is not hers
        self.shot("1-list")

        page.fill("#id_q", "cqca")  # pinyin initials of 重庆长安
        # htmx swaps the rows and pushes the filtered URL, without reloading the page.
        page.wait_for_function("location.search.includes('q=cqca')")
        page.locator("#project-rows").get_by_text("重庆长安新能源汽车零部件项目").wait_for()
        page.select_option("#id_stage", label="在建")
        page.wait_for_function("location.search.includes('stage=')")
        self.shot("2-filtered")

        page.get_by_role("link", name="重庆长安新能源汽车零部件项目").click()
        page.wait_for_selector("#edit-project")
        self.shot("3-detail")
        page.click("#edit-project")
        page.fill("#id_address", "东湖街道创业大道88号")
        self.shot("4-edit")
        page.click("#save-project")
        page.wait_for_selector("#audit-trail")
        self.shot("5-saved")

        assert "东湖街道创业大道88号" in page.text_content("main")
        trail = page.text_content("#audit-trail")
        assert "Ursula" in trail and "东湖街道创业大道88号" in trail
