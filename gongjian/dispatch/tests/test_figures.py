"""dispatch.figures and ReportQuerySet: completed investment defined once, a report's figures
derived when read (in a fixed number of queries), the 序时 variant pages show beside lights."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongjian.dispatch import figures, services
from gongjian.dispatch.models import Campaign, Report
from gongjian.dispatch.rules.rulesets import PRESETS, RuleSet, schedule_variant
from gongjian.projects.models import AnnualListing
from gongjian.test import BaseTestCase


def rule_set(*rules) -> RuleSet:
    return RuleSet.from_dict(
        {"name": "t", "scheme": "red_yellow_blue", "rules": [dict(r) for r in rules]}
    )


GAP = {"kind": "gap_to_schedule", "params": {"yellow_points": 10, "red_points": 30}}
MISSING = {"kind": "missing_filing", "params": {"yellow_periods": 1, "red_periods": 2}}


def gap(variant: str) -> dict:
    return {"kind": "gap_to_schedule", "params": {**GAP["params"], "variant": variant}}


class ScheduleVariantTests(SimpleTestCase):
    def test_pages_show_the_variant_the_lights_judge_against(self):
        curve = {
            "kind": "plan_curve",
            "params": {"behind_ratio": "0.95", "ahead_ratio": "1.05"},
        }
        ratio_days = {
            "kind": "ratio_to_schedule",
            "params": {"red_ratio": "0.6", "yellow_ratio": "0.8", "variant": "day_linear"},
        }
        for rules, expected in (
            ((GAP,), "month_linear"),  # the default variant
            ((MISSING, gap("day_linear")), "day_linear"),
            ((ratio_days, gap("month_linear")), "day_linear"),  # the first one counts
            ((gap("plan_curve"),), "month_linear"),  # no 序时 for a sum of projects
            ((curve, MISSING), "month_linear"),
            ((MISSING,), "month_linear"),
        ):
            with self.subTest(rules=rules):
                self.assertEqual(schedule_variant(rule_set(*rules)), expected)
        for name, preset in PRESETS.items():
            with self.subTest(preset=name):
                self.assertIn(schedule_variant(preset), ("month_linear", "day_linear"))


class CompletedTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = Campaign.objects.create(name="月调度", year=2026)
        services.periods_ensure(cls.campaign)
        cls.jan, cls.feb, cls.mar = (
            cls.campaign.periods.get(start=datetime.date(2026, m, 1)) for m in (1, 2, 3)
        )
        last_year = Campaign.objects.create(name="月调度", year=2025)
        services.periods_ensure(last_year)
        december = last_year.periods.get(start=datetime.date(2025, 12, 1))
        AnnualListing.objects.create(
            project=cls.project_a, year=2026, level="city", planned_investment=Decimal(40000)
        )
        accepted, submitted = Report.Status.ACCEPTED, Report.Status.SUBMITTED
        for project, period, amount, status, current in (
            (cls.project_a, december, "500", accepted, True),  # since the start, not this year
            (cls.project_a, cls.jan, "1000", accepted, True),
            (cls.project_a, cls.feb, "2000", accepted, False),  # corrected…
            (cls.project_a, cls.feb, "2500", accepted, True),  # …to this
            (cls.project_a, cls.mar, "4000", submitted, True),  # not checked yet
            (cls.project_b, cls.feb, "700", accepted, True),
        ):
            Report.objects.create(
                project=project,
                period=period,
                amount=Decimal(amount),
                status=status,
                is_current=current,
                version=1 if current else 0,
            )

    def test_completed_counts_the_current_accepted_reports_of_the_year(self):
        expected = {self.project_a.pk: Decimal(3500), self.project_b.pk: Decimal(700)}
        self.assertEqual(figures.completed(self.mar), expected)
        self.assertEqual(
            figures.completed(self.mar, [self.project_a.pk]), {self.project_a.pk: Decimal(3500)}
        )
        self.assertEqual(figures.completed(self.jan), {self.project_a.pk: Decimal(1000)})
        listed = AnnualListing.objects.filter(year=2026).values("project_id")
        self.assertEqual(figures.completed(self.mar, listed), {self.project_a.pk: Decimal(3500)})

    def test_a_reports_figures_add_its_own_amount_to_the_accepted_ones_before(self):
        march = Report.objects.get(project=self.project_a, period=self.mar)
        figures.attach_figures(self.mar, [(self.project_a, march)])
        derived = march.figures
        self.assertEqual((derived.ytd, derived.since_start), (Decimal(7500), Decimal(8000)))
        self.assertEqual(derived.share_of_annual_plan.text, "18.8")  # 7,500 of 40,000
        self.assertEqual(derived.share_of_total.text, "6.7")  # 8,000 of 120,000

    def test_the_due_page_derives_them_in_a_fixed_number_of_queries(self):
        self.login(self.alice)
        url = reverse("dispatch:due")
        self.client.get(url, {"period": self.mar.pk})
        with CaptureQueriesContext(connection) as few:
            self.client.get(url, {"period": self.mar.pk})
        for i in range(5):
            project = self.make_project(name=f"项目{i}")
            AnnualListing.objects.create(
                project=project, year=2026, level="city", planned_investment=1
            )
            Report.objects.create(project=project, period=self.mar, amount=1)
            Report.objects.create(
                project=project, period=self.feb, amount=1, status=Report.Status.ACCEPTED
            )
        with CaptureQueriesContext(connection) as more:
            response = self.client.get(url, {"period": self.mar.pk})
        self.assertEqual(len(more.captured_queries), len(few.captured_queries))
        self.assertContains(response, '<td class="num">7,500</td>', html=True)
