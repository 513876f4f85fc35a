"""The dispatch bulletin in chromium: the office reads a period's bulletin and downloads its PDF,
whose pages are turned into images with poppler's pdftoppm. Screenshots land in
var/screenshots/bulletin-*.png."""

from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings

from gongjian.dispatch import services
from gongjian.dispatch.models import Campaign
from gongjian.projects.models import AnnualListing
from gongjian.test.browser import SHOTS, BrowserTestCase

pytestmark = pytest.mark.browser


@override_settings(LANGUAGE_CODE="zh-hans")
class BulletinTests(BrowserTestCase):
    shot_prefix = "bulletin-"

    def setUp(self):
        super().setUp()
        campaign = Campaign.objects.create(name="重点项目月调度", year=2026)
        services.periods_ensure(campaign)
        self.march = campaign.periods.get(start=datetime.date(2026, 3, 1))
        for project, user, plan, amount in (
            (self.project_a, self.ursula, "40000", "10000"),
            (self.project_b, self.boris, "20000", "6000"),
        ):
            AnnualListing.objects.create(
                project=project, year=2026, level="city", planned_investment=Decimal(plan)
            )
            report = services.report_save_draft(
                actor=user,
                project=project,
                period=self.march,
                data={"amount": Decimal(amount), "progress": "主体结构施工"},
            )
            services.report_submit(actor=user, report=report)
            services.report_approve(actor=self.alice, report=report)

    def test_the_office_reads_the_bulletin_and_downloads_its_pdf(self):
        page = self.page
        self.log_in("alice")
        page.goto(f"{self.live_server_url}/bulletin/?period={self.march.pk}")
        page.wait_for_selector("text=1-3月")
        self.shot("1-page")
        with page.expect_download() as download:
            page.click("a.btn:has-text('PDF')")
        path = SHOTS / "bulletin.pdf"
        download.value.save_as(path)
        self.assertTrue(path.read_bytes().startswith(b"%PDF"))
        prefix = SHOTS / f"{self.shot_prefix}2-pdf"
        for old in SHOTS.glob(f"{prefix.name}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(prefix)], check=True)
        pages = sorted(SHOTS.glob(f"{prefix.name}-*.png"))
        self.assertGreaterEqual(len(pages), 2)  # the narrative, then the annex
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        self.assertIn(self.project_a.name, text)
        self.assertIn("16,000.00", text)  # 1-3月完成, both projects
        Path(path).unlink()
