"""Batch filing: a unit fills all its projects for a period in one grid, then submits."""

from __future__ import annotations

from decimal import Decimal

import time_machine
from django.urls import reverse

from gongjian.dispatch.models import Report
from gongjian.projects.models import AnnualListing
from gongjian.test.dispatch import TODAY, DispatchTestCase


class BatchBase(DispatchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.project_c = cls.make_project(name="东湖第二项目", responsible_unit=cls.town_a)
        AnnualListing.objects.create(
            project=cls.project_c, year=2026, level="county", planned_investment=1000
        )

    def url(self):
        return reverse("dispatch:batch") + f"?period={self.march.pk}"


@time_machine.travel(TODAY, tick=False)
class BatchFilingTestCase(BatchBase):
    def test_the_grid_lists_only_the_units_own_projects(self):
        self.login(self.ursula)
        grid = self.client.get(self.url()).context["grid"]
        self.assertEqual({row.project for row, _form in grid}, {self.project_a, self.project_c})
        self.login(self.boris)
        self.assertEqual(self.client.get(self.url()).context["grid"], [])

    def test_a_row_saves_as_a_draft_through_htmx(self):
        self.login(self.ursula)
        url = reverse("dispatch:batch-row", args=[self.project_a.pk, self.march.pk])
        prefix = f"p{self.project_a.pk}"
        response = self.client.post(
            url,
            {f"{prefix}-amount": "120", f"{prefix}-progress": "基础施工"},
            headers={"HX-Request": "true"},
        )
        self.assertContains(response, "row-saved")
        self.assertNotContains(response, "<html")
        report = Report.objects.get(project=self.project_a, period=self.march)
        self.assertEqual((report.status, report.amount), (Report.Status.DRAFT, Decimal("120")))
        bad = self.client.post(url, {f"{prefix}-amount": "-3"}, headers={"HX-Request": "true"})
        self.assertContains(bad, "invalid-feedback")
        self.login(self.boris)
        self.assertEqual(self.client.post(url, {f"{prefix}-amount": "1"}).status_code, 404)

    def test_the_whole_grid_saves_all_or_nothing_then_submits(self):
        self.login(self.ursula)
        a, c = f"p{self.project_a.pk}", f"p{self.project_c.pk}"
        response = self.client.post(
            self.url(), {f"{a}-amount": "100", f"{c}-amount": "-1", "period": self.march.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Report.objects.exists())
        self.client.post(
            self.url(), {f"{a}-amount": "100", f"{c}-amount": "50", "period": self.march.pk}
        )
        self.assertEqual(Report.objects.filter(status=Report.Status.DRAFT).count(), 2)
        self.client.post(self.url(), {"submit_all": "1", "period": self.march.pk})
        self.assertEqual(Report.objects.filter(status=Report.Status.SUBMITTED).count(), 2)


@time_machine.travel(TODAY, tick=False)
class BatchSheetTestCase(BatchBase):
    def download(self) -> list[list]:
        import io

        from python_calamine import CalamineWorkbook

        response = self.client.get(reverse("dispatch:batch-sheet") + f"?period={self.march.pk}")
        content = b"".join(response.streaming_content)
        return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()

    def upload(self, rows):
        import tempfile
        from pathlib import Path

        from django.core.files.uploadedfile import SimpleUploadedFile

        from gongjian.transfer.tests.sheets import write_rows

        path = write_rows(Path(tempfile.mkdtemp()) / "march.xlsx", rows)
        return self.client.post(
            reverse("dispatch:batch-sheet"),
            {"period": self.march.pk, "sheet": SimpleUploadedFile("march.xlsx", path.read_bytes())},
        )

    def test_download_fill_upload_saves_drafts(self):
        self.login(self.ursula)
        rows = self.download()
        self.assertEqual(rows[0][:3], ["系统编号", "项目代码", "项目名称"])
        self.assertEqual(len(rows), 3)  # header + her two projects
        for row in rows[1:]:
            row[4], row[5] = 250, "主体施工"
        response = self.upload(rows)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            Report.objects.filter(status=Report.Status.DRAFT, amount=Decimal("250")).count(), 2
        )

    def test_a_bad_row_saves_nothing_and_names_the_row(self):
        self.login(self.ursula)
        rows = self.download()
        rows[1][4], rows[2][4] = 250, "3亿"
        response = self.upload(rows)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "3亿", status_code=400)
        self.assertEqual(response.context["upload"].errors[0][:2], (3, "本期完成投资（万元）"))
        self.assertFalse(Report.objects.exists())

    def test_a_row_for_someone_elses_project_is_refused(self):
        self.login(self.ursula)
        rows = self.download()
        rows[1][0], rows[1][4] = self.project_b.pk, 10
        response = self.upload(rows)
        self.assertEqual(response.context["upload"].errors[0][:2], (2, "系统编号"))
        self.assertFalse(Report.objects.exists())
