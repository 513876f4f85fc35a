"""One figure, one set of digits: 2,139,050 万元 completed against a plan of 6,844,960 万元 by
the end of March (序时 3/12 = 25%) reads 213.91 亿元, 31.3% of the plan, 6.3 points ahead, on
the cockpit, the bulletin's page, text, Excel and PDF, the public big screen and 四多四少.

Each is a tie that rounding halves to even gets wrong: 213.905 → 213.90, 31.25 → 31.2,
6.25 → 6.2 (the big screen and 四多四少 showed 213.90 while the cockpit showed 213.91)."""

from __future__ import annotations

import datetime
import io
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import time_machine
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gongjian.dashboards.snapshots import refresh_snapshots
from gongjian.dispatch import services
from gongjian.dispatch.models import Campaign, Report
from gongjian.lib.figures_format import EXCEL_PERCENT, EXCEL_WAN
from gongjian.projects.models import AnnualListing
from gongjian.screen.models import ScreenToken
from gongjian.test import BaseTestCase

TODAY = datetime.datetime(2026, 4, 3, 10, 0)
YI = "213.91"  # 2,139,050 万元 = 213.905 亿元
SHARE = "31.3"  # 2,139,050 / 6,844,960 = 31.25%
GAP = "6.3"  # 31.25 − 25 points


@time_machine.travel(TODAY, tick=False)
class OneFigureTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = Campaign.objects.create(name="重点项目月调度", year=2026)
        services.periods_ensure(cls.campaign)
        periods = {p.start.month: p for p in cls.campaign.periods.filter(start__year=2026)}
        cls.march = periods[3]
        cls.project = cls.make_project(
            name="青川港区综合枢纽项目", total_investment=Decimal("9000000")
        )
        AnnualListing.objects.create(
            project=cls.project, year=2026, level="city", planned_investment=Decimal("6844960")
        )
        for month, amount in ((1, "1000000.00"), (3, "1139050.00")):
            Report.objects.create(
                project=cls.project,
                period=periods[month],
                amount=Decimal(amount),
                status=Report.Status.ACCEPTED,
            )
        refresh_snapshots(cls.campaign, [periods[1], periods[2], cls.march])  # ended ones
        cls.screen = ScreenToken.objects.create(name="市民中心大屏")

    def get(self, name: str, user=None, **params):
        self.login(user or self.alice)
        response = self.client.get(reverse(name), params)
        self.assertEqual(response.status_code, 200, name)
        return response

    def test_the_cockpit(self):
        data = self.get("dashboards:summary", period=self.march.pk).json()
        text = data["figures"]["text"]
        self.assertEqual(text["completed_ytd_yi"], YI)
        self.assertEqual(text["completed_ytd"], "2,139,050")
        self.assertEqual(text["completion_pct"], SHARE)
        self.assertEqual(text["gap_points"], f"+{GAP}")
        self.assertEqual(data["figures"]["completion_pct"], float(SHARE))
        self.assertEqual(
            data["figures"]["gap_text"], f"{GAP} percentage points above the time schedule"
        )
        units = self.get("dashboards:units", period=self.march.pk).json()
        (town,) = units["rows"]
        self.assertEqual(
            (town["text"]["completed_ytd_yi"], town["text"]["completion_pct"]), (YI, SHARE)
        )
        trend = self.get("dashboards:trend", period=self.march.pk).json()
        completed = next(s for s in trend["series"] if s["key"] == "completed_ytd")
        self.assertEqual(completed["text_yi"][-1], YI)
        self.assertEqual(trend["text"]["completion_pct"][-1], SHARE)
        rows = self.get("dashboards:projects", period=self.march.pk).json()["rows"]
        self.assertEqual(rows[0]["text"]["completed_ytd"], "2,139,050")

    def test_the_bulletin_page_and_text(self):
        sentence = (
            f"完成投资{YI}亿元，占年度计划{SHARE}%（序时进度25.0%），高于序时进度{GAP}个百分点"
        )
        self.assertContains(self.get("bulletin:index", period=self.march.pk), sentence)
        text = self.get("bulletin:text", period=self.march.pk)
        self.assertIn(sentence, b"".join(text.streaming_content).decode())

    def test_the_bulletin_excel(self):
        response = self.get("bulletin:xlsx", period=self.march.pk)
        content = b"".join(response.streaming_content)
        rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("一览表")
        total = rows.to_python()[3]
        self.assertEqual(total[1], "合计（1项）")
        self.assertEqual((total[4], total[5]), (2139050.0, float(SHARE)))
        # Laid out by the module's formats, the cells read as the PDF's do.
        styles = zipfile.ZipFile(io.BytesIO(content)).read("xl/styles.xml").decode()
        for code in (EXCEL_WAN, EXCEL_PERCENT):
            self.assertIn(f'formatCode="{code}"', styles)

    def test_the_bulletin_pdf(self):
        response = self.get("bulletin:pdf", period=self.march.pk)
        path = Path(tempfile.mkdtemp()) / "bulletin.pdf"
        path.write_bytes(b"".join(response.streaming_content))
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
        self.assertIn(f"完成投资{YI}亿元", text)
        self.assertIn(f"高于序时进度{GAP}个百分点", text)
        total = next(line for line in text.splitlines() if "合计（1项）" in line)
        self.assertEqual(total.split()[-2:], ["2,139,050.00", SHARE])

    def test_the_public_big_screen(self):
        response = self.client.get(reverse("screen:data", args=[self.screen.token]))
        headline = response.json()["headline"]
        self.assertEqual(
            (headline["text"]["completed_yi"], headline["text"]["share"], headline["text"]["gap"]),
            (YI, SHARE, f"+{GAP}"),
        )
        self.assertEqual((headline["completed_yi"], headline["share"]), (float(YI), float(SHARE)))
        self.assertIn(f'"completed_yi": {YI}', response.content.decode())
        (area,) = response.json()["areas"]
        self.assertEqual((area["text"]["completed_yi"], area["text"]["share"]), (YI, SHARE))

    def test_the_structure_sentences(self):
        page = self.get("maps:structure", self.leo, year=2026, month=3)
        self.assertContains(page, f"Completed investment {YI} 亿元, {YI} 亿元 more")
