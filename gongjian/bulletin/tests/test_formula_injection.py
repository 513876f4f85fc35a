"""Every .xlsx we write keeps text from users as text: a project, unit, department or scheme
named like a formula is written as a string cell, never as a live formula (no `<f>` element in
any sheet), and reads back exactly as typed. One test per writer: the bulletin, the awards,
the weekly 问题清单, the dispatch filing sheet and the registry export."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import time_machine
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gongjian.accounts.models import Unit
from gongjian.assessment.models import Scheme, ScoreRun, UnitGroup, UnitScore
from gongjian.bulletin.data import build_bulletin
from gongjian.bulletin.xlsx import write_xlsx
from gongjian.dispatch.models import Light, Report
from gongjian.dispatch.selectors import DueRow
from gongjian.dispatch.sheets import write_period_sheet
from gongjian.lib.xlsx import inline_text
from gongjian.problems import services as problem_services
from gongjian.problems.models import ProblemCategory, Source
from gongjian.problems.stats import weekly_list
from gongjian.problems.views_reports import write_weekly_sheet
from gongjian.projects.models import Project
from gongjian.test import BaseTestCase
from gongjian.test.bulletin import TODAY, BulletinTestCase
from gongjian.transfer.exporter import export_projects

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(A1)",
    "-2+3",
]
FORMULA = re.compile(rb"<f[\s>/]")


class XlsxAssertions:
    def assert_text_only(self, content: bytes, expected: list[str]) -> None:
        """No formula in any sheet of the workbook, and every `expected` text in some cell,
        exactly as typed."""
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
            self.assertTrue(sheets)
            for name in sheets:
                self.assertIsNone(FORMULA.search(book.read(name)), name)
        cells = set()
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        for sheet_name in workbook.sheet_names:
            for row in workbook.get_sheet_by_name(sheet_name).to_python():
                cells.update(cell for cell in row if isinstance(cell, str))
        for text in expected:
            self.assertTrue(any(text in cell for cell in cells), f"{text!r} not in {cells}")


@time_machine.travel(TODAY, tick=False)
class BulletinFormulaTests(XlsxAssertions, BulletinTestCase):
    def test_the_red_sheet_and_the_table_write_names_as_text(self):
        self.file_the_quarter()
        Light.objects.filter(period=self.march).delete()
        for project, name in zip(
            (self.project_a, self.project_b, self.project_c), HOSTILE, strict=False
        ):
            Project.objects.filter(pk=project.pk).update(name=name)
            Light.objects.create(
                project=project, period=self.march, colour="red", explanation=HOSTILE[4]
            )
        Unit.objects.filter(pk=self.town_b.pk).update(name=HOSTILE[3])
        Report.objects.filter(project=self.project_a, period=self.march).update(progress=HOSTILE[4])
        bulletin = build_bulletin(self.march_period())
        self.assertEqual(len(bulletin.red), 3)
        target = io.BytesIO()
        write_xlsx(bulletin, target)
        self.assert_text_only(target.getvalue(), HOSTILE)
        # The 红灯项目 sheet itself, cell by cell.
        rows = CalamineWorkbook.from_filelike(io.BytesIO(target.getvalue()))
        red = rows.get_sheet_by_name("红灯项目").to_python()
        self.assertEqual(sorted(row[1] for row in red[2:]), sorted(HOSTILE[:3]))


class AwardsFormulaTests(XlsxAssertions, BaseTestCase):
    def test_the_awards_sheet_writes_names_as_text(self):
        scheme = Scheme.objects.create(
            name=HOSTILE[0], cadence=Scheme.Cadence.YEARLY, owner=self.city
        )
        group = UnitGroup.objects.create(name=HOSTILE[1])
        run = ScoreRun.objects.create(scheme=scheme, period="2026")
        units = [
            Unit.objects.create(name=name, kind=Unit.Kind.TOWN, parent=self.city)
            for name in HOSTILE[2:]
        ]
        for rank, unit in enumerate(units, start=1):
            UnitScore.objects.create(
                run=run, group=group, unit=unit, total=Decimal(90 - rank), rank=rank
            )
        ScoreRun.objects.filter(pk=run.pk).update(published_at=timezone.now())
        self.login(self.alice)
        response = self.client.get(reverse("assessment:awards-xlsx", args=[2026]))
        self.assertEqual(response.status_code, 200)
        self.assert_text_only(response.content, HOSTILE)


class WeeklyListFormulaTests(XlsxAssertions, BaseTestCase):
    def test_the_weekly_list_writes_titles_and_departments_as_text(self):
        Unit.objects.filter(pk=self.dept.pk).update(name=HOSTILE[0])
        Project.objects.filter(pk=self.project_a.pk).update(name=HOSTILE[1])
        category = ProblemCategory.objects.get(code="land")
        for title in HOSTILE[2:]:
            problem = problem_services.problem_raise(
                actor=self.alice,
                title=title,
                category=category,
                source=Source.MEETING,
                project=self.project_a,
            )
            self.dept.refresh_from_db()
            problem_services.problem_assign(
                actor=self.alice, problem=problem, lead_department=self.dept
            )
        today = timezone.localdate()
        groups = weekly_list(problem.__class__.objects.all(), today=today)
        target = io.BytesIO()
        write_weekly_sheet(groups, today, target)
        self.assert_text_only(target.getvalue(), HOSTILE)


class FilingSheetFormulaTests(XlsxAssertions, BaseTestCase):
    def test_the_filing_sheet_writes_names_and_progress_as_text(self):
        Unit.objects.filter(pk=self.town_a.pk).update(name=HOSTILE[0])
        project = Project.objects.select_related("responsible_unit").get(pk=self.project_a.pk)
        project.name = HOSTILE[1]
        report = Report(
            project=project, amount=Decimal(10), progress=HOSTILE[2], problems=HOSTILE[3]
        )
        target = io.BytesIO()
        write_period_sheet([DueRow(project=project, report=report, can_file=True)], target)
        self.assert_text_only(target.getvalue(), HOSTILE[:4])


class ExportFormulaTests(XlsxAssertions, BaseTestCase):
    def test_the_registry_export_writes_names_as_text(self):
        for project, name in ((self.project_a, HOSTILE[0]), (self.project_b, HOSTILE[1])):
            Project.objects.filter(pk=project.pk).update(name=name, owner_name=HOSTILE[2])
        Unit.objects.filter(pk=self.town_a.pk).update(name=HOSTILE[3])
        Unit.objects.filter(pk=self.town_b.pk).update(name=HOSTILE[4])
        target = io.BytesIO()
        export_projects(Project.objects.all(), target, year=2026)
        self.assert_text_only(target.getvalue(), HOSTILE)

    def test_escapes_and_whitespace_round_trip(self):
        names = ["  前导和结尾空格  ", "_x0041_ 不是字母A", "甲 & 乙 <丙>", "两行\n文字"]
        for project, name in zip((self.project_a, self.project_b), names[:2], strict=True):
            Project.objects.filter(pk=project.pk).update(name=name, owner_name=names[2])
        Project.objects.filter(pk=self.project_a.pk).update(address=names[3])
        target = io.BytesIO()
        export_projects(Project.objects.all(), target, year=2026)
        book = CalamineWorkbook.from_filelike(io.BytesIO(target.getvalue()))
        cells = {c for row in book.get_sheet_by_index(0).to_python() for c in row}
        for name in names:
            self.assertIn(name, cells)

    def test_inline_text(self):
        cases = [
            ("=1+1", "<t>=1+1</t>"),
            ("a<b>&c", "<t>a&lt;b&gt;&amp;c</t>"),
            ("_x0041_", "<t>_x005F_x0041_</t>"),
            (" x", '<t xml:space="preserve"> x</t>'),
            ("a\x01b\ufffe", "<t>ab</t>"),
        ]
        for text, xml in cases:
            with self.subTest(text=text):
                self.assertEqual(inline_text(text), xml)
