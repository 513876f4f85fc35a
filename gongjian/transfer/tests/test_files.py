"""Files the importer must refuse with one clear message, never a crash or a half-write."""

from __future__ import annotations

import zipfile

from django.test import override_settings

from gongjian.projects.models import Project
from gongjian.test.transfer import ImportTestCase
from gongjian.transfer.importer import import_projects
from gongjian.transfer.tests.sheets import write_rows


class BadFileTests(ImportTestCase):
    def refusal(self, path) -> str:
        report = import_projects(path, user=self.alice)
        self.assertFalse(report.ok)
        self.assertFalse(report.written)
        self.assertEqual(Project.objects.count(), 2)
        return report.file_error

    def test_an_empty_file(self):
        path = self.tmp / "empty.xlsx"
        path.write_bytes(b"")
        self.assertIn("empty", self.refusal(path))

    def test_a_file_that_is_not_xlsx(self):
        path = self.tmp / "list.xls"
        path.write_bytes("项目名称,总投资\n某项目,100\n".encode("gbk"))
        self.assertIn("not an Excel .xlsx file", self.refusal(path))

    def test_a_zip_that_is_not_a_workbook(self):
        path = self.tmp / "fake.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hello")
        self.assertIn("not an Excel workbook", self.refusal(path))

    def test_a_truncated_workbook(self):
        good = write_rows(self.tmp / "good.xlsx", self.exported_rows())
        path = self.tmp / "cut.xlsx"
        path.write_bytes(good.read_bytes()[:600])
        self.assertTrue(self.refusal(path))

    def test_an_empty_sheet(self):
        self.assertIn("empty", self.refusal(write_rows(self.tmp / "blank.xlsx", [])))

    def test_headers_but_no_rows(self):
        rows = self.exported_rows()[:1]
        self.assertIn("no project rows", self.refusal(write_rows(self.tmp / "h.xlsx", rows)))

    def test_no_header_row(self):
        path = write_rows(self.tmp / "n.xlsx", [["名称", "投资"], ["某项目", 100]])
        self.assertIn("项目名称", self.refusal(path))

    def test_wrong_and_missing_headers(self):
        rows = self.exported_rows()
        rows[0][rows[0].index("总投资（万元）")] = "投资额"
        message = self.refusal(write_rows(self.tmp / "w.xlsx", rows))
        self.assertIn("unknown columns: 投资额", message)
        self.assertIn("missing columns: 总投资（万元）", message)

    def test_merged_cells(self):
        path = write_rows(self.tmp / "m.xlsx", self.exported_rows(), merge="B5:D5")
        self.assertIn("merged cells (first at B5:D5)", self.refusal(path))

    def test_formulas(self):
        path = write_rows(self.tmp / "f.xlsx", self.exported_rows(), formula="U3")
        self.assertIn("Cell U3 holds a formula", self.refusal(path))

    @override_settings(IMPORT_MAX_ROWS=3)
    def test_too_many_rows(self):
        rows = self.exported_rows()
        for i in range(2):
            self.new_row(rows, **{"项目名称": f"多余{i}"})
        self.assertIn("at most 3", self.refusal(write_rows(self.tmp / "big.xlsx", rows)))

    @override_settings(IMPORT_MAX_BYTES=1000)
    def test_too_large(self):
        path = write_rows(self.tmp / "large.xlsx", self.exported_rows())
        self.assertIn("limit", self.refusal(path))
