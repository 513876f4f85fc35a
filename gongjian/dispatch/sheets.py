"""A period's figures as Excel: the unit downloads its grid, fills it offline, uploads it.

The upload goes through the same file checks as the registry import (transfer.reader) and the
same form as the page (ReportForm), and saves drafts only if every row is right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.dispatch import services
from gongjian.dispatch.forms import ReportForm
from gongjian.dispatch.models import Period
from gongjian.dispatch.selectors import DueRow
from gongjian.lib.xlsx import new_workbook
from gongjian.transfer.cells import CellError, parse_cell
from gongjian.transfer.columns import Column, Kind
from gongjian.transfer.reader import FileRejected, Layout, read_sheet

COLUMNS = [
    Column("系统编号", "id", Kind.INTEGER, 9),
    Column("项目代码", "code", Kind.TEXT, 26),
    Column("项目名称", "name", Kind.TEXT, 36),
    Column("责任单位", "unit", Kind.TEXT, 16),
    Column("本期完成投资（万元）", "amount", Kind.DECIMAL, 18),
    Column("形象进度", "progress", Kind.TEXT, 40),
    Column("存在问题", "problems", Kind.TEXT, 30),
]
LAYOUT = Layout({c.header: c for c in COLUMNS}, ["系统编号", "项目名称", "本期完成投资（万元）"])
FILLED = ("amount", "progress", "problems")


def write_period_sheet(rows: list[DueRow], target: str | Path | IO[bytes]) -> None:
    workbook = new_workbook(target, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Filing"))
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    for index, column in enumerate(COLUMNS):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.header, header)
    for number, row in enumerate(rows, start=1):
        report = row.report
        sheet.write_number(number, 0, row.project.pk)
        sheet.write_string(number, 1, row.project.code, text)
        sheet.write_string(number, 2, row.project.name)
        sheet.write_string(number, 3, str(row.project.responsible_unit))
        if report is not None:
            sheet.write_number(number, 4, float(report.amount))
            sheet.write_string(number, 5, report.progress)
            sheet.write_string(number, 6, report.problems)
    sheet.freeze_panes(1, 3)
    workbook.close()


@dataclass
class UploadResult:
    saved: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)
    file_error: str = ""


def upload_period_sheet(path, *, actor, period: Period, rows: list[DueRow]) -> UploadResult:
    """Check every row of the file against the user's projects and the report form; save all
    rows as drafts, or none."""
    result = UploadResult()
    try:
        sheet = read_sheet(path, LAYOUT)
    except FileRejected as rejection:
        result.file_error = str(rejection)
        return result
    mine = {row.project.pk: row for row in rows}
    checked, seen = [], {}
    for number, cells in sheet.rows:
        values = _values(sheet, number, cells, result)
        if values is None:
            continue
        row = mine.get(values.get("id"))
        if row is None:
            result.errors.append(
                (number, "系统编号", _("not one of your projects for this period"))
            )
            continue
        if row.project.pk in seen:
            result.errors.append(
                (
                    number,
                    "系统编号",
                    _("the same project as row %(row)s") % {"row": seen[row.project.pk]},
                )
            )
            continue
        seen[row.project.pk] = number
        if row.report is not None and not row.report.is_editable:
            result.errors.append(
                (
                    number,
                    "系统编号",
                    _("this report is %(status)s and cannot be changed")
                    % {"status": row.report.get_status_display()},
                )
            )
            continue
        data = {name: values.get(name, "") for name in FILLED}
        form = ReportForm(
            data, instance=row.report, project=row.project, period=period, fields_shown=FILLED
        )
        if not form.is_valid():
            for name, messages in form.errors.items():
                header = next((c.header for c in COLUMNS if c.field == name), _("row"))
                result.errors += [(number, header, str(m)) for m in messages]
            continue
        checked.append((row, form))
    if result.errors:
        return result
    with transaction.atomic():
        for row, form in checked:
            services.report_save_draft(
                actor=actor, project=row.project, period=period, data=form.cleaned_data
            )
            result.saved += 1
    return result


def _values(sheet, number: int, cells: list, result: UploadResult) -> dict | None:
    values, failed = {}, False
    for column, raw in zip(sheet.columns, cells, strict=False):
        if column is None:
            continue
        try:
            value = parse_cell(column, raw)
        except CellError as error:
            result.errors.append((number, column.header, str(error)))
            failed = True
            continue
        values[column.field] = int(value) if column.field == "id" and value != "" else value
    return None if failed else values
