"""End to end in chromium: the city's leader opens the cockpit, sees the headline figures and
the three charts drawn, drills from the city into a county and then a street by clicking unit
rows, and sees the projects behind each; a figure card lists the projects behind it.

Screenshots land in var/screenshots/cockpit-*.png.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings

from gongjian.accounts.models import Unit
from gongjian.dispatch import services
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Campaign, Report
from gongjian.projects.models import AnnualListing, Milestone, MilestoneKind
from gongjian.test.browser import BrowserTestCase

pytestmark = pytest.mark.browser
TODAY = datetime.datetime(2026, 4, 3, 10, 0)
# (name, unit attribute, total investment, annual plan, share of the plan done per month)
PROJECTS = (
    ("东湖新材料产业园", "town_a", 180000, 60000, 0.09),
    ("东湖智能装备基地", "town_a", 65000, 20000, 0.02),
    ("西山锂电池正极材料", "town_b", 98000, 30000, 0.1),
    ("西山物流枢纽", "town_b", 42000, 15000, 0.0),
    ("高新区集成电路封测", "park", 150000, 50000, 0.085),
    ("高新区生物医药孵化器", "park", 36000, 12000, 0.06),
    ("湖东区污水处理厂", "county", 24000, 8000, 0.05),
    ("湖滨物流园", "street", 56000, 18000, 0.03),
    ("湖滨文旅综合体", "street", 88000, 25000, 0.09),
    ("湖滨安置房", "street", 30000, 10000, 0.0),
    ("湖西智慧农业园", "street_b", 22000, 7000, 0.07),
)


@override_settings(LANGUAGE_CODE="zh-hans")
@time_machine.travel(TODAY, tick=True)
class CockpitJourneyTests(BrowserTestCase):
    shot_prefix = "cockpit-"

    def setUp(self):
        super().setUp()
        self.county = Unit.objects.create(
            name="湖东区人民政府", short_name="湖东区", kind=Unit.Kind.GOVERNMENT, parent=self.city
        )
        self.street = Unit.objects.create(name="湖滨街道", kind=Unit.Kind.TOWN, parent=self.county)
        self.street_b = Unit.objects.create(
            name="湖西街道", kind=Unit.Kind.TOWN, parent=self.county
        )
        campaign = Campaign.objects.create(name="重点项目月调度", year=2026)
        services.periods_ensure(campaign)
        months = list(campaign.periods.filter(end__lt=TODAY.date()).order_by("start"))
        start = MilestoneKind.objects.get(code="start")
        for index, (name, unit, total, plan, pace) in enumerate(PROJECTS):
            project = self.make_project(
                name=name,
                responsible_unit=getattr(self, unit),
                total_investment=Decimal(total),
                stats_status="yes" if index % 3 else "no",
            )
            AnnualListing.objects.create(
                project=project, year=2026, level="city", planned_investment=Decimal(plan)
            )
            for month in months:
                Report.objects.create(
                    project=project,
                    period=month,
                    amount=Decimal(round(plan * pace)),
                    status=Report.Status.ACCEPTED,
                )
            if pace:
                Milestone.objects.create(
                    project=project, kind=start, actual_date=datetime.date(2026, 1 + index % 3, 8)
                )
        Milestone.objects.create(
            project=project,  # the last one, 湖西智慧农业园
            kind=MilestoneKind.objects.get(code="completion"),
            actual_date=datetime.date(2026, 3, 20),
        )
        # The nightly run: lights for every ended month, then the cockpit's snapshots.
        recompute_lights(campaign=campaign, all_periods=True)

    def wait_for_charts(self) -> None:
        for chart in ("#chart-lights", "#chart-trend", "#chart-units"):
            self.page.wait_for_selector(f"{chart} canvas")

    def test_the_leader_reads_the_cockpit_and_drills_down(self):
        page = self.page
        self.log_in("leo")
        page.click("nav a[href='/dashboards/']")
        page.wait_for_url("**/dashboards/")
        self.wait_for_charts()
        page.wait_for_selector("#cockpit-units tbody tr")
        page.wait_for_selector("#projects-rows tr")
        self.assertEqual(page.text_content("[data-value=projects]").strip(), "11")
        self.assertEqual(page.text_content("[data-value=completions]").strip(), "1")
        self.assertEqual(page.text_content("#cockpit-trail").strip(), "青川市人民政府")
        units = page.locator("#cockpit-units tbody tr").all_text_contents()
        self.assertEqual(
            len(units), 4
        )  # 东湖街道, 西山镇, 高新区, 湖东区 (the department has none)
        self.assertTrue(any("湖东区人民政府 ›" in row for row in units), units)
        self.assertGreater(page.locator("#cockpit-reds li").count(), 0)
        page.wait_for_timeout(600)  # the charts' entry animation
        self.shot("1-city")

        # Drill into the county by its row, then into a street.
        page.click("#cockpit-units tbody tr >> text=湖东区人民政府")
        self.wait_until(
            "document.querySelector('#cockpit-trail').textContent.includes('湖东区人民政府')"
        )
        self.wait_until(
            "document.querySelector('#projects-title').textContent.includes('湖东区人民政府')"
        )
        self.assertEqual(page.text_content("[data-value=projects]").strip(), "5")
        names = page.locator("#projects-rows tr td:first-child").all_text_contents()
        self.assertEqual(names[0], "湖滨文旅综合体")  # biggest first
        self.assertEqual(len(names), 5)
        self.assertIn("unit=", page.url)
        page.wait_for_timeout(600)
        self.shot("2-county")

        page.click("#cockpit-units tbody tr >> text=湖滨街道")
        self.wait_until(
            "document.querySelector('#projects-title').textContent.includes('湖滨街道')"
        )
        names = page.locator("#projects-rows tr td:first-child").all_text_contents()
        self.assertEqual(names, ["湖滨文旅综合体", "湖滨物流园", "湖滨安置房"])
        self.assertEqual(page.locator("#cockpit-units tbody tr").count(), 1)  # its own projects

        # A figure card lists the projects behind it; the breadcrumbs lead back up.
        page.click("#cockpit-cards [data-figure=starts]")
        self.wait_until("document.querySelector('#projects-count').textContent.startsWith('2 ')")
        names = page.locator("#projects-rows tr td:first-child").all_text_contents()
        self.assertEqual(names, ["湖滨文旅综合体", "湖滨物流园"])
        page.wait_for_timeout(600)
        self.shot("3-street-starts")
        page.click("#cockpit-trail >> text=青川市人民政府")
        self.wait_until(
            "document.querySelector('[data-value=projects]').textContent.trim() === '11'"
        )
        page.click("#projects-rows a >> nth=0")
        page.wait_for_url("**/projects/*/")
