"""Import: round trip with export, row checks by sheet row, all-or-nothing, permissions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.audit.models import AuditEntry
from gongjian.projects.models import AnnualListing, Milestone, MilestoneKind, Project, Rebaseline
from gongjian.test.transfer import ImportTestCase
from gongjian.transfer.columns import REQUIRED_HEADERS
from gongjian.transfer.tests.sheets import set_cell, write_rows


class RoundTripTests(ImportTestCase):
    def test_importing_an_export_changes_nothing(self):
        # Values with trailing zeros: the sheet gives 321.3 for the database's 321.30.
        Project.objects.filter(pk=self.project_a.pk).update(
            expected_tax=Decimal("321.30"), latitude=Decimal("36.515760"), land_area=Decimal("0")
        )
        AnnualListing.objects.create(
            project=self.project_a, year=2026, level="city", planned_investment=Decimal("5386.70")
        )
        audit_before = AuditEntry.objects.count()
        report = self.run_import(self.exported_rows(year=2026))
        self.assertTrue(report.ok, report.errors)
        self.assertEqual(
            (report.rows, report.created, report.updated, report.unchanged), (2, 0, 0, 2)
        )
        self.assertEqual(AuditEntry.objects.count(), audit_before)

    def test_an_edited_cell_updates_the_project_and_is_audited(self):
        rows = self.exported_rows()
        set_cell(rows, 1, "项目名称", "长安汽车零部件二期项目")
        set_cell(rows, 1, "高新技术", "是")
        version = self.project_a.version
        report = self.run_import(rows)
        self.assertEqual((report.created, report.updated, report.unchanged), (0, 1, 1))
        self.project_a.refresh_from_db()
        self.assertEqual(self.project_a.name, "长安汽车零部件二期项目")
        self.assertTrue(self.project_a.is_high_tech)
        self.assertEqual(self.project_a.version, version + 1)
        self.assertIn("ca", self.project_a.search_text)  # pinyin initials follow the new name
        entry = AuditEntry.objects.get(project_id=self.project_a.pk, action="update")
        self.assertEqual(entry.actor, self.alice)
        self.assertEqual(
            entry.changes["name"], ["重庆长安新能源汽车零部件项目", "长安汽车零部件二期项目"]
        )
        self.assertEqual(entry.changes["is_high_tech"], [False, True])
        self.assertIn("in.xlsx", entry.note)

    def test_a_new_row_creates_a_project_with_milestones_and_listing(self):
        rows = self.exported_rows()
        self.new_row(
            rows,
            **{
                "项目名称": "西山储能电站项目",
                "年度": 2026,
                "重点级别": "市重点",
                "年度计划投资（万元）": 8000,
                "计划开工": datetime.date(2026, 3, 1),
            },
        )
        report = self.run_import(rows)
        self.assertEqual((report.created, report.updated), (1, 0))
        project = Project.objects.get(name="西山储能电站项目")
        self.assertEqual(project.responsible_unit, self.town_b)
        self.assertEqual(project.original_total_investment, Decimal("52000"))
        self.assertEqual(project.planned_start, datetime.date(2026, 3, 1))
        self.assertEqual(
            Milestone.objects.filter(project=project).count(),
            MilestoneKind.objects.filter(is_active=True).count(),
        )
        listing = project.listings.get()
        self.assertEqual(
            (listing.year, listing.level, listing.planned_investment),
            (2026, "city", Decimal("8000")),
        )
        self.assertTrue(AuditEntry.objects.filter(project_id=project.pk, action="create").exists())

    def test_a_project_without_code_is_matched_by_its_system_number(self):
        Project.objects.filter(pk=self.project_b.pk).update(code="")
        rows = self.exported_rows()
        set_cell(rows, 2, "项目名称", "西山隔膜改名")
        report = self.run_import(rows)
        self.assertEqual((report.created, report.updated), (0, 1))
        self.assertEqual(Project.objects.get(pk=self.project_b.pk).name, "西山隔膜改名")

    def test_dry_run_writes_nothing(self):
        rows = self.exported_rows()
        self.new_row(rows, **{"项目名称": "试运行项目"})
        report = self.run_import(rows, dry_run=True)
        self.assertEqual(report.created, 1)
        self.assertFalse(report.written)
        self.assertFalse(Project.objects.filter(name="试运行项目").exists())

    def test_the_preview_lists_what_changes(self):
        rows = self.exported_rows()
        set_cell(rows, 1, "项目阶段", "竣工投产")
        report = self.run_import(rows, dry_run=True)
        self.assertEqual(report.preview[0]["changes"], [("项目阶段", "在建", "竣工投产")])

    def test_headers_may_use_half_width_brackets_and_sit_under_a_title(self):
        rows = self.exported_rows()
        rows[0] = [h.replace("（", "(").replace("）", ")") for h in rows[0]]
        set_cell(rows, 1, "项目名称", "标题行下的项目")
        rows.insert(0, ["2026年青川市重点项目表"])
        report = self.run_import(rows)
        self.assertTrue(report.ok, report.errors)
        self.assertEqual(report.updated, 1)


class RowCheckTests(ImportTestCase):
    def test_one_bad_row_means_nothing_is_written(self):
        rows = self.exported_rows()
        set_cell(rows, 1, "项目名称", "本应更新")
        self.new_row(rows, **{"项目名称": "新项目", "统一社会信用代码": "91110000600037341X"})
        report = self.run_import(rows)
        self.assertFalse(report.ok)
        self.assertEqual(self.errors(report), [(4, "统一社会信用代码")])
        self.assertFalse(report.written)
        self.assertFalse(Project.objects.filter(name__in=["本应更新", "新项目"]).exists())

    def test_errors_name_the_sheet_row_and_column(self):
        rows = self.exported_rows()
        self.new_row(rows, **{"项目代码": "2411-379901-89-01-63701"})
        self.new_row(rows, **{"总投资（万元）": "5亿"})
        self.new_row(rows, **{"总投资（万元）": "12,000"})
        self.new_row(rows, **{"计划开工": "2026/3/1"})
        self.new_row(rows, **{"主导产业": "造船"})
        self.new_row(rows, **{"项目名称": ""})
        self.new_row(rows, **{"用地面积（亩）": -5})
        self.new_row(rows, **{"书记项目": "也许"})
        report = self.run_import(rows)
        self.assertEqual(
            self.errors(report),
            [
                (4, "项目代码"),
                (5, "总投资（万元）"),
                (6, "总投资（万元）"),
                (7, "计划开工"),
                (8, "主导产业"),
                (9, "项目名称"),
                (10, "用地面积（亩）"),
                (11, "书记项目"),
            ],
        )
        messages = [e.message for e in report.errors]
        self.assertIn("5亿", messages[1])
        self.assertIn("50000", messages[1])  # says what to type instead
        self.assertIn("separators", messages[2])
        self.assertIn("YYYY-MM-DD", messages[3])

    def test_text_dates_in_iso_form_are_accepted(self):
        rows = self.exported_rows()
        self.new_row(rows, **{"项目名称": "文本日期项目", "计划开工": "2026-04-01"})
        self.assertTrue(self.run_import(rows).ok)
        self.assertEqual(
            Project.objects.get(name="文本日期项目").planned_start, datetime.date(2026, 4, 1)
        )

    def test_a_code_twice_in_the_file_is_an_error(self):
        rows = self.exported_rows()
        self.new_row(rows, **{"项目代码": self.project_a.code})
        report = self.run_import(rows)
        self.assertEqual(self.errors(report), [(4, "项目代码")])
        self.assertIn("row 2", report.errors[0].message)

    def test_a_file_without_optional_columns_keeps_current_values(self):
        self.project_a.address = "东湖路1号"
        self.project_a.save()
        rows = self.exported_rows()
        keep = ["项目代码", *REQUIRED_HEADERS]  # the smallest sheet that can update a project
        columns = [rows[0].index(h) for h in keep]
        narrow = [[row[c] for c in columns] for row in rows]
        set_cell(narrow, 1, "项目阶段", "竣工投产")
        report = self.run_import(narrow)
        self.assertTrue(report.ok, report.errors)
        self.project_a.refresh_from_db()
        self.assertEqual(
            (self.project_a.stage.name, self.project_a.address), ("竣工投产", "东湖路1号")
        )

    def test_the_command_exits_1_and_names_rows(self):
        rows = self.exported_rows()
        self.new_row(rows, **{"总投资（万元）": "abc"})
        path = write_rows(self.tmp / "bad.xlsx", rows)
        with self.assertRaisesMessage(CommandError, "nothing was written"):
            call_command("import_projects", str(path), "--user", "alice")
        self.assertEqual(Project.objects.count(), 2)

    def test_the_command_imports_and_dry_runs(self):
        rows = self.exported_rows()
        self.new_row(rows, **{"项目名称": "命令行项目"})
        path = write_rows(self.tmp / "good.xlsx", rows)
        call_command("import_projects", str(path), "--user", "alice", "--dry-run")
        self.assertFalse(Project.objects.filter(name="命令行项目").exists())
        call_command("import_projects", str(path), "--user", "alice")
        self.assertTrue(Project.objects.filter(name="命令行项目").exists())

    def test_import_queries_do_not_grow_with_rows(self):
        def queries_for(count: int) -> int:
            rows = self.exported_rows()
            for i in range(count):
                self.new_row(rows, **{"项目名称": f"批量{i}"})
            with CaptureQueriesContext(connection) as ctx:
                self.assertTrue(self.run_import(rows, dry_run=True).ok)
            return len(ctx.captured_queries)

        queries_for(1)  # warm the user's cached scope
        self.assertEqual(queries_for(3), queries_for(40))


class PermissionTests(ImportTestCase):
    def test_a_unit_cannot_change_another_units_project(self):
        rows = self.exported_rows()
        set_cell(rows, 2, "项目名称", "乌苏拉改名")  # project_b belongs to 西山镇
        report = self.run_import(rows, user=self.ursula)
        self.assertEqual(self.errors(report), [(3, "项目代码")])
        self.assertNotIn("西山镇", report.errors[0].message)  # ursula cannot see project_b

    def test_a_unit_cannot_create_projects_for_another_unit(self):
        rows = self.exported_rows(Project.objects.filter(pk=self.project_a.pk))
        rows.append(list(rows[1]))
        set_cell(rows, 2, "系统编号", None)
        set_cell(rows, 2, "项目代码", None)
        set_cell(rows, 2, "责任单位", "西山镇")
        report = self.run_import(rows, user=self.ursula)
        self.assertEqual(self.errors(report), [(3, "责任单位")])

    def test_only_the_office_changes_the_baseline_and_it_is_logged(self):
        rows = self.exported_rows(Project.objects.filter(pk=self.project_a.pk))
        set_cell(rows, 1, "总投资（万元）", 150000)
        report = self.run_import(rows, user=self.ursula)
        self.assertEqual(self.errors(report), [(2, "总投资（万元）")])

        report = self.run_import(rows, user=self.alice)
        self.assertTrue(report.ok, report.errors)
        self.project_a.refresh_from_db()
        self.assertEqual(self.project_a.total_investment, Decimal("150000"))
        self.assertEqual(self.project_a.original_total_investment, Decimal("120000"))
        record = Rebaseline.objects.get(project=self.project_a)
        self.assertEqual(
            (record.old_total_investment, record.new_total_investment),
            (Decimal("120000"), Decimal("150000")),
        )
        self.assertEqual(record.recorded_by, self.alice)


class ExportCommandTests(ImportTestCase):
    def test_it_writes_every_project_or_only_what_a_user_sees(self):
        from gongjian.transfer.tests.sheets import read_rows

        out = self.tmp / "out.xlsx"
        call_command("export_projects", str(out))
        self.assertEqual(len(read_rows(out)), 3)  # header + 2 projects
        call_command("export_projects", str(out), "--user", "ursula")
        rows = read_rows(out)
        self.assertEqual([row[1] for row in rows[1:]], [self.project_a.name])

    def test_codes_stay_text_and_amounts_numbers(self):
        rows = self.exported_rows()
        self.assertEqual(rows[1][rows[0].index("项目代码")], self.project_a.code)
        self.assertEqual(rows[1][rows[0].index("行政区划代码")], "379901")
        self.assertEqual(rows[1][rows[0].index("总投资（万元）")], 120000.0)


class ParallelCheckTests(ImportTestCase):
    def test_worker_processes_give_the_same_result_as_one(self):
        from unittest import mock

        rows = self.exported_rows()
        set_cell(rows, 1, "项目名称", "并行改名")
        for i in range(6):
            self.new_row(
                rows, **{"项目名称": f"并行{i}", "总投资（万元）": "坏" if i == 3 else 100}
            )
        serial = self.run_import(rows, dry_run=True)
        with mock.patch("gongjian.transfer.rowcheck.PARALLEL_MIN_ROWS", 1):
            parallel = self.run_import(rows, dry_run=True, parallel=True)
        self.assertEqual(
            (parallel.created, parallel.updated, parallel.unchanged, parallel.errors),
            (serial.created, serial.updated, serial.unchanged, serial.errors),
        )
        self.assertEqual(self.errors(parallel), [(7, "总投资（万元）")])
        set_cell(rows, 6, "总投资（万元）", 100)  # sheet row 7
        with mock.patch("gongjian.transfer.rowcheck.PARALLEL_MIN_ROWS", 1):
            report = self.run_import(rows, parallel=True)
        self.assertEqual((report.created, report.updated), (6, 1))
        self.assertEqual(Project.objects.get(pk=self.project_a.pk).name, "并行改名")
