"""Period snapshots against an independent count of the raw rows, idempotence, and the refresh
at the end of a full recompute_lights."""

from __future__ import annotations

from decimal import Decimal

import time_machine

from gongjian.accounts.models import Unit
from gongjian.dashboards.models import PeriodFigures
from gongjian.dashboards.snapshots import FIGURES, refresh_snapshots
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Light, Report
from gongjian.projects.models import AnnualListing, Milestone, Project
from gongjian.test.city import TODAY, YEAR, CityTestCase


def stored(period) -> dict:
    return {
        row.unit_id: {name: getattr(row, name) for name in FIGURES}
        for row in PeriodFigures.objects.filter(period=period)
    }


class SnapshotTests(CityTestCase):
    def expected(self, period, unit) -> dict:
        """The figures of `unit` (None: everything) for `period`, one raw row at a time."""

        def under(responsible) -> bool:
            if unit is None:
                return True
            return responsible is not None and responsible.path.startswith(unit.path)

        listed = {
            listing.project_id: listing
            for listing in AnnualListing.objects.filter(year=YEAR).select_related(
                "project__responsible_unit"
            )
        }
        projects = [
            listing.project
            for listing in listed.values()
            if under(listing.project.responsible_unit)
        ]
        ids = {p.pk for p in projects}
        figures = {
            "projects": len(projects),
            "total_investment": sum((p.total_investment for p in projects), Decimal(0)),
            "annual_plan": sum((listed[p.pk].planned_investment for p in projects), Decimal(0)),
            "registered": sum(p.stats_status == Project.StatsStatus.REGISTERED for p in projects),
            "completed_ytd": Decimal(0),
            "starts": 0,
            "completions": 0,
            "red": 0,
            "yellow": 0,
            "blue": 0,
            "green": 0,
        }
        for report in Report.objects.select_related("period"):
            if (
                report.project_id in ids
                and report.is_current
                and report.status == Report.Status.ACCEPTED
                and report.period.start <= period.start
                and report.period.start.year == YEAR
            ):
                figures["completed_ytd"] += report.amount
        for milestone in Milestone.objects.select_related("kind"):
            day = milestone.actual_date
            if milestone.project_id in ids and day and day.year == YEAR and day <= period.end:
                if milestone.kind.code == "start":
                    figures["starts"] += 1
                elif milestone.kind.code == "completion":
                    figures["completions"] += 1
        for light in Light.objects.filter(period=period).select_related("responsible_unit"):
            if under(light.responsible_unit):
                figures[light.colour] += 1
        return figures

    def test_every_unit_and_its_roll_up_match_the_raw_rows(self):
        for period in (self.january, self.february, self.march):
            rows = stored(period)
            for unit in (None, self.city, self.county, self.street, self.town_a, self.town_b):
                with self.subTest(period=period.label, unit=unit):
                    self.assertEqual(rows[unit.pk if unit else None], self.expected(period, unit))

    def test_rows_exist_for_units_with_projects_their_ancestors_and_the_deployment(self):
        units = {self.city, self.county, self.street, self.town_a, self.town_b, self.park}
        self.assertEqual(set(stored(self.march)), {u.pk for u in units} | {None})

    def test_the_figures_read_as_the_bulletins_do(self):
        march = stored(self.march)
        city = march[self.city.pk]
        self.assertEqual(city["projects"], 5)  # not the project only on last year's list
        self.assertEqual(city["annual_plan"], Decimal("79000"))
        # a 1,000 + 2,000 + 3,500 (the correction), b 700, c 400, d 250
        self.assertEqual(city["completed_ytd"], Decimal("7850"))
        self.assertEqual((city["starts"], city["completions"], city["registered"]), (2, 1, 2))
        self.assertEqual((city["red"], city["yellow"], city["blue"]), (2, 1, 2))
        # The light whose unit is gone counts for the deployment only.
        self.assertEqual(march[None]["yellow"], 2)
        self.assertEqual(stored(self.january)[self.city.pk]["completed_ytd"], Decimal("1400"))
        self.assertEqual(stored(self.february)[self.county.pk]["red"], 1)  # from the street

    def test_refreshing_twice_gives_the_same_rows(self):
        before = {p: stored(p) for p in (self.january, self.february, self.march)}
        written = refresh_snapshots(self.campaign)
        self.assertEqual(written, PeriodFigures.objects.count())
        self.assertEqual({p: stored(p) for p in before}, before)
        self.assertEqual(refresh_snapshots(self.campaign), written)
        self.assertEqual({p: stored(p) for p in before}, before)

    def test_a_refresh_replaces_only_the_periods_it_is_given(self):
        Report.objects.filter(project=self.project_d).update(amount=Decimal("1250"))
        january = stored(self.january)
        refresh_snapshots(self.campaign, [self.march])
        self.assertEqual(stored(self.march)[self.county.pk]["completed_ytd"], Decimal("1650"))
        self.assertEqual(stored(self.january), january)

    def test_every_period_by_default_ended_or_not(self):
        # The period that ends tonight has its figures before anyone looks at it.
        PeriodFigures.objects.all().delete()
        refresh_snapshots(self.campaign)
        periods = set(PeriodFigures.objects.values_list("period_id", flat=True))
        self.assertEqual(periods, set(self.campaign.periods.values_list("pk", flat=True)))
        self.assertEqual(stored(self.campaign.periods.last())[None]["completed_ytd"], 7850)

    def test_a_refresh_takes_a_fixed_number_of_queries(self):
        # A transaction (savepoint here): lock; 4 GROUP BYs, the periods' starts, the units'
        # paths; delete, insert. (SQLite inserts 71 rows a query: three periods' worth here.)
        ended = [self.january, self.february, self.march]
        with self.assertNumQueries(11):
            refresh_snapshots(self.campaign, ended)
        for i in range(12):
            town = Unit.objects.create(name=f"新镇{i}", kind=Unit.Kind.TOWN, parent=self.county)
            project = self.make_project(name=f"新项目{i}", responsible_unit=town)
            AnnualListing.objects.create(
                project=project, year=YEAR, level="county", planned_investment=1
            )
            Report.objects.create(
                project=project, period=self.march, amount=1, status=Report.Status.ACCEPTED
            )
        with self.assertNumQueries(11):
            refresh_snapshots(self.campaign, ended)
        self.assertEqual(stored(self.march)[self.county.pk]["projects"], 14)


@time_machine.travel(TODAY, tick=False)
class RecomputeRefreshesTests(CityTestCase):
    def test_a_full_recompute_refreshes_the_snapshots(self):
        PeriodFigures.objects.all().delete()
        with self.captureOnCommitCallbacks(execute=True):
            recompute_lights(campaign=self.campaign, all_periods=True)
        march = stored(self.march)
        lights = Light.objects.filter(period=self.march)
        self.assertEqual(
            sum(march[None][c] for c in ("red", "yellow", "blue", "green")), lights.count()
        )
        for colour in ("red", "yellow", "blue", "green"):
            self.assertEqual(march[None][colour], lights.filter(colour=colour).count(), colour)
        self.assertEqual(march[self.city.pk]["completed_ytd"], Decimal("7850"))
        self.assertTrue(stored(self.january))

    def test_the_refresh_waits_for_the_commit_and_runs_once(self):
        PeriodFigures.objects.all().delete()
        with self.captureOnCommitCallbacks() as callbacks:  # committed: not yet
            recompute_lights(campaign=self.campaign, project_ids=[self.project_a.pk])
            recompute_lights(campaign=self.campaign, project_ids=[self.project_b.pk])
        self.assertFalse(PeriodFigures.objects.exists())
        self.assertEqual(len(callbacks), 1)  # both runs' changes, refreshed together
