"""The dispatch desk at scale (issue 13): late filers and the changes since the previous period
from the period's lights, a fixed number of queries, and every light and report query an
index search, never a scan of the table."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongjian.dispatch import services
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Light, Report
from gongjian.dispatch.selectors import desk_data
from gongjian.projects.models import AnnualListing
from gongjian.test.dispatch import TODAY, DispatchTestCase


@time_machine.travel(TODAY, tick=False)
class DeskTestCase(DispatchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.january = cls.campaign.periods.get(start=datetime.date(2026, 1, 1))
        AnnualListing.objects.create(
            project=cls.project_b, year=2026, level="city", planned_investment=Decimal("20000")
        )
        cls.project_c = cls.make_project(name="西山物流园项目", responsible_unit=cls.town_b)
        AnnualListing.objects.create(
            project=cls.project_c, year=2026, level="city", planned_investment=Decimal("1000")
        )

    def desk(self, period) -> dict:
        self.login(self.alice)
        page = self.client.get(reverse("dispatch:desk"), {"period": period.pk})
        self.assertEqual(page.status_code, 200)
        return page

    def test_late_filers_are_the_lit_projects_without_a_filed_report(self):
        # February is due 2026-03-05: past. project_a submitted (filed); project_b only saved
        # a draft and project_c filed nothing: 西山镇 is late twice.
        self.file(self.ursula, self.project_a, self.february, "1000")
        services.report_save_draft(
            actor=self.boris,
            project=self.project_b,
            period=self.february,
            data={"amount": Decimal("5")},
        )
        recompute_lights(campaign=self.campaign, all_periods=True)
        page = self.desk(self.february)
        self.assertEqual(page.context["late"], [("西山镇", 2)])
        self.assertContains(page, "西山镇")
        # A returned report is not filed either; an accepted one is.
        report = self.file(self.boris, self.project_b, self.february, "5")
        services.report_return(actor=self.alice, report=report, reason="数据不实")
        self.assertEqual(desk_data(self.alice, self.february)["late"], [("西山镇", 2)])
        services.report_submit(actor=self.boris, report=report)
        services.report_approve(actor=self.alice, report=report)
        self.assertEqual(desk_data(self.alice, self.february)["late"], [("西山镇", 1)])
        # Before the deadline nobody is late: March is due 2026-04-05.
        self.assertEqual(desk_data(self.alice, self.march)["late"], [])

    def test_recovered_and_new_red_compare_with_the_previous_period(self):
        report = self.file(self.ursula, self.project_a, self.january, "10000")
        services.report_approve(actor=self.alice, report=report)
        recompute_lights(campaign=self.campaign, all_periods=True)
        colours = dict(
            Light.objects.filter(project=self.project_a).values_list("period_id", "colour")
        )
        self.assertEqual(colours[self.february.pk], Light.Colour.YELLOW)  # February missed
        self.assertEqual(colours[self.march.pk], Light.Colour.RED)  # and March
        data = desk_data(self.alice, self.march)
        self.assertEqual([light.project_id for light in data["new_red"]], [self.project_a.pk])
        self.assertEqual(data["recovered"], [])
        link = reverse("projects:detail", args=[self.project_a.pk])
        self.assertContains(self.desk(self.march), f'<a href="{link}">{self.project_a.name}</a>')
        # March filed and accepted, on schedule (25% of 40,000): back from yellow.
        report = self.file(self.ursula, self.project_a, self.march, "5000")
        services.report_approve(actor=self.alice, report=report)
        data = desk_data(self.alice, self.march)
        self.assertEqual(data["new_red"], [])
        (recovered,) = data["recovered"]
        self.assertEqual(
            (recovered.project_id, recovered.name, recovered.unit),
            (self.project_a.pk, self.project_a.name, "东湖街道"),
        )
        page = self.desk(self.march)
        self.assertContains(page, self.project_a.name)

    def test_the_query_count_does_not_grow_with_lights_or_late_filers(self):
        def count() -> tuple[int, list]:
            recompute_lights(campaign=self.campaign, all_periods=True)
            self.desk(self.february)
            with CaptureQueriesContext(connection) as ctx:
                page = self.desk(self.february)
            return len(ctx.captured_queries), page.context["late"]

        few, late = count()
        self.assertEqual(late, [("西山镇", 2), ("东湖街道", 1)])
        for i in range(12):
            project = self.make_project(name=f"迟报项目{i}", responsible_unit=self.town_b)
            AnnualListing.objects.create(
                project=project, year=2026, level="city", planned_investment=1
            )
            if i % 2:
                self.file(self.boris, project, self.february, "1")
        many, late = count()
        self.assertEqual(many, few)
        self.assertEqual(late, [("西山镇", 8), ("东湖街道", 1)])

    def test_lights_and_reports_are_searched_by_index_never_scanned(self):
        if connection.vendor != "sqlite":
            self.skipTest("the plans are SQLite's; PostgreSQL scans small tables on purpose")
        self.file(self.ursula, self.project_a, self.february, "1000")
        recompute_lights(campaign=self.campaign, all_periods=True)
        with CaptureQueriesContext(connection) as ctx:
            self.desk(self.february)
        tables = (Light._meta.db_table, Report._meta.db_table)
        checked = 0
        with connection.cursor() as cursor:
            for query in ctx.captured_queries:
                sql = query["sql"]
                if not sql.startswith("SELECT") or not any(t in sql for t in tables):
                    continue
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = [row[-1] for row in cursor.fetchall()]
                checked += 1
                for step in plan:
                    for table in tables:
                        self.assertFalse(step.startswith(f"SCAN {table}"), (step, sql))
                        if step.startswith(f"SEARCH {table}"):
                            self.assertIn("INDEX", step, sql)
        self.assertGreaterEqual(checked, 5)  # the counts, three lists, the late filers
