"""End to end in Debian's chromium: a unit filer logs in, filters, opens, edits, sees the audit.

Run with `pytest -m browser` (part of `make test`). Screenshots land in var/screenshots/.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from gongjian.test.browser import BrowserTestCase

pytestmark = pytest.mark.browser


@override_settings(LANGUAGE_CODE="zh-hans")
class UnitFilerJourneyTests(BrowserTestCase):
    def test_unit_filer_filters_opens_edits_and_sees_the_audit_entry(self):
        page = self.page
        self.log_in("ursula")
        rows = page.locator("#project-rows tbody tr")
        assert rows.count() == 1  # ursula's town has one project; 西山镇's is not hers
        self.shot("1-list")

        page.fill("#id_q", "cqca")  # pinyin initials of 重庆长安
        # htmx swaps the rows and pushes the filtered URL, without reloading the page.
        self.wait_until("location.search.includes('q=cqca')")
        page.locator("#project-rows").get_by_text("重庆长安新能源汽车零部件项目").wait_for()
        page.select_option("#id_stage", label="在建")
        self.wait_until("location.search.includes('stage=')")
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
