"""The snapshots never contradict the page: a GET of the cockpit only reads; every write that
changes a figure refreshes the rows it changed once it commits (receivers.py), and those rows
are exactly what a full refresh computes; right after seed_demo the big screen and the cockpit
show the seeded city."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongjian.accounts.models import Unit, User
from gongjian.dashboards.models import PeriodFigures
from gongjian.dashboards.snapshots import FIGURES, refresh_snapshots
from gongjian.dispatch import services
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Report
from gongjian.projects.models import AnnualListing, Milestone, MilestoneKind, Project
from gongjian.screen.data import screen_data
from gongjian.test.city import TODAY, YEAR, CityTestCase
from gongjian.test.demo import DemoCityTestCase

WRITES = ("INSERT", "UPDATE", "DELETE")
ENDPOINTS = ("cockpit", "summary", "trend", "units", "projects", "reds")


def rows(campaign) -> dict:
    """Every stored figure of the campaign, by (period, unit)."""
    return {
        (row.period_id, row.unit_id): tuple(getattr(row, name) for name in FIGURES)
        for row in PeriodFigures.objects.filter(period__campaign=campaign)
    }


@time_machine.travel(TODAY, tick=False)
class FreshFiguresTests(CityTestCase):
    def json(self, name: str, **params) -> dict:
        response = self.client.get(reverse(f"dashboards:{name}"), params)
        self.assertEqual(response.status_code, 200)
        return response.json()

    def assert_as_a_full_refresh(self) -> None:
        """The stored rows are those a full refresh computes from the data now."""
        kept = rows(self.campaign)
        refresh_snapshots(self.campaign)
        self.assertEqual(kept, rows(self.campaign))

    def test_a_get_never_writes(self):
        self.login(self.alice)
        for figures in ("kept", "missing"):
            for name in ENDPOINTS:
                with self.subTest(figures=figures, endpoint=name):
                    with CaptureQueriesContext(connection) as ctx:
                        self.client.get(reverse(f"dashboards:{name}"))
                    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(WRITES)]
                    self.assertEqual(writes, [])
            PeriodFigures.objects.all().delete()  # a deployment not refreshed yet: still none

    def test_the_header_counts_the_projects_the_table_lists_after_adding_one(self):
        self.login(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            project = self.make_project(name="新增项目", responsible_unit=self.street)
            AnnualListing.objects.create(
                project=project, year=YEAR, level="county", planned_investment=Decimal(500)
            )
        header = self.json("summary")["figures"]["projects"]
        table = self.json("projects")
        self.assertEqual(header, 6)
        self.assertEqual((table["count"], len(table["rows"])), (6, 6))
        county = self.json("summary", unit=self.county.pk)["figures"]
        self.assertEqual((county["projects"], county["annual_plan"]), (3, 13500.0))
        self.assert_as_a_full_refresh()

    def test_every_kind_of_write_keeps_the_rows_as_a_full_refresh_computes_them(self):
        submitted = Report.objects.get(project=self.project_b, period=self.february)
        march_a = Report.objects.get(project=self.project_a, period=self.march, is_current=True)
        start = MilestoneKind.objects.get(code="start")

        def accept():
            services.report_approve(actor=self.alice, report=submitted)

        def correct():
            services.report_start_correction(actor=self.alice, report=march_a, reason="金额有误")

        def move():
            project = Project.objects.get(pk=self.project_d.pk)
            project.responsible_unit = self.town_b  # from the county to a town of the city
            project.save()

        def start_milestone():
            Milestone.objects.create(
                project=self.project_e, kind=start, actual_date=datetime.date(YEAR, 2, 3)
            )

        def unlist():
            AnnualListing.objects.filter(project=self.project_c, year=YEAR).get().delete()

        def relight():
            recompute_lights(campaign=self.campaign, project_ids=[self.project_d.pk])

        def edit():
            project = Project.objects.get(pk=self.project_e.pk)
            project.total_investment = Decimal(18000)
            project.stats_status = Project.StatsStatus.REGISTERED
            project.save()

        def replan():
            listing = AnnualListing.objects.get(project=self.project_b, year=YEAR)
            listing.planned_investment = Decimal(25000)
            listing.save()

        def list_and_accept():
            # In one transaction: what the acceptance adds must not be counted twice.
            AnnualListing.objects.create(
                project=self.project_x, year=YEAR, level="city", planned_investment=Decimal(1)
            )
            report = Report.objects.create(
                project=self.project_x, period=self.march, amount=Decimal(33), status="submitted"
            )
            services.report_approve(actor=self.alice, report=report)

        for write in (
            accept,
            correct,
            move,
            start_milestone,
            unlist,
            relight,
            edit,
            replan,
            list_and_accept,
        ):
            with self.subTest(write=write.__name__):
                before = rows(self.campaign)
                with self.captureOnCommitCallbacks(execute=True):
                    write()
                self.assertNotEqual(rows(self.campaign), before)
                self.assert_as_a_full_refresh()

    def test_the_figures_follow_an_acceptance_at_once(self):
        submitted = Report.objects.get(project=self.project_b, period=self.february)
        self.login(self.alice)
        self.assertEqual(self.json("summary")["figures"]["completed_ytd"], 7850.0)
        with self.captureOnCommitCallbacks(execute=True):
            services.report_approve(actor=self.alice, report=submitted)
        self.assertEqual(self.json("summary")["figures"]["completed_ytd"], 8350.0)
        self.assertEqual(self.json("summary", period=self.january.pk)["figures"]["projects"], 5)

    def test_a_write_that_is_rolled_back_refreshes_nothing(self):
        before = rows(self.campaign)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    AnnualListing.objects.filter(project=self.project_a).delete()
                    raise RuntimeError("refused")
            except RuntimeError:
                pass
        self.assertEqual(callbacks, [])
        self.assertEqual(rows(self.campaign), before)

    def test_a_unit_moved_under_another_parent_moves_its_figures(self):
        with self.captureOnCommitCallbacks(execute=True):
            street = Unit.objects.get(pk=self.street.pk)
            street.parent = self.city
            street.save()
        figures = PeriodFigures.objects.filter(period=self.march)
        self.assertEqual(figures.get(unit=self.county).projects, 1)  # was 2, with the street's
        self.assertEqual(figures.get(unit=self.city).projects, 5)
        self.assert_as_a_full_refresh()


class SeededCityTests(DemoCityTestCase):
    def test_the_screen_and_the_cockpit_show_the_city_right_after_seed_demo(self):
        listed = Project.objects.listed(2026).count()
        headline = screen_data()["headline"]
        self.assertIsNotNone(headline)
        self.assertEqual(headline["projects"], listed)
        self.assertGreater(headline["completed_yi"], 0)
        self.client.force_login(User.objects.get(username="office"))
        summary = self.client.get(reverse("dashboards:summary")).json()
        self.assertEqual(summary["figures"]["projects"], listed)
        self.assertEqual(summary["period"]["label"], headline["period"])
