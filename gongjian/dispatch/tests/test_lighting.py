"""Lights from reports: computed in bulk, explained, updated on acceptance, idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine
from django.core.management import call_command

from gongjian.dispatch import services
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Light, Report
from gongjian.test.dispatch import TODAY, DispatchTestCase


@time_machine.travel(TODAY, tick=False)
class LightingTestCase(DispatchTestCase):
    def accept(self, period, amount):
        report = self.file(self.ursula, self.project_a, period, amount)
        services.report_approve(actor=self.alice, report=report)
        return report

    def light(self, period=None):
        return Light.objects.get(project=self.project_a, period=period or self.march)

    def test_a_project_behind_the_time_schedule_is_yellow_with_its_reason(self):
        # As of March: the time schedule is 3/12 = 25% of the 40,000 plan; 4,000 done = 10%.
        self.accept(self.february, "1000")
        self.accept(self.march, "3000")
        light = self.light()
        self.assertEqual(light.colour, Light.Colour.YELLOW)
        gap = next(f for f in light.findings if f["rule"] == "gap_to_schedule")
        self.assertEqual(Decimal(gap["numbers"]["gap_points"]), Decimal("-15.0"))
        self.assertIn("15", light.explanation)
        # 10 points behind (15%) is still yellow; strictly less than 10 behind needs > 6,000.
        self.assertIn("万元", light.clear_hint)

    def test_accepting_a_report_updates_the_light(self):
        self.accept(self.february, "1000")
        self.accept(self.march, "3000")
        self.assertEqual(self.light().colour, Light.Colour.YELLOW)
        correction = services.report_start_correction(
            actor=self.ursula,
            report=services.current_report(self.project_a, self.march),
            reason="补报设备款",
        )
        services.report_save_draft(
            actor=self.ursula,
            project=self.project_a,
            period=self.march,
            data={"amount": Decimal("9000")},
        )
        services.report_submit(actor=self.ursula, report=correction)
        services.report_approve(actor=self.alice, report=correction)
        self.assertEqual(self.light().colour, Light.Colour.BLUE)  # 10,000 = 25%: on schedule

    def test_missing_reports_turn_the_light_red_after_two_periods(self):
        recompute_lights(campaign=self.campaign, all_periods=True)
        self.assertEqual(self.light(self.february).colour, Light.Colour.RED)  # Jan and Feb missed
        finding = next(
            f for f in self.light(self.february).findings if f["rule"] == "missing_filing"
        )
        self.assertEqual(finding["colour"], "red")

    def test_recomputing_is_idempotent(self):
        self.accept(self.march, "3000")
        call_command("recompute_lights", "--all-periods", stdout=open("/dev/null", "w"))
        first = list(
            Light.objects.order_by("period__start").values_list(
                "period_id", "colour", "explanation"
            )
        )
        call_command("recompute_lights", "--all-periods", stdout=open("/dev/null", "w"))
        again = list(
            Light.objects.order_by("period__start").values_list(
                "period_id", "colour", "explanation"
            )
        )
        self.assertEqual(first, again)
        self.assertEqual(len(again), 3)  # January to March have ended on 2026-04-03

    def test_a_rerun_rewrites_only_the_lights_that_changed(self):
        self.accept(self.march, "3000")
        recompute_lights(campaign=self.campaign, today=datetime.date(2026, 4, 3))
        first = self.light()
        with time_machine.travel(TODAY + datetime.timedelta(hours=1), tick=False):
            recompute_lights(campaign=self.campaign, today=datetime.date(2026, 4, 3))
        self.assertEqual(self.light().computed_at, first.computed_at)  # nothing changed
        # Changed behind the services' back, so only the recomputation can see it.
        Report.objects.filter(project=self.project_a, period=self.march).update(amount=30000)
        later = TODAY + datetime.timedelta(hours=2)
        with time_machine.travel(later, tick=False):
            recompute_lights(campaign=self.campaign, today=datetime.date(2026, 4, 3))
        changed = self.light()
        self.assertNotEqual(changed.explanation, first.explanation)
        self.assertEqual(changed.computed_at - first.computed_at, datetime.timedelta(hours=2))

    def test_only_the_latest_ended_period_by_default(self):
        recompute_lights(campaign=self.campaign, today=datetime.date(2026, 4, 3))
        self.assertEqual(set(Light.objects.values_list("period_id", flat=True)), {self.march.pk})


@time_machine.travel(TODAY, tick=False)
class DeskTestCase(DispatchTestCase):
    def test_the_desk_counts_lists_and_shows_changes(self):
        from django.urls import reverse

        january = self.campaign.periods.get(start=datetime.date(2026, 1, 1))
        report = self.file(self.ursula, self.project_a, january, "10000")  # ahead in January
        services.report_approve(actor=self.alice, report=report)
        recompute_lights(campaign=self.campaign, all_periods=True)  # Feb missed: yellow; March: red
        self.login(self.alice)
        page = self.client.get(reverse("dispatch:desk") + f"?period={self.march.pk}")
        self.assertEqual(page.context["by_colour"], {"red": 1})  # two periods missed in a row
        self.assertEqual(
            [light.project_id for light in page.context["flagged"]], [self.project_a.pk]
        )
        self.assertEqual(
            [light.project_id for light in page.context["new_red"]], [self.project_a.pk]
        )
        self.assertEqual(page.context["late"], [])  # March is due 2026-04-05: not late yet
        self.assertContains(page, "light-red")

    def test_only_the_office_and_leaders_see_the_desk(self):
        from django.urls import reverse

        url = reverse("dispatch:desk")
        for user, status in (
            (self.alice, 200),
            (self.leo, 200),
            (self.ursula, 403),
            (self.dora, 403),
            (self.erin, 403),
            (self.judy, 403),
            (self.oscar, 403),
        ):
            self.login(user)
            self.assertEqual(self.client.get(url).status_code, status, user)


@time_machine.travel(TODAY, tick=False)
class DeskQueryCountTestCase(DispatchTestCase):
    def test_the_desk_query_count_does_not_grow_with_lights(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from gongjian.projects.models import AnnualListing

        url = reverse("dispatch:desk") + f"?period={self.march.pk}"
        self.login(self.alice)

        def count() -> int:
            recompute_lights(campaign=self.campaign, all_periods=True)
            self.client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                self.client.get(url)
            return len(ctx.captured_queries)

        few = count()
        for i in range(15):
            project = self.make_project(name=f"亮灯项目{i}", responsible_unit=self.town_b)
            AnnualListing.objects.create(
                project=project, year=2026, level="city", planned_investment=1
            )
        self.assertEqual(count(), few)
