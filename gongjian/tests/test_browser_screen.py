"""The public big screen at 1920×1080, opened without a login through its token link; it
cycles from the headline to the areas and the published ranking.
Screenshots land in var/screenshots/screen-*.png."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from gongjian.assessment.models import Scheme, ScoreRun, UnitGroup, UnitScore
from gongjian.dashboards.models import PeriodFigures
from gongjian.dispatch.models import Campaign, Period
from gongjian.screen import views
from gongjian.screen.models import ScreenToken
from gongjian.test.browser import BrowserTestCase

pytestmark = pytest.mark.browser


@override_settings(LANGUAGE_CODE="zh-hans")
class BigScreenTests(BrowserTestCase):
    shot_prefix = "screen-"

    def setUp(self):
        super().setUp()
        campaign = Campaign.objects.create(name="月调度", year=2026)
        period = Period.objects.create(
            campaign=campaign,
            label="2026年10月",
            start=datetime.date(2026, 10, 1),
            end=datetime.date(2026, 10, 31),
            deadline=datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC),
        )
        now = timezone.now()
        PeriodFigures.objects.create(
            period=period,
            unit=None,
            projects=286,
            total_investment=Decimal(21500000),
            annual_plan=Decimal(3200000),
            completed_ytd=Decimal(2790000),
            starts=41,
            red=23,
            yellow=45,
            blue=218,
            computed_at=now,
        )
        for unit, plan, done in (
            (self.town_a, 900000, 820000),
            (self.town_b, 700000, 480000),
            (self.park, 600000, 610000),
        ):
            PeriodFigures.objects.create(
                period=period,
                unit=unit,
                projects=60,
                annual_plan=Decimal(plan),
                completed_ytd=Decimal(done),
                starts=9,
                computed_at=now,
            )
        group = UnitGroup.objects.create(name="镇街组")
        run = ScoreRun.objects.create(
            scheme=Scheme.objects.create(
                name="月度考核", cadence=Scheme.Cadence.MONTHLY, owner=self.city
            ),
            period="2026-10",
        )
        for rank, unit in enumerate((self.park, self.town_a, self.town_b), start=1):
            UnitScore.objects.create(
                run=run,
                group=group,
                unit=unit,
                total=Decimal(95 - 5 * rank),
                rank=rank,
                previous_rank=4 - rank,
            )
        ScoreRun.objects.filter(pk=run.pk).update(published_at=now)
        self.token = ScreenToken.objects.create(name="市民中心大屏").token

    def test_cycles_without_a_login(self):
        page = self.browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        self.page = page
        views.SLIDE_SECONDS = 2  # faster cycling for the test
        try:
            page.goto(f"{self.live_server_url}/screen/{self.token}/")
            page.wait_for_selector(".slide.on .cards")
            self.assertIn("2026年1-10月", page.inner_text(".slide.on"))
            self.shot("1-headline")
            page.wait_for_selector(".slide.on .chart canvas", timeout=10000)
            self.shot("2-areas")
            page.wait_for_selector(".slide.on .ranking-groups", timeout=10000)
            self.assertIn("青川高新区", page.inner_text(".slide.on"))
            self.shot("3-ranking")
        finally:
            views.SLIDE_SECONDS = 15
