"""Build small .xlsx files for import tests."""

from __future__ import annotations

import datetime
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from gongjian.transfer.exporter import export_projects


def write_rows(
    path: Path, rows: list[list], *, merge: str | None = None, formula: str | None = None
) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(
                    r, c, datetime.datetime.combine(value, datetime.time()), date_format
                )
            elif value is not None:
                sheet.write(r, c, value)
    if merge:
        sheet.merge_range(merge, "merged")
    if formula:
        sheet.write_formula(formula, "=1+1", None, 2)
    workbook.close()
    return path


def read_rows(path: Path) -> list[list]:
    workbook = CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_index(0).to_python()


def export_to_rows(queryset, path: Path, **kwargs) -> list[list]:
    export_projects(queryset, path, **kwargs)
    return read_rows(path)


def set_cell(rows: list[list], row: int, header: str, value) -> None:
    """Set the cell of `header` in data row `row` (1 = first row under the header)."""
    rows[row][rows[0].index(header)] = value
