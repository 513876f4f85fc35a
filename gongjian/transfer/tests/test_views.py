"""The Excel pages for each persona: download, template, upload → preview → confirm."""

from __future__ import annotations

import io
import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gongjian.projects.models import Project
from gongjian.test.transfer import ImportTestCase
from gongjian.transfer.tests.sheets import set_cell, write_rows

MEDIA = tempfile.mkdtemp()


def sheet_rows(response) -> list[list]:
    content = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@override_settings(MEDIA_ROOT=MEDIA)
class ExportViewTests(ImportTestCase):
    url = reverse("transfer:export")

    def exported_names(self, user, **params) -> list[str]:
        self.login(user)
        response = self.client.get(self.url, params)
        self.assertEqual(response.status_code, 200)
        self.assertIn(".xlsx", response["Content-Disposition"])
        rows = sheet_rows(response)
        return [row[rows[0].index("项目名称")] for row in rows[1:]]

    def test_each_persona_downloads_what_it_may_see(self):
        both = sorted([self.project_a.name, self.project_b.name])
        self.assertEqual(sorted(self.exported_names(self.alice)), both)
        self.assertEqual(sorted(self.exported_names(self.leo)), both)
        self.assertEqual(sorted(self.exported_names(self.dora)), both)
        self.assertEqual(self.exported_names(self.ursula), [self.project_a.name])
        self.assertEqual(self.exported_names(self.boris), [self.project_b.name])
        self.assertEqual(self.exported_names(self.erin), [self.project_a.name])
        for user in (self.judy, self.oscar):
            self.login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_the_download_follows_the_list_filters(self):
        self.assertEqual(self.exported_names(self.alice, q="cqca"), [self.project_a.name])

    def test_anonymous_users_are_sent_to_log_in(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)


@override_settings(MEDIA_ROOT=MEDIA)
class ImportViewTests(ImportTestCase):
    url = reverse("transfer:import")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(MEDIA, ignore_errors=True)
        super().tearDownClass()

    def upload(self, rows, name="更新.xlsx"):
        path = write_rows(self.tmp / "upload.xlsx", rows)
        return self.client.post(self.url, {"file": SimpleUploadedFile(name, path.read_bytes())})

    def test_only_roles_that_change_projects_may_import(self):
        for user, status in (
            (self.alice, 200),
            (self.ursula, 200),
            (self.leo, 403),
            (self.dora, 403),
            (self.erin, 403),
            (self.judy, 403),
            (self.oscar, 403),
        ):
            self.login(user)
            self.assertEqual(self.client.get(self.url).status_code, status, user)
            self.assertEqual(
                self.client.get(reverse("transfer:template")).status_code, status, user
            )

    def test_upload_previews_then_confirm_writes(self):
        self.login(self.ursula)
        rows = self.exported_rows(Project.objects.filter(pk=self.project_a.pk))
        set_cell(rows, 1, "项目名称", "东湖新名字")
        response = self.upload(rows)
        self.assertContains(response, "东湖新名字")
        self.assertContains(response, "confirm-import")
        self.assertEqual(Project.objects.get(pk=self.project_a.pk).name, self.project_a.name)

        token = self.client.session["pending_import"]["token"]
        response = self.client.post(reverse("transfer:import-confirm"), {"token": token})
        self.assertRedirects(response, reverse("projects:list"))
        self.assertEqual(Project.objects.get(pk=self.project_a.pk).name, "东湖新名字")
        detail = self.client.get(reverse("projects:detail", args=[self.project_a.pk]))
        self.assertContains(detail, "更新.xlsx")  # the audit entry names the file

    def test_errors_are_listed_by_row_and_nothing_is_kept(self):
        self.login(self.alice)
        rows = self.exported_rows()
        set_cell(rows, 2, "总投资（万元）", "3亿")
        response = self.upload(rows)
        self.assertContains(response, "import-errors")
        self.assertContains(response, "<td>3</td><td>总投资（万元）</td>", html=False)
        self.assertNotIn("pending_import", self.client.session)

    def test_a_bad_file_gets_a_message(self):
        self.login(self.alice)
        response = self.client.post(self.url, {"file": SimpleUploadedFile("x.xlsx", b"not excel")})
        self.assertContains(response, "not an Excel .xlsx file")

    def test_confirm_without_a_pending_upload(self):
        self.login(self.alice)
        response = self.client.post(
            reverse("transfer:import-confirm"), {"token": "abc"}, follow=True
        )
        self.assertContains(response, "expired")
