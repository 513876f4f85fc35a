"""Stored XSS, end to end in chromium: every name a chart or a chart page shows carries a script
payload, and each page is opened (as the office, which sees everything; the big screen with its
token), every chart's tooltip is shown for its data, and then:

- no payload ran (window.__xss stays undefined) and no tooltip holds an element a payload made;
- the payload is on the page as text (in a tooltip or a table), so it was escaped, not dropped;
- no `securitypolicyviolation` fired: the CSP blocks nothing the pages need (and, had a payload
  become an element, its inline handler would have shown up here too);
- no script error.

Screenshots at 1440×900 and 390×844 land in var/screenshots/xss-*.png.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from gongjian.assessment.models import Scheme, ScoreRun, UnitGroup, UnitScore
from gongjian.dashboards.geo import fictional_boundary
from gongjian.dispatch import services
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Campaign, Report
from gongjian.projects.models import AnnualListing, Milestone, MilestoneKind
from gongjian.screen import views as screen_views
from gongjian.screen.models import ScreenToken
from gongjian.test.browser import SHOTS, BrowserTestCase

pytestmark = pytest.mark.browser
TODAY = datetime.datetime(2026, 4, 3, 10, 0)
# Short enough for a unit's short name (30 characters). Each marks itself on window.__xss if it
# runs; the text after "=" is what must be visible as text.
IMG = "<img src=x onerror=__xss=1>"
SCRIPT = "<script>__xss=2</script>"
SVG = "<svg onload=__xss=3>"
PAYLOADS = (IMG, SCRIPT, SVG)
SIZES = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}

# Run in every document before the page's own scripts: CSP violations and script errors.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""

# Show the tooltip of every chart on the page for each of its data items (a few per series),
# and keep what each tooltip held: its text, and any element a payload could have made.
SHOW_TOOLTIPS = """
() => {
  const found = [];
  document.querySelectorAll("[_echarts_instance_]").forEach((el) => {
    const chart = echarts.getInstanceByDom(el);
    if (!chart) return;
    const option = chart.getOption();
    const hasTooltip = (option.tooltip || []).length > 0;
    const texts = [];
    let injected = 0;
    (option.series || []).forEach((series, seriesIndex) => {
      const count = Math.min((series.data || []).length, 8);
      for (let dataIndex = 0; dataIndex < count; dataIndex++) {
        chart.dispatchAction({ type: "showTip", seriesIndex, dataIndex });
        // ECharts marks the tooltip's own element (a child of the chart's element).
        [...el.children].filter((c) => c.domBelongToZr).forEach((tip) => {
          texts.push(tip.textContent);
          injected += tip.querySelectorAll("img, script, svg, iframe, object, embed").length;
        });
      }
    });
    chart.dispatchAction({ type: "hideTip" });
    found.push({ id: el.id || el.className, hasTooltip, texts, injected });
  });
  return found;
}
"""

SHOW_ONE_TOOLTIP = """
() => document.querySelectorAll("[_echarts_instance_]").forEach((el) => {
  const chart = echarts.getInstanceByDom(el);
  if (chart && (chart.getOption().tooltip || []).length) {
    chart.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: 0 });
  }
})
"""


@override_settings(LANGUAGE_CODE="zh-hans")
@time_machine.travel(TODAY, tick=True)
class StoredXssTests(BrowserTestCase):
    shot_prefix = "xss-"

    def setUp(self):
        super().setUp()
        self.poison_names()
        self.make_figures()
        self.make_ranking()
        self.boundary = Path(tempfile.mkdtemp()) / "boundary.json"
        self.boundary.write_text(
            json.dumps(
                fictional_boundary(
                    {f"东湖区{SVG}": [(117.1, 36.6), (117.3, 36.62), (117.2, 36.72)]}
                )
            )
        )
        self.token = ScreenToken.objects.create(name="大屏").token

    def tearDown(self):
        self.boundary.unlink(missing_ok=True)
        self.boundary.parent.rmdir()
        super().tearDown()

    # The data -----------------------------------------------------------------------------

    def poison_names(self):
        """A unit filer's project names, units' names and short names, the configurable lists'
        names (stage, industry, milestone kinds): each carries a payload."""
        self.city.name = f"青川市{SVG}"
        self.city.save()
        for unit, payload in ((self.town_a, IMG), (self.town_b, SCRIPT), (self.park, SVG)):
            unit.name = f"{unit.name}{payload}"
            unit.short_name = payload
            unit.save()
        self.stage.name = f"在建{IMG}"
        self.stage.save()
        self.industry.name = f"材料{SVG}"
        self.industry.save()
        kinds = list(MilestoneKind.objects.filter(is_active=True).order_by("pk"))
        for index, kind in enumerate(kinds):
            kind.name = f"{index}{PAYLOADS[index % 3]}"
            kind.save()
        self.project_a.name = f"东湖{IMG}新材料"
        self.project_b.name = f"西山{SCRIPT}隔膜"
        for project, (lng, lat) in (
            (self.project_a, (117.12, 36.61)),
            (self.project_b, (117.28, 36.69)),
        ):
            project.longitude, project.latitude = Decimal(str(lng)), Decimal(str(lat))
            project.save()
        self.project_c = self.make_project(
            name=f"高新{SVG}封测",
            responsible_unit=self.park,
            total_investment=Decimal(150000),
            longitude=Decimal("117.2"),
            latitude=Decimal("36.65"),
        )
        today = TODAY.date()
        for index, kind in enumerate(kinds):
            planned = today + datetime.timedelta(days=30 * (index - 4))
            Milestone.objects.update_or_create(
                project=self.project_a,
                kind=kind,
                defaults={
                    "baseline_date": planned - datetime.timedelta(days=20),
                    "planned_date": planned,
                    "actual_date": planned if index < 3 else None,
                },
            )

    def make_figures(self):
        """A month of reports and the nightly run: lights and the cockpit's snapshots."""
        campaign = Campaign.objects.create(name="重点项目月调度", year=2026)
        services.periods_ensure(campaign)
        months = list(campaign.periods.filter(end__lt=TODAY.date()).order_by("start"))
        for project, plan, pace in (
            (self.project_a, 40000, 0.09),
            (self.project_b, 20000, 0.0),
            (self.project_c, 50000, 0.05),
        ):
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
        recompute_lights(campaign=campaign, all_periods=True)

    def make_ranking(self):
        group = UnitGroup.objects.create(name=f"镇街组{IMG}")
        scheme = Scheme.objects.create(
            name=f"月度考核{SCRIPT}", cadence=Scheme.Cadence.MONTHLY, owner=self.city
        )
        run = ScoreRun.objects.create(scheme=scheme, period="2026-03")
        for rank, unit in enumerate((self.park, self.town_a, self.town_b), start=1):
            UnitScore.objects.create(
                run=run, group=group, unit=unit, total=Decimal(95 - 5 * rank), rank=rank
            )
        ScoreRun.objects.filter(pk=run.pk).update(published_at=timezone.now())

    # The checks ---------------------------------------------------------------------------

    def open(self, page, url: str, ready: str) -> None:
        page.goto(f"{self.live_server_url}{url}")
        page.wait_for_selector(ready)

    def check(self, page, what: str, *, texts: list[str], tooltips: bool) -> list[dict]:
        """Show every tooltip, wait for anything a payload might have started (an image's
        error fires after its request), then assert nothing ran and the text is there."""
        charts = page.evaluate(SHOW_TOOLTIPS)
        page.wait_for_timeout(400)
        self.assertIsNone(page.evaluate("window.__xss"), f"{what}: a payload ran")
        self.assertEqual(page.evaluate("window.__csp"), [], f"{what}: CSP violations")
        for chart in charts:
            self.assertEqual(chart["injected"], 0, f"{what}: {chart['id']} holds markup")
        if tooltips:
            shown = [c for c in charts if c["hasTooltip"]]
            self.assertTrue(shown, f"{what}: no chart with a tooltip")
            for chart in shown:
                self.assertTrue(chart["texts"], f"{what}: {chart['id']} showed no tooltip")
        seen = page.evaluate("document.body.innerText") + "".join(
            text for chart in charts for text in chart["texts"]
        )
        for text in texts:
            self.assertIn(text, seen, f"{what}: {text!r} not shown as text")
        return charts

    def shots(self, page, name: str, url: str, ready: str) -> None:
        """The page at both sizes; the charts settle (no animation to wait for on most)."""
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            self.open(page, url, ready)
            page.wait_for_timeout(700)
            page.evaluate(SHOW_ONE_TOOLTIP)  # so the picture shows a name, escaped
            page.screenshot(
                path=str(SHOTS / f"{self.shot_prefix}{name}-{size}.png"), full_page=True
            )
            self.assertIsNone(page.evaluate("window.__xss"), f"{name} {size}")
            self.assertEqual(page.evaluate("window.__csp"), [], f"{name} {size}")

    def test_names_from_the_database_never_run_on_a_chart_page(self):
        page = self.page
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(WATCH)
        self.log_in("alice")
        a, park = self.project_a.pk, self.park.pk
        with override_settings(GEO_BOUNDARY_FILE=str(self.boundary)):
            pages = [
                # (name, url, ready selector, texts shown as text, tooltips to check)
                ("map", "/projects/map/", "#project-map canvas", [IMG, SCRIPT, SVG], True),
                (
                    "battle",
                    f"/projects/{a}/battle/",
                    "#battle-chart canvas",
                    [IMG, SCRIPT, SVG],
                    True,
                ),
                ("unit-battle", f"/projects/units/{park}/battle/", "#battle-board", [SVG], False),
                ("cockpit", "/dashboards/", "#chart-units canvas", [IMG, SCRIPT, SVG], True),
                (
                    "structure",
                    "/projects/structure/?year=2026&month=3",
                    "#structure-table",
                    [],
                    False,
                ),
                ("ranking", "/assessment/", ".ranking", [IMG, SCRIPT, SVG], False),
                ("list", "/projects/", "#project-rows", [IMG, SCRIPT, SVG], False),
                ("detail", f"/projects/{a}/", "main h1", [IMG], False),
            ]
            for name, url, ready, texts, tooltips in pages:
                with self.subTest(page=name):
                    self.open(page, url, ready)
                    if name == "cockpit":
                        for chart in ("#chart-lights", "#chart-trend"):
                            page.wait_for_selector(f"{chart} canvas")
                        page.wait_for_selector("#cockpit-units tbody tr")
                        page.wait_for_selector("#projects-rows tr")
                    self.check(page, name, texts=texts, tooltips=tooltips)
                    self.shots(page, name, url, ready)
        self.assertEqual(errors, [])

    def test_the_public_big_screen_shows_names_as_text(self):
        page = self.browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        self.page.close()
        self.page = page
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(WATCH)
        screen_views.SLIDE_SECONDS = 2  # faster cycling for the test
        try:
            page.goto(f"{self.live_server_url}/screen/{self.token}/")
            page.wait_for_selector(".slide.on .cards")
            page.wait_for_selector(".slide.on .chart canvas", timeout=10000)
            self.check(page, "screen areas", texts=[], tooltips=False)
            page.screenshot(path=str(SHOTS / f"{self.shot_prefix}screen-areas.png"))
            page.wait_for_selector(".slide.on .ranking-groups", timeout=10000)
            self.check(page, "screen ranking", texts=[IMG, SCRIPT, SVG], tooltips=False)
            page.screenshot(path=str(SHOTS / f"{self.shot_prefix}screen-ranking.png"))
        finally:
            screen_views.SLIDE_SECONDS = 15
        self.assertEqual(errors, [])
