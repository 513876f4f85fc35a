"""Problem statistics per department and unit, and the weekly 问题清单 (page and Excel)."""

from __future__ import annotations

import datetime
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gongjian.accounts import access
from gongjian.accounts.models import Role
from gongjian.audit.services import audit_export
from gongjian.lib.params import choice_param, year_param
from gongjian.lib.xlsx import merged_text, new_workbook
from gongjian.problems import access as problem_access
from gongjian.problems.stats import WeeklyGroup, department_stats, unit_stats, weekly_list

REPORT_ROLES = {Role.OFFICE, Role.LEADER, Role.DEPARTMENT, Role.UNIT}
WEEKLY_COLUMNS = [  # (header, width)
    ("序号", 6),
    ("编号", 14),
    ("问题", 36),
    ("项目", 30),
    ("类别", 10),
    ("牵头部门", 16),
    ("状态", 10),
    ("交办日期", 12),
    ("办结时限", 12),
    ("已历时(天)", 11),
    ("超期(工作日)", 12),
    ("督办级别", 22),
]


def _require_reports(request: HttpRequest) -> None:
    if not access.scope_for(request.user).roles & REPORT_ROLES:
        raise PermissionDenied("Problem statistics are for the office, leaders, departments, units")


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    """The year's figures by lead department, or (?by=unit) by responsible unit. The tabs are
    links, so a request counts only the table it shows."""
    _require_reports(request)
    today = timezone.localdate()
    year = year_param(request.GET, default=today.year, high=today.year + 1)
    by = choice_param(request.GET, "by", ("department", "unit"), default="department")
    select = unit_stats if by == "unit" else department_stats
    years = list(range(today.year, today.year - 5, -1))
    ctx = {
        "year": year,
        "years": years if year in years else [year, *years],
        "by": by,
        "rows": select(problem_access.visible_problems(request.user), year=year, today=today),
    }
    return render(request, "problems/stats.html", ctx)


@login_required
def weekly(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    today = timezone.localdate()
    groups = weekly_list(problem_access.visible_problems(request.user), today=today)
    ctx = {
        "today": today,
        "groups": groups,
        "count": sum(group.count for group in groups),
        "red": sum(group.red for group in groups),
    }
    return render(request, "problems/weekly.html", ctx)


@login_required
def weekly_xlsx(request: HttpRequest) -> FileResponse:
    _require_reports(request)
    today = timezone.localdate()
    groups = weekly_list(problem_access.visible_problems(request.user), today=today)
    target = io.BytesIO()
    write_weekly_sheet(groups, today, target)
    target.seek(0)
    name = f"问题清单-{today.isoformat()}.xlsx"
    audit_export(actor=request.user, what=name, rows=sum(group.count for group in groups))
    return FileResponse(target, as_attachment=True, filename=name)


def write_weekly_sheet(groups: list[WeeklyGroup], today: datetime.date, target) -> None:
    """The 问题清单 as printed for the weekly meeting: a title row, the header, then each lead
    department's row with its count, followed by its problems."""
    workbook = new_workbook(target, {"in_memory": True})
    sheet = workbook.add_worksheet("问题清单")
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    group = workbook.add_format({"bold": True, "bg_color": "#F2F2F2"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    late = workbook.add_format({"font_color": "#C00000", "bold": True})
    last = len(WEEKLY_COLUMNS) - 1
    merged_text(sheet, 0, 0, 0, last, f"问题清单（截至{today.isoformat()}）", title)
    for index, (text, width) in enumerate(WEEKLY_COLUMNS):
        sheet.set_column(index, index, width)
        sheet.write_string(1, index, text, header)
    row = 2
    for department in groups:
        # The department's name is typed in the admin: text, never a formula.
        merged_text(
            sheet, row, 0, row, last, f"{department.unit.name}（{department.count}）", group
        )
        row += 1
        for item in department.rows:
            sheet.write_number(row, 0, item.seq)
            sheet.write_string(row, 1, item.number)
            sheet.write_string(row, 2, item.title)
            sheet.write_string(row, 3, item.project)
            sheet.write_string(row, 4, item.category)
            sheet.write_string(row, 5, item.department)
            sheet.write_string(row, 6, item.status_label)
            if item.assigned_on:
                sheet.write_datetime(row, 7, item.assigned_on, date)
            if item.resolve_due:
                sheet.write_datetime(row, 8, item.resolve_due, date)
            sheet.write_number(row, 9, item.age_days)
            if item.days_overdue is not None:
                sheet.write_number(row, 10, item.days_overdue, late)
            sheet.write_string(row, 11, item.level_name)
            row += 1
    sheet.freeze_panes(2, 0)
    workbook.close()
