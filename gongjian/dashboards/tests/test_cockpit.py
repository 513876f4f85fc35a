"""The cockpit page and its JSON endpoints: figures, drill-down, scope, access, query counts."""

from __future__ import annotations

from unittest import mock

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongjian.accounts.models import Role, RoleGrant, Unit
from gongjian.assessment.models import Scheme, ScoreRun, UnitGroup, UnitScore
from gongjian.dashboards import selectors
from gongjian.dashboards.models import PeriodFigures
from gongjian.dashboards.snapshots import refresh_snapshots
from gongjian.dispatch.models import Light, Report
from gongjian.projects.models import AnnualListing
from gongjian.test import BaseTestCase
from gongjian.test.city import TODAY, YEAR, CityTestCase

ENDPOINTS = ("summary", "trend", "units", "projects", "reds")


@time_machine.travel(TODAY, tick=False)
class CockpitTests(CityTestCase):
    def json(self, name: str, user=None, **params) -> dict:
        self.login(user or self.alice)
        response = self.client.get(reverse(f"dashboards:{name}"), params)
        self.assertEqual(response.status_code, 200, response.content[:300])
        return response.json()

    def test_the_summary_is_the_deployment_for_the_latest_ended_period(self):
        data = self.json("summary")
        self.assertEqual(
            data["period"], {"id": self.march.pk, "label": self.march.label, "end": "2026-03-31"}
        )
        self.assertEqual(data["unit"]["id"], self.city.pk)  # the only root
        figures = data["figures"]
        self.assertEqual(figures["projects"], 5)
        self.assertEqual(figures["total_investment"], 225000.0)
        self.assertEqual(figures["annual_plan"], 79000.0)
        self.assertEqual(figures["completed_ytd"], 7850.0)
        self.assertEqual(figures["schedule_pct"], 25.0)  # 3 months of 12
        self.assertEqual(figures["schedule_amount"], 19750.0)
        self.assertEqual(figures["completion_pct"], 9.9)  # 7,850 of 79,000
        self.assertEqual(figures["gap_points"], -15.1)
        self.assertEqual(figures["gap_text"], "15.1 percentage points below the time schedule")
        self.assertEqual(
            (figures["starts"], figures["completions"], figures["registered"]), (2, 1, 2)
        )
        self.assertEqual(
            [(light["colour"], light["count"]) for light in data["lights"]],
            [("red", 2), ("yellow", 1), ("blue", 2)],
        )
        self.assertRegex(data["computed_at"], r"^\d{4}-\d\d-\d\d \d\d:\d\d$")

    def test_an_earlier_period_and_a_unit_can_be_asked_for(self):
        data = self.json("summary", period=self.february.pk, unit=self.county.pk)
        self.assertEqual(data["unit"]["name"], "湖东区人民政府")
        self.assertEqual(data["figures"]["completed_ytd"], 400.0)
        self.assertEqual(data["figures"]["schedule_pct"], 16.7)
        self.assertEqual(data["lights"][0], {"colour": "red", "label": "Red", "count": 1})

    def test_the_trend_runs_month_by_month_to_the_period(self):
        data = self.json("trend")
        labels = [p.label for p in (self.january, self.february, self.march)]
        self.assertEqual(data["labels"], labels)
        series = {s["key"]: s["data"] for s in data["series"]}
        self.assertEqual(series["completed_ytd"], [1400.0, 3400.0, 7850.0])
        self.assertEqual(series["schedule_amount"], [6583.33, 13166.67, 19750.0])
        self.assertEqual(series["annual_plan"], [79000.0] * 3)
        self.assertEqual(data["schedule_pct"], [8.3, 16.7, 25.0])
        self.assertEqual(self.json("trend", period=self.january.pk)["labels"], labels[:1])

    def test_the_units_are_the_drill_down(self):
        data = self.json("units")
        self.assertEqual(data["home"], self.city.pk)
        self.assertEqual([u["name"] for u in data["trail"]], ["青川市人民政府"])
        rows = [(r["name"], r["annual_plan"], r["drillable"]) for r in data["rows"]]
        self.assertEqual(
            rows,
            [
                ("东湖街道", 40000.0, False),
                ("西山镇", 20000.0, False),
                ("湖东区人民政府", 13000.0, True),
                ("青川高新区", 6000.0, False),
            ],
        )
        self.assertIsNone(data["own"])  # the city is responsible for no project itself
        county = self.json("units", unit=self.county.pk)
        self.assertEqual([u["name"] for u in county["trail"]], ["青川市人民政府", "湖东区人民政府"])
        self.assertEqual([r["name"] for r in county["rows"]], ["湖滨街道"])
        self.assertEqual(county["own"]["projects"], 1)
        self.assertEqual(county["own"]["completed_ytd"], 250.0)
        self.assertIn("its own projects", county["own"]["name"])
        street = self.json("units", unit=self.street.pk)
        self.assertEqual((street["rows"], street["own"]["projects"]), ([], 1))

    def test_the_projects_behind_a_figure(self):
        data = self.json("projects", unit=self.county.pk)
        self.assertEqual([r["name"] for r in data["rows"]], ["湖滨物流园", "湖东区污水处理厂"])
        self.assertEqual((data["count"], data["page"], data["pages"]), (2, 1, 1))
        first = data["rows"][0]
        self.assertEqual(first["annual_plan"], 10000.0)
        self.assertEqual(first["completed_ytd"], 400.0)  # March was returned
        self.assertEqual((first["colour"], first["colour_label"]), ("red", "Red"))
        self.assertEqual(first["url"], reverse("projects:detail", args=[self.project_c.pk]))
        red = self.json("projects", unit=self.county.pk, figure="red")
        self.assertEqual([r["name"] for r in red["rows"]], ["湖滨物流园"])
        own = self.json("projects", unit=self.county.pk, own="1")
        self.assertEqual([r["name"] for r in own["rows"]], ["湖东区污水处理厂"])
        everything = self.json("projects")
        self.assertEqual(everything["count"], 5)  # not the project on last year's list
        self.assertEqual(self.json("projects", figure="starts")["count"], 2)
        self.assertEqual(self.json("projects", figure="completions")["count"], 1)
        self.assertEqual(self.json("projects", figure="registered")["count"], 2)
        # A figure the cockpit does not list is refused (400), not read as "all".
        response = self.client.get(reverse("dashboards:projects"), {"figure": "nonsense"})
        self.assertEqual(response.status_code, 400)

    def test_the_projects_come_fifty_a_page(self):
        for i in range(55):
            project = self.make_project(name=f"批量{i}", responsible_unit=self.street)
            AnnualListing.objects.create(
                project=project, year=YEAR, level="county", planned_investment=1
            )
        refresh_snapshots(self.campaign)  # the count is the figure's
        data = self.json("projects", unit=self.street.pk, page=2)
        self.assertEqual((data["count"], data["page"], data["pages"]), (56, 2, 2))
        self.assertEqual(len(data["rows"]), 6)
        self.assertEqual(self.json("projects", unit=self.street.pk, page=9)["page"], 2)
        own = self.json("projects", unit=self.county.pk, own="1", page="1")
        self.assertEqual((own["count"], own["page"], own["pages"]), (1, 1, 1))
        response = self.client.get(reverse("dashboards:projects"), {"page": "x"})
        self.assertEqual(response.status_code, 400)

    def test_the_red_list_has_the_reasons_biggest_first(self):
        data = self.json("reds")
        self.assertEqual(
            [r["name"] for r in data["rows"]], ["重庆长安新能源汽车零部件项目", "湖滨物流园"]
        )
        self.assertEqual(data["rows"][1]["unit"], "湖滨街道")
        self.assertEqual(data["rows"][1]["explanation"], "湖滨物流园: red")
        self.assertEqual(len(self.json("reds", unit=self.town_b.pk)["rows"]), 0)

    def test_the_page_loads_the_module_with_the_endpoints(self):
        self.login(self.leo)
        page = self.client.get(reverse("dashboards:cockpit"))
        self.assertContains(page, 'id="cockpit"')
        self.assertContains(page, "js/cockpit.js")
        self.assertContains(page, "vendor/echarts/echarts.min.js")
        for name in ENDPOINTS:
            self.assertContains(page, f'data-{name}-url="{reverse(f"dashboards:{name}")}"')
        self.assertContains(page, f'data-period="{self.march.pk}"')
        self.assertContains(page, "No ranking has been published yet.")
        self.assertContains(page, reverse("dashboards:cockpit"))  # the nav link

    def test_the_page_shows_the_latest_published_ranking(self):
        scheme = Scheme.objects.create(
            name="月度考核", cadence=Scheme.Cadence.MONTHLY, owner=self.city
        )
        group = UnitGroup.objects.create(name="镇街组")
        run = ScoreRun.objects.create(scheme=scheme, period="2026-03")
        for rank, unit in enumerate((self.town_b, self.town_a), start=1):
            UnitScore.objects.create(run=run, group=group, unit=unit, total=90 - rank, rank=rank)
        draft = ScoreRun.objects.create(scheme=scheme, period="2026-04")
        UnitScore.objects.create(run=draft, group=group, unit=self.park, total=99, rank=1)
        ScoreRun.objects.filter(pk=run.pk).update(published_at=timezone.now())
        self.login(self.leo)
        page = self.client.get(reverse("dashboards:cockpit"))
        self.assertEqual([s.unit for s in page.context["ranking"]], [self.town_b, self.town_a])
        self.assertContains(page, "月度考核 · 2026-03")
        self.assertNotContains(page, "青川高新区</td>")  # the draft is not shown


@time_machine.travel(TODAY, tick=False)
class CockpitScopeTests(CityTestCase):
    """lena leads the county: she sees its figures, units and projects, nothing else."""

    def json(self, name, status=200, **params):
        self.login(self.lena)
        response = self.client.get(reverse(f"dashboards:{name}"), params)
        self.assertEqual(response.status_code, status)
        return response.json() if status == 200 else None

    def test_a_leader_of_a_county_sees_the_county(self):
        summary = self.json("summary")
        self.assertEqual(summary["unit"]["id"], self.county.pk)
        self.assertEqual(summary["figures"]["projects"], 2)
        self.assertEqual(summary["figures"]["annual_plan"], 13000.0)
        self.assertEqual(self.json("trend")["series"][0]["data"], [400.0, 400.0, 650.0])
        units = self.json("units")
        self.assertEqual([u["name"] for u in units["trail"]], ["湖东区人民政府"])  # not the city
        self.assertEqual([r["name"] for r in units["rows"]], ["湖滨街道"])
        projects = self.json("projects")
        self.assertEqual([r["name"] for r in projects["rows"]], ["湖滨物流园", "湖东区污水处理厂"])
        self.assertEqual([r["name"] for r in self.json("reds")["rows"]], ["湖滨物流园"])

    def test_a_leader_of_two_towns_sees_both_side_by_side(self):
        RoleGrant.objects.create(user=self.lena, role=Role.LEADER, unit=self.town_a)
        summary = self.json("summary")
        self.assertIsNone(summary["unit"])
        self.assertEqual(summary["figures"]["projects"], 3)  # the county's two and town_a's
        units = self.json("units")
        self.assertEqual((units["home"], units["trail"]), (None, []))
        self.assertEqual([r["name"] for r in units["rows"]], ["东湖街道", "湖东区人民政府"])
        self.assertEqual(self.json("projects")["count"], 3)

    def test_units_outside_the_scope_are_not_found(self):
        for name in ENDPOINTS:
            self.json(name, status=404, unit=self.town_a.pk)
            self.json(name, status=404, unit=self.city.pk)
        self.login(self.lena)
        page = self.client.get(reverse("dashboards:cockpit"), {"unit": self.town_a.pk})
        self.assertEqual(page.status_code, 404)


# Lists of WALK_FROM matches or more are read another way (selectors._matching): the same
# tests again with every list read that way give the same answers.
@time_machine.travel(TODAY, tick=False)
@mock.patch.object(selectors, "WALK_FROM", 0)
class CockpitWalkedTests(CockpitTests):
    pass


@time_machine.travel(TODAY, tick=False)
@mock.patch.object(selectors, "WALK_FROM", 0)
class CockpitScopeWalkedTests(CockpitScopeTests):
    pass


@time_machine.travel(TODAY, tick=False)
class CockpitAccessTests(CityTestCase):
    def test_only_the_office_and_leaders_get_in(self):
        urls = [reverse("dashboards:cockpit")] + [reverse(f"dashboards:{n}") for n in ENDPOINTS]
        for user, status in (
            (self.alice, 200),
            (self.leo, 200),
            (self.lena, 200),
            (self.ursula, 403),
            (self.boris, 403),
            (self.dora, 403),
            (self.erin, 403),
            (self.judy, 403),
            (self.oscar, 403),
        ):
            self.login(user)
            for url in urls:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, status)
        self.client.logout()
        for url in urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])

    def test_the_nav_link_is_for_the_office_and_leaders(self):
        cockpit = reverse("dashboards:cockpit")
        for user, shown in ((self.alice, True), (self.leo, True), (self.ursula, False)):
            self.login(user)
            page = self.client.get(reverse("projects:list"))
            self.assertEqual(f'href="{cockpit}"' in page.content.decode(), shown, user)


@time_machine.travel(TODAY, tick=False)
class CockpitQueryCountTests(CityTestCase):
    """Every endpoint reads a fixed number of rows' worth of queries, whatever the size."""

    def counts(self, user) -> dict[str, int]:
        self.login(user)
        result = {}
        for name in ENDPOINTS:
            url = reverse(f"dashboards:{name}")
            self.client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(url).status_code, 200)
            result[name] = len(ctx.captured_queries)
        page = reverse("dashboards:cockpit")
        with CaptureQueriesContext(connection) as ctx:
            self.client.get(page)
        result["page"] = len(ctx.captured_queries)
        return result

    def grow(self) -> None:
        for i in range(10):
            town = Unit.objects.create(name=f"新镇{i}", kind=Unit.Kind.TOWN, parent=self.county)
            for j in range(3):
                project = self.make_project(name=f"新项目{i}-{j}", responsible_unit=town)
                AnnualListing.objects.create(
                    project=project, year=YEAR, level="county", planned_investment=10
                )
                Report.objects.create(
                    project=project, period=self.march, amount=1, status=Report.Status.ACCEPTED
                )
                Light.objects.create(
                    project=project, period=self.march, colour="red", responsible_unit=town
                )
        refresh_snapshots(self.campaign)

    def test_the_query_counts_are_fixed(self):
        # Each request: session, user, grants, campaign, period, top units (six; the root units
        # come from the cache); then the endpoint's own reads (reds: the count that picks the
        # query's shape, the page's ids, their rows). The page only reads: it never looks for
        # missing figures to compute.
        expected = {"summary": 7, "trend": 7, "units": 9, "projects": 13, "reds": 9, "page": 8}
        self.assertEqual(self.counts(self.alice), expected)
        self.grow()
        self.assertEqual(self.counts(self.alice), expected)
        self.assertEqual(PeriodFigures.objects.get(period=self.march, unit=self.county).red, 31)

    def test_the_query_counts_are_fixed_for_a_scoped_leader(self):
        few = self.counts(self.lena)
        self.grow()
        self.assertEqual(self.counts(self.lena), few)
        self.assertEqual(self.json_count(), 32)

    def json_count(self) -> int:
        self.login(self.lena)
        return self.client.get(reverse("dashboards:projects")).json()["count"]


class NoCampaignTests(BaseTestCase):
    def test_without_an_active_campaign_the_page_says_so(self):
        self.login(self.leo)
        self.assertContains(
            self.client.get(reverse("dashboards:cockpit")), "There is no active dispatch campaign"
        )
        self.assertEqual(self.client.get(reverse("dashboards:summary")).status_code, 404)
