"""`manage.py check_figures`: on the demo city as seeded (monthly), and run again as a weekly and
a 旬 campaign, every published figure agrees with the reports; a stale snapshot, a wrong page
figure or a report changed behind the lights' back is printed by name and exits 1; a bad
argument exits 2.

The demo city is the shared one (gongjian/test/demo.py), on 22 November 2026: October is the
latest ended month; the latest week ends on Sunday 15 November and the latest 旬 on the 20th,
when only ten months have ended (序时 10/12, not 11/12)."""

from __future__ import annotations

import datetime
import io
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal
from fractions import Fraction
from unittest import mock

from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import SimpleTestCase

from gongjian.bulletin import reconcile as bulletin_reconcile
from gongjian.dashboards.reconcile import registered
from gongjian.dashboards.tests.cadence import run_campaign
from gongjian.dashboards.truth import schedule
from gongjian.dispatch.models import Campaign, Light, Report
from gongjian.test.demo import DEMO_TODAY, DemoCityTestCase

TODAY = DEMO_TODAY.date()


def check(*args) -> tuple[int, str]:
    """(exit code, output) of check_figures."""
    out = io.StringIO()
    try:
        call_command("check_figures", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


class CheckFiguresTestCase(DemoCityTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = Campaign.objects.get()

    def run_campaign(self, cadence: str) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            run_campaign(cadence, TODAY)

    def latest(self):
        return self.campaign.periods.filter(end__lt=TODAY).order_by("start").last()

    def assertNoDifference(self, *args) -> str:
        code, output = check(*args)
        self.assertEqual(code, 0, output)
        self.assertIn("no difference", output)
        return output

    def assertDifference(self, output_and_code, *figures) -> None:
        code, output = output_and_code
        self.assertEqual(code, 1, output)
        for figure in figures:
            self.assertIn(figure, output)

    def test_every_output_has_a_check(self):
        names = [name for name, _check in registered()]
        self.assertEqual(
            names, ["desk", "due", "lights", "cockpit", "screen", "bulletin", "targets", "scores"]
        )

    def test_the_demo_has_no_difference(self):
        output = self.assertNoDifference()
        self.assertIn(f"Checking {self.latest().label} of {self.campaign}", output)

    def test_the_demo_quarter_with_its_published_scores_has_no_difference(self):
        self.assertNoDifference("--period", "2026-09")

    def test_a_stale_snapshot_is_a_difference_of_the_cockpit_and_the_screen(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE dashboards_periodfigures SET completed_ytd = completed_ytd + 100 "
                "WHERE unit_id IS NULL AND period_id = %s",
                [self.latest().pk],
            )
        result = check()
        self.assertDifference(
            result,
            "cockpit.completed_ytd [the whole deployment]",
            "screen.headline.completed_yi",
        )
        self.assertNotIn("bulletin.", result[1])  # the bulletin reads the reports themselves

    def test_a_wrong_figure_on_a_page_is_named(self):
        real = bulletin_reconcile.build_bulletin

        def off_by_a_cent(period, **kwargs):
            bulletin = real(period, **kwargs)
            bulletin.total.completed += Decimal("0.01")
            return bulletin

        with mock.patch.object(bulletin_reconcile, "build_bulletin", off_by_a_cent):
            result = check()
        self.assertDifference(result, "bulletin.total.completed: shown ")

    def test_a_report_changed_behind_the_lights_back_is_a_difference(self):
        light = Light.objects.filter(period=self.latest(), findings__0__rule="gap_to_schedule")
        project = light.first().project_id
        report = Report.objects.filter(
            project_id=project, status="accepted", is_current=True, period__start__month=3
        ).first()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE dispatch_report SET amount = amount + 1000 WHERE id = %s", [report.pk]
            )
        self.assertDifference(check(), "lights.completed_ytd", "cockpit.completed_ytd")

    def test_a_weekly_campaign_has_no_difference(self):
        self.run_campaign("weekly")
        output = self.assertNoDifference()
        self.assertIn("2026 week 45", output)  # Monday 9 to Sunday 15 November
        # October's last week (its filing deadline has passed: the desk's late filers).
        self.assertNoDifference("--period", "2026-10")

    def test_a_ten_day_campaign_has_no_difference(self):
        self.run_campaign("ten_day")
        self.assertIn("2026-11 middle", self.assertNoDifference())
        self.assertNoDifference("--period", "2026-09")

    def test_a_monthly_campaign_built_like_the_others_has_no_difference(self):
        self.run_campaign("monthly")
        self.assertNoDifference()

    def test_a_month_whose_period_has_not_ended_exits_2(self):
        code, output = check("--period", "2026-11")
        self.assertEqual(code, 2)
        self.assertIn("ends in 2026-11", output)

    def test_an_unknown_campaign_exits_2(self):
        code, output = check("--campaign", "999999")
        self.assertEqual(code, 2)
        self.assertIn("no campaign 999999", output)

    def test_the_help_names_the_arguments(self):
        out = io.StringIO()
        with redirect_stdout(out), self.assertRaises(SystemExit) as caught:
            ManagementUtility(["manage.py", "check_figures", "--help"]).execute()
        self.assertEqual(caught.exception.code, 0)
        self.assertIn("--period YYYY-MM", out.getvalue())
        self.assertIn("exits 1 if there is one", out.getvalue())

    def test_a_malformed_month_exits_2_with_the_reason(self):
        for value in ("2026-13", "2026-1", "26-10", "2026/10"):
            errors = io.StringIO()
            with self.subTest(value), redirect_stderr(errors):
                with self.assertRaises(SystemExit) as caught:
                    ManagementUtility(["manage.py", "check_figures", "--period", value]).execute()
                self.assertEqual(caught.exception.code, 2)
                self.assertIn("write it as YYYY-MM", errors.getvalue())


class ScheduleTests(SimpleTestCase):
    """The truth's own 序时进度, written apart from dispatch's."""

    def test_months_ended_and_days_elapsed(self):
        for variant, day, expected in (
            ("month_linear", datetime.date(2026, 11, 29), Fraction(10, 12)),  # a week's end
            ("month_linear", datetime.date(2026, 11, 30), Fraction(11, 12)),
            ("month_linear", datetime.date(2026, 1, 10), Fraction(0)),  # 上旬 of January
            ("month_linear", datetime.date(2027, 1, 3), Fraction(1)),  # the year's last week
            ("day_linear", datetime.date(2026, 11, 29), Fraction(333, 365)),
            ("day_linear", datetime.date(2024, 12, 31), Fraction(1)),  # leap year: 366 days
            ("day_linear", datetime.date(2027, 1, 3), Fraction(1)),
        ):
            with self.subTest(variant=variant, day=day):
                year = 2024 if day.year == 2024 else 2026
                self.assertEqual(schedule(variant, year, day), expected)
