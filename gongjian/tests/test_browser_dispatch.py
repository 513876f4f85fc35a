"""End to end in chromium: a unit files a report with a photo and submits it; the city returns
it with a reason; the unit refiles; the city accepts; the light changes, with its explanation.

Screenshots land in var/screenshots/dispatch-*.png.
"""

from __future__ import annotations

import datetime
import io
import os
import tempfile
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings
from PIL import Image

from gongjian.dispatch import services
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Campaign, Light
from gongjian.projects.models import AnnualListing
from gongjian.test.browser import BrowserTestCase

pytestmark = pytest.mark.browser
TODAY = datetime.datetime(2026, 4, 3, 10, 0)


@override_settings(LANGUAGE_CODE="zh-hans", MEDIA_ROOT=tempfile.mkdtemp())
@time_machine.travel(TODAY, tick=True)
class DispatchJourneyTests(BrowserTestCase):
    shot_prefix = "dispatch-"

    def setUp(self):
        super().setUp()
        self.campaign = Campaign.objects.create(name="重点项目月调度", year=2026)
        services.periods_ensure(self.campaign)
        self.march = self.campaign.periods.get(start=datetime.date(2026, 3, 1))
        AnnualListing.objects.create(
            project=self.project_a, year=2026, level="city", planned_investment=Decimal("40000")
        )
        recompute_lights(campaign=self.campaign)  # nothing filed yet: red
        self.photo = os.path.join(tempfile.mkdtemp(), "现场.jpg")
        buffer = io.BytesIO()
        Image.new("RGB", (320, 240), (90, 140, 200)).save(buffer, "JPEG")
        with open(self.photo, "wb") as f:
            f.write(buffer.getvalue())

    def test_file_return_refile_accept_and_see_the_light(self):
        page = self.page
        self.assertEqual(Light.objects.get(project=self.project_a, period=self.march).colour, "red")
        report_url = f"{self.live_server_url}/dispatch/report/{self.project_a.pk}/{self.march.pk}/"

        self.log_in("ursula")
        page.goto(f"{self.live_server_url}/dispatch/?period={self.march.pk}")
        self.shot("1-due")
        page.goto(report_url)
        page.fill("#id_amount", "4000")
        page.fill("#id_progress", "桩基施工完成")
        page.click("#save-draft")
        page.wait_for_selector("#photo-input")
        page.set_input_files("#photo-input", self.photo)
        page.click("#add-photos")
        page.wait_for_selector("#photos img")
        page.click("#submit-report")
        page.wait_for_selector("#report-status .status-submitted")
        self.shot("2-submitted")

        self.log_in("alice")
        page.goto(report_url)
        page.fill("#reason", "形象进度描述过于简略，请补充主体结构完成情况")
        page.click("#return")
        page.wait_for_selector("#report-status .status-returned")

        self.log_in("ursula")
        page.goto(report_url)
        page.wait_for_selector("#returned-banner")
        self.assertIn("形象进度描述过于简略", page.text_content("#returned-banner"))
        self.shot("3-returned")
        page.fill("#id_amount", "10000")
        page.fill("#id_progress", "桩基施工完成，主体结构完成40%")
        page.click("#submit-report")
        page.wait_for_selector("#report-status .status-submitted")

        self.log_in("alice")
        page.goto(report_url)
        page.click("#approve")
        page.wait_for_selector("#report-status .status-accepted")
        self.shot("4-accepted")

        page.goto(f"{self.live_server_url}/projects/{self.project_a.pk}/")
        light = page.locator("#lights li").first
        light.wait_for()
        self.assertIn("蓝", light.text_content())  # 10,000 of 40,000 by March: on schedule
        self.shot("5-light")
        page.goto(f"{self.live_server_url}/dispatch/desk/?period={self.march.pk}")
        self.shot("6-desk")
