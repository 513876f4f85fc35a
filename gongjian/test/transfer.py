"""ImportTestCase: the personas' city with a scratch folder, and helpers to export, edit and
import project sheets (the sheets themselves: gongjian/transfer/tests/sheets.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from gongjian.projects.models import Project
from gongjian.test import BaseTestCase
from gongjian.transfer.importer import import_projects
from gongjian.transfer.tests.sheets import export_to_rows, set_cell, write_rows


class ImportTestCase(BaseTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())

    def exported_rows(self, queryset=None, **kwargs) -> list[list]:
        queryset = queryset if queryset is not None else Project.objects.order_by("id")
        return export_to_rows(queryset, self.tmp / "export.xlsx", **kwargs)

    def run_import(self, rows: list[list], user=None, **kwargs):
        path = write_rows(self.tmp / "in.xlsx", rows)
        return import_projects(path, user=user or self.alice, **kwargs)

    def new_row(self, rows: list[list], **cells) -> list:
        """A copy of project_b's row as a new project (no 系统编号, no code)."""
        row = list(rows[2])
        rows.append(row)
        set_cell(rows, len(rows) - 1, "系统编号", None)
        set_cell(rows, len(rows) - 1, "项目代码", None)
        for header, value in cells.items():
            set_cell(rows, len(rows) - 1, header, value)
        return row

    def errors(self, report) -> list[tuple[int, str]]:
        return [(e.row, e.column) for e in report.errors]
