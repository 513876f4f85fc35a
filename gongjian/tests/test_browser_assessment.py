"""End to end in chromium: the office opens the month's draft ranking, publishes it, and reads a
unit's breakdown; a leader then sees the published ranking with its rank changes.

Screenshots land in var/screenshots/assessment-*.png.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from gongjian.assessment import services
from gongjian.assessment.models import (
    ManualScore,
    Scheme,
    SchemeItem,
    ScoreRun,
    UnitGroup,
    UnitScore,
)
from gongjian.test.browser import BrowserTestCase

pytestmark = pytest.mark.browser


@override_settings(LANGUAGE_CODE="zh-hans")
class PublishRankingTests(BrowserTestCase):
    shot_prefix = "assessment-"

    def setUp(self):
        super().setUp()
        group = UnitGroup.objects.create(name="镇街组")
        group.units.set([self.town_a, self.town_b, self.park])
        self.scheme = Scheme.objects.create(
            name="月度考核", cadence=Scheme.Cadence.MONTHLY, owner=self.city
        )
        self.scheme.groups.set([group])
        item = SchemeItem.objects.create(
            scheme=self.scheme, name="工作作风", method=SchemeItem.Method.MANUAL
        )
        for unit, points in ((self.town_a, 8), (self.town_b, 9), (self.park, 6)):
            ManualScore.objects.create(
                item=item, unit=unit, period="2026-10", points=points, reason="月度督查评分"
            )
        # September's published ranking, for the change column (双亮牌).
        september = ScoreRun.objects.create(scheme=self.scheme, period="2026-09")
        for rank, unit in enumerate((self.town_a, self.park, self.town_b), start=1):
            UnitScore.objects.create(
                run=september, group=group, unit=unit, total=Decimal(10 - rank), rank=rank
            )
        services.score_run_publish(run=september, actor=self.alice)
        services.score_run_compute(self.scheme, "2026-10", actor=self.alice)

    def test_office_publishes_and_a_leader_sees_it(self):
        page = self.page
        self.log_in("alice")
        page.goto(f"{self.live_server_url}/assessment/?scheme={self.scheme.pk}&period=2026-10")
        page.wait_for_selector("#publish-button")
        rows = page.locator("table.ranking tbody tr")
        self.assertEqual(rows.count(), 3)
        first = rows.nth(0).inner_text()
        self.assertIn("西山镇", first)  # 9 points: first, up two places from third
        self.assertIn("↑2", first)
        self.shot("1-draft")
        page.click("#publish-button")
        page.wait_for_selector("#run-state .text-bg-success")
        self.assertEqual(page.locator("#publish-button").count(), 0)
        self.assertIsNotNone(ScoreRun.objects.get(period="2026-10").published_at)
        self.shot("2-published")
        page.click("table.ranking tbody tr >> nth=0 >> a")
        page.wait_for_selector("#breakdown")
        self.assertIn("月度督查评分", page.inner_text("#breakdown"))
        self.shot("3-breakdown")

        self.log_in("leo")
        page.goto(f"{self.live_server_url}/assessment/?scheme={self.scheme.pk}&period=2026-10")
        page.wait_for_selector("table.ranking")
        self.assertIn("↑2", page.locator("table.ranking tbody tr").nth(0).inner_text())
        self.assertEqual(page.locator("#compute-form").count(), 0)
