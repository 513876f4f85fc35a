"""The public big screen: reachable only by an active token, showing only published rankings
and aggregates — no draft, no project, no person — in a bounded number of queries."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from gongjian.assessment.models import Scheme, ScoreRun, UnitGroup, UnitScore
from gongjian.dashboards.models import PeriodFigures
from gongjian.dispatch.models import Campaign, Period
from gongjian.screen.models import ScreenToken
from gongjian.test import BaseTestCase


class ScreenTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        campaign = Campaign.objects.create(name="月调度", year=2026)
        period = Period.objects.create(
            campaign=campaign,
            label="2026年9月",
            start=datetime.date(2026, 9, 1),
            end=datetime.date(2026, 9, 30),
            deadline=datetime.datetime(2026, 10, 5, tzinfo=datetime.UTC),
        )
        now = timezone.now()
        PeriodFigures.objects.create(
            period=period,
            unit=None,
            projects=2,
            total_investment=Decimal(172000),
            annual_plan=Decimal(20000),
            completed_ytd=Decimal(16000),
            starts=1,
            red=1,
            blue=1,
            computed_at=now,
        )
        PeriodFigures.objects.create(
            period=period,
            unit=cls.town_a,
            projects=1,
            annual_plan=Decimal(10000),
            completed_ytd=Decimal(9000),
            starts=1,
            computed_at=now,
        )
        group = UnitGroup.objects.create(name="镇街组")
        scheme = Scheme.objects.create(
            name="月度考核", cadence=Scheme.Cadence.MONTHLY, owner=cls.city
        )
        cls.published = ScoreRun.objects.create(scheme=scheme, period="2026-08")
        cls.draft = ScoreRun.objects.create(scheme=scheme, period="2026-09")
        for run, total in ((cls.published, 88), (cls.draft, 99)):
            for rank, unit in enumerate((cls.town_a, cls.town_b), start=1):
                UnitScore.objects.create(
                    run=run, group=group, unit=unit, total=Decimal(total - rank), rank=rank
                )
        ScoreRun.objects.filter(pk=cls.published.pk).update(published_at=now)
        cls.screen = ScreenToken.objects.create(name="市民中心大屏")

    def test_token_is_the_key_and_revoking_closes_it(self):
        url = reverse("screen:show", args=[self.screen.token])
        self.assertEqual(self.client.get(url).status_code, 200)  # no login needed
        self.assertEqual(self.client.get(reverse("screen:show", args=["guess"])).status_code, 404)
        ScreenToken.objects.filter(pk=self.screen.pk).update(revoked_at=timezone.now())
        self.assertEqual(self.client.get(url).status_code, 404)
        data_url = reverse("screen:data", args=[self.screen.token])
        self.assertEqual(self.client.get(data_url).status_code, 404)

    def test_only_published_aggregates(self):
        data = self.client.get(reverse("screen:data", args=[self.screen.token])).json()
        self.assertEqual(data["headline"]["projects"], 2)
        self.assertEqual(data["headline"]["completed_yi"], 1.6)
        self.assertEqual(data["headline"]["share"], 80.0)
        self.assertEqual(data["headline"]["schedule"], 75.0)
        self.assertEqual(data["headline"]["gap"], 5.0)
        self.assertEqual([r["period"] for r in data["rankings"]], ["2026-08"])  # not the draft
        totals = [row["total"] for row in data["rankings"][0]["groups"][0]["rows"]]
        self.assertEqual(totals, [87.0, 86.0])
        text = json.dumps(data, ensure_ascii=False)
        for private in (
            self.project_a.name,
            self.project_b.name,
            "Leo",
            self.leo.username,
            self.project_a.owner_name,
        ):
            self.assertNotIn(private, text)

    def test_query_count_is_bounded(self):
        url = reverse("screen:data", args=[self.screen.token])
        # The token; the active campaign and its latest ended period (as the cockpit opens);
        # the figures and the areas; the schemes, each one's latest published run and scores.
        with self.assertNumQueries(8):
            self.client.get(url)
