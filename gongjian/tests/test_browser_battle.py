"""Battle maps in chromium: a project's milestone chart and its unit's board.
Screenshots land in var/screenshots/battle-*.png."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from gongjian.projects.models import Milestone, MilestoneKind
from gongjian.test.browser import BrowserTestCase

pytestmark = pytest.mark.browser
D = datetime.date


@override_settings(LANGUAGE_CODE="zh-hans")
class BattleMapTests(BrowserTestCase):
    shot_prefix = "battle-"

    def setUp(self):
        super().setUp()
        today = datetime.date.today()
        for index, kind in enumerate(MilestoneKind.objects.filter(is_active=True)):
            planned = today + datetime.timedelta(days=30 * (index - 6))
            done = index < 5
            Milestone.objects.create(
                project=self.project_a,
                kind=kind,
                baseline_date=planned - datetime.timedelta(days=40 if index % 3 == 0 else 0),
                planned_date=planned,
                actual_date=planned + datetime.timedelta(days=10 * (index % 2)) if done else None,
            )

    def test_project_chart_and_unit_board(self):
        page = self.page
        self.log_in("leo")
        page.goto(f"{self.live_server_url}/projects/{self.project_a.pk}/battle/")
        page.wait_for_selector("#battle-chart canvas")
        self.shot("1-project")
        page.click("a[href$='/battle/'].btn")
        page.wait_for_selector("#battle-board")
        self.assertGreater(page.locator("#battle-board td.overdue").count(), 0)
        self.shot("2-unit")
