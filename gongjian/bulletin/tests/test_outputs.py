"""The Excel read back, the PDF's text, and the command that writes them."""

from __future__ import annotations

import re
import subprocess
import tempfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import time_machine
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from gongjian.bulletin import pdf
from gongjian.bulletin.data import build_bulletin
from gongjian.bulletin.tests.test_data import sql_total
from gongjian.bulletin.xlsx import write_xlsx
from gongjian.dispatch.models import Light
from gongjian.test.bulletin import TODAY, BulletinTestCase


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@time_machine.travel(TODAY, tick=False)
class OutputsTestCase(BulletinTestCase):
    def setUp(self):
        self.file_the_quarter()
        Light.objects.filter(period=self.march).delete()
        Light.objects.create(
            project=self.project_b, period=self.march, colour="red", explanation="连续2期未填报"
        )
        self.bulletin = build_bulletin(self.march_period())
        self.tmp = Path(tempfile.mkdtemp())

    def test_the_excel_has_the_familiar_layout(self):
        path = self.tmp / "bulletin.xlsx"
        write_xlsx(self.bulletin, str(path))
        book = CalamineWorkbook.from_path(str(path))
        self.assertEqual(book.sheet_names, ["一览表", "红灯项目"])
        sheet = book.get_sheet_by_name("一览表")
        rows = sheet.to_python()
        self.assertEqual(rows[0][0], "青川市2026年1-3月重点项目完成情况一览表")
        self.assertEqual(rows[1][0], "单位：万元")
        self.assertEqual(
            rows[2],
            [
                "序号",
                "项目名称",
                "总投资",
                "年度计划",
                "1-3月完成",
                "占年计划%",
                "形象进度",
                "责任单位",
                "包保领导",
            ],
        )
        self.assertIn(((0, 0), (0, 8)), sheet.merged_cell_ranges)
        total = rows[3]
        self.assertEqual(total[1], "合计（3项）")
        independent = sql_total(self.campaign.pk, self.march.start, 2026)
        self.assertEqual(Decimal(str(total[4])).quantize(Decimal("0.01")), independent)
        self.assertEqual(total[3], 120000)
        self.assertEqual(total[5], 23.6)
        labels = [row[1] for row in rows[3:]]
        self.assertEqual(labels[:3], ["合计（3项）", "一、前期（1项）", "西山县（1项）"])
        (project_a,) = [row for row in rows if row[1] == self.project_a.name]
        self.assertEqual(
            project_a,
            [2, self.project_a.name, 120000, 40000, 10000, 25, "主体结构封顶", "东湖街道", "Leo"],
        )
        red = book.get_sheet_by_name("红灯项目").to_python()
        self.assertEqual(red[2][:4], [1, self.project_b.name, "西山镇", "市本级"])

    def test_the_pdf_has_the_title_and_the_projects(self):
        path = self.tmp / "bulletin.pdf"
        pdf.write_pdf(self.bulletin, path)
        self.assertTrue(path.read_bytes().startswith(b"%PDF"))
        text = pdf_text(path)
        self.assertIn("青川市2026年1-3月重点项目调度通报", text)
        self.assertIn("青川市2026年1-3月重点项目完成情况一览表", text)
        self.assertIn(
            "市本级：2个项目完成投资1.60亿元，占年度计划26.7%，高于序时进度1.7个百分点", text
        )
        self.assertIn(self.project_a.name, text)
        self.assertIn("28,355.67", text)

    def test_the_narrative_is_a4_and_the_annex_a3_landscape(self):
        path = self.tmp / "sizes.pdf"
        pdf.write_pdf(self.bulletin, path)
        info = subprocess.run(
            ["pdfinfo", "-f", "1", "-l", "99", str(path)], capture_output=True, text=True
        ).stdout
        sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
        self.assertEqual(sizes[0], ("595.276", "841.89"))  # A4 portrait
        self.assertEqual(sizes[-1], ("1190.55", "841.89"))  # A3 landscape
        self.assertIn("附件第1页，共1页", pdf_text(path))


@time_machine.travel(TODAY, tick=False)
class CommandTestCase(BulletinTestCase):
    def test_it_writes_the_three_files(self):
        self.file_the_quarter()
        tmp = Path(tempfile.mkdtemp())
        out = StringIO()
        call_command(
            "bulletin",
            "--period",
            "2026-03",
            "--xlsx",
            str(tmp / "b.xlsx"),
            "--pdf",
            str(tmp / "b.pdf"),
            "--text",
            str(tmp / "b.txt"),
            stdout=out,
        )
        self.assertIn(": 3 projects", out.getvalue())
        self.assertTrue((tmp / "b.pdf").read_bytes().startswith(b"%PDF"))
        self.assertIn("全市3个重点项目完成投资2.84亿元", (tmp / "b.txt").read_text())
        rows = CalamineWorkbook.from_path(str(tmp / "b.xlsx")).get_sheet_by_name("一览表")
        self.assertEqual(rows.to_python()[3][4], 28355.67)

    def test_an_unknown_period_fails_naming_it(self):
        with self.assertRaisesMessage(
            CommandError, "No period of an active campaign ends in 2031-05"
        ):
            call_command("bulletin", "--period", "2031-05", "--xlsx", "/tmp/never.xlsx")
        with self.assertRaisesMessage(CommandError, "YYYY-MM"):
            call_command("bulletin", "--period", "2026-13", "--xlsx", "/tmp/never.xlsx")
        self.assertFalse(Path("/tmp/never.xlsx").exists())
