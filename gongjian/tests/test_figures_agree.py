"""One figure, one value, wherever it appears (issue 13).

- Completed investment of the year to date: a late acceptance of an earlier period (March
  filed and accepted, then February accepted) changes March's figure on the due page, the
  report page, the light, the cockpit and the bulletin at once, and they all agree.
- 序时进度: for weekly, 旬 and monthly periods ending at, just before and just after a month's
  end, the lights, the cockpit and the bulletin measure against the same share
  (dispatch.figures.schedule_share), which counts the months ended by the period's end.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import time_machine
from django.urls import reverse

from gongjian.bulletin.data import build_bulletin
from gongjian.dashboards import selectors
from gongjian.dashboards.snapshots import empty
from gongjian.dispatch import services
from gongjian.dispatch.figures import schedule_share
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Cadence, Campaign, Light
from gongjian.dispatch.rules.schedule import percent, share_decimal
from gongjian.projects.models import AnnualListing
from gongjian.test import BaseTestCase

D = datetime.date


@time_machine.travel(datetime.datetime(2026, 4, 10, 10, 0), tick=False)
class OutOfOrderAcceptanceTests(BaseTestCase):
    """March is filed and accepted first; February is accepted late."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = Campaign.objects.create(name="重点项目月调度", year=2026)
        services.periods_ensure(cls.campaign)
        cls.february, cls.march = (
            cls.campaign.periods.get(start=D(2026, month, 1)) for month in (2, 3)
        )
        # Behind the 序时 (25% by March): the light's finding names the year to date.
        AnnualListing.objects.create(
            project=cls.project_a, year=2026, level="city", planned_investment=Decimal("120000")
        )

    def accept(self, period, amount: str) -> None:
        report = services.report_save_draft(
            actor=self.ursula,
            project=self.project_a,
            period=period,
            data={"amount": Decimal(amount)},
        )
        services.report_submit(actor=self.ursula, report=report)
        self.assertTrue(services.report_approve(actor=self.alice, report=report))

    def shown(self) -> dict[str, Decimal]:
        """March's year to date on every page that shows it."""
        self.login(self.ursula)
        due = self.client.get(reverse("dispatch:due"), {"period": self.march.pk})
        row = next(r for r in due.context["rows"] if r.project == self.project_a)
        page = self.client.get(reverse("dispatch:report", args=[self.project_a.pk, self.march.pk]))
        light = Light.objects.get(project=self.project_a, period=self.march)
        finding = next(f for f in light.findings if f["rule"] == "gap_to_schedule")
        self.login(self.alice)
        summary = self.client.get(reverse("dashboards:summary"), {"period": self.march.pk})
        listed = self.client.get(reverse("dashboards:projects"), {"period": self.march.pk})
        return {
            "due page": row.report.figures.ytd,
            "report page": page.context["report"].figures.ytd,
            "light": Decimal(finding["numbers"]["completed_ytd"]),
            "cockpit": Decimal(str(summary.json()["figures"]["completed_ytd"])),
            "cockpit list": Decimal(str(listed.json()["rows"][0]["completed_ytd"])),
            "bulletin": build_bulletin(self.march).total.completed,
        }

    def test_every_page_shows_the_same_year_to_date_after_a_late_acceptance(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.accept(self.march, "4000")
        self.assertEqual(set(self.shown().values()), {Decimal("4000")}, self.shown())
        with self.captureOnCommitCallbacks(execute=True):
            self.accept(self.february, "6000")  # late: after March was accepted
        shown = self.shown()
        self.assertEqual(set(shown.values()), {Decimal("10000")}, shown)
        # The due page prints it as it does every amount.
        self.login(self.ursula)
        due = self.client.get(reverse("dispatch:due"), {"period": self.march.pk})
        self.assertContains(due, '<td class="num">10,000</td>', html=True)

    def test_a_correction_drops_the_accepted_amount_everywhere_until_accepted(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.accept(self.february, "6000")
            self.accept(self.march, "4000")
        march = services.current_report(self.project_a, self.march)
        with self.captureOnCommitCallbacks(execute=True):
            services.report_start_correction(actor=self.ursula, report=march, reason="金额填错")
            recompute_lights(campaign=self.campaign, all_periods=True)
        shown = self.shown()
        # The correction's draft counts its own amount on the filing pages only, as a
        # projection; what the office has accepted is February's.
        self.assertEqual(shown.pop("due page"), Decimal("10000"))
        self.assertEqual(shown.pop("report page"), Decimal("10000"))
        self.assertEqual(set(shown.values()), {Decimal("6000")}, shown)


# 序时进度 ---------------------------------------------------------------------------------------

# (cadence, the period's last day, the share of the year due by then)
SCHEDULE = (
    (Cadence.WEEKLY, D(2026, 2, 1), Fraction(1, 12)),  # Monday 26 January to 1 February
    (Cadence.WEEKLY, D(2026, 3, 1), Fraction(2, 12)),
    (Cadence.WEEKLY, D(2026, 5, 31), Fraction(5, 12)),  # a week ending on the month's end
    (Cadence.WEEKLY, D(2026, 11, 29), Fraction(10, 12)),  # November not over: not 11/12
    (Cadence.WEEKLY, D(2026, 12, 6), Fraction(11, 12)),
    (Cadence.WEEKLY, D(2027, 1, 3), Fraction(12, 12)),  # the year's last week ends in 2027
    (Cadence.TEN_DAY, D(2026, 2, 28), Fraction(2, 12)),  # 下旬 of February
    (Cadence.TEN_DAY, D(2026, 11, 20), Fraction(10, 12)),  # 中旬
    (Cadence.TEN_DAY, D(2026, 11, 30), Fraction(11, 12)),  # 下旬
    (Cadence.TEN_DAY, D(2026, 12, 10), Fraction(11, 12)),  # 上旬 of December
    (Cadence.MONTHLY, D(2026, 1, 31), Fraction(1, 12)),
    (Cadence.MONTHLY, D(2026, 11, 30), Fraction(11, 12)),
    (Cadence.MONTHLY, D(2026, 12, 31), Fraction(12, 12)),
)
# Yellow as soon as a project is behind at all, never red: every period's light then carries
# the 序时 it was measured against.
ALWAYS_JUDGED = {
    "name": "测试",
    "scheme": "red_yellow_green",
    "rules": [{"kind": "gap_to_schedule", "params": {"yellow_points": 0, "red_points": 100}}],
}


@time_machine.travel(datetime.datetime(2027, 1, 10, 10, 0), tick=False)
class ScheduleAgreesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        AnnualListing.objects.create(
            project=cls.project_a, year=2026, level="city", planned_investment=Decimal("120000")
        )
        cls.campaigns = {}
        for cadence in (Cadence.WEEKLY, Cadence.TEN_DAY, Cadence.MONTHLY):
            campaign = Campaign.objects.create(
                name=f"调度 {cadence}", year=2026, cadence=cadence, rule_set=ALWAYS_JUDGED
            )
            services.periods_ensure(campaign)
            recompute_lights(campaign=campaign, all_periods=True, project_ids=[cls.project_a.pk])
            cls.campaigns[cadence] = campaign

    def test_lights_cockpit_and_bulletin_use_the_same_schedule(self):
        for cadence, end, share in SCHEDULE:
            period = self.campaigns[cadence].periods.get(end=end)
            with self.subTest(cadence=cadence, end=end):
                self.assertEqual(schedule_share(period), share)
                light = Light.objects.get(project=self.project_a, period=period)
                (finding,) = [f for f in light.findings if f["rule"] == "gap_to_schedule"]
                self.assertEqual(finding["numbers"]["expected_share"], str(share_decimal(share)))
                self.assertIn(f"of {percent(share)}%", light.explanation)
                figures = {**empty(), "annual_plan": Decimal("120000")}
                cockpit = selectors.shaped(figures, period, 2026)
                self.assertEqual(cockpit["schedule_pct"], float(percent(share)))
                self.assertEqual(build_bulletin(period).expected_share, percent(share))
