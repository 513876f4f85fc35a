"""The demo campaign: a year of reports with variety, idempotent, and the bulk --periods mode."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db.models import Count, Sum

from gongjian.accounts.models import Role, RoleGrant, Unit
from gongjian.dispatch import figures
from gongjian.dispatch.models import Campaign, Light, Report
from gongjian.test.demo import DEMO_TODAY, DemoCityTestCase


class DemoReportsTestCase(DemoCityTestCase):
    def test_the_demo_year_has_every_kind_of_report_and_light(self):
        statuses = dict(Report.objects.values_list("status").annotate(n=Count("id")))
        self.assertTrue({"accepted", "submitted", "draft", "returned"} <= set(statuses), statuses)
        self.assertTrue(Report.objects.filter(return_count__gt=0, status="accepted").exists())
        campaign = Campaign.objects.get()
        latest = campaign.periods.filter(end__lt=DEMO_TODAY.date()).last()
        colours = set(Light.objects.filter(period=latest).values_list("colour", flat=True))
        self.assertTrue({"red", "yellow", "blue"} <= colours, colours)

    def test_every_county_has_an_office_reviewer(self):
        counties = Unit.objects.filter(kind=Unit.Kind.GOVERNMENT, parent__isnull=False)
        for county in counties:
            self.assertTrue(
                RoleGrant.objects.filter(role=Role.OFFICE, unit=county).exists(), county
            )

    def test_running_it_again_adds_nothing(self):
        before = Report.objects.count()
        call_command("seed_demo", stdout=io.StringIO())
        self.assertEqual(Report.objects.count(), before)

    def test_periods_gives_new_projects_accepted_reports_with_derived_figures(self):
        known = set(Report.objects.values_list("project_id", flat=True))
        call_command("seed_demo", projects=30, periods=3, stdout=io.StringIO())
        new = (
            Report.objects.exclude(project_id__in=known)
            .values("project_id")
            .annotate(n=Count("id"), total=Sum("amount"))
        )
        self.assertTrue(new)
        for row in new:
            self.assertEqual(row["n"], 3)
            last = (
                Report.objects.filter(project_id=row["project_id"]).order_by("period__start").last()
            )
            year_to_date = figures.completed(last.period, [row["project_id"]])
            self.assertEqual(year_to_date[row["project_id"]], row["total"])
            self.assertEqual(last.status, Report.Status.ACCEPTED)
