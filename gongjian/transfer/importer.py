"""Import projects from .xlsx: check every row, then write all of them or none.

A row updates the project with its 项目代码 (or, for projects without a code, its 系统编号)
and creates a project otherwise. Each row goes through the same form as the web page. Columns
missing from the file leave an existing project's values as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.accounts import access
from gongjian.audit.services import snapshot
from gongjian.lib.codes import normalize_project_code
from gongjian.projects import access as project_access
from gongjian.projects.forms import BASELINE_FIELDS
from gongjian.projects.models import AnnualListing, Project
from gongjian.transfer import writer
from gongjian.transfer.cells import CellError, parse_cell
from gongjian.transfer.columns import BY_FIELD, CHOICE_LABELS, ID_HEADER, Kind
from gongjian.transfer.lookups import LOOKUP_FIELDS, ImportListingForm, ImportProjectForm, Lookups
from gongjian.transfer.reader import FileRejected, Sheet, read_sheet
from gongjian.transfer.rowcheck import FORM_FIELDS, LISTING_FIELDS, Checker, RowCheck, check_rows

MAX_REPORTED_ERRORS = 1000
MAX_PREVIEW_ROWS = 200


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class RowPlan:
    row: int
    project: Project
    is_new: bool
    before: dict[str, Any] = field(default_factory=dict)
    listing: AnnualListing | None = None
    listing_before: dict[str, Any] | None = None  # None: a new listing
    rebaseline: dict[str, Any] | None = None  # the old baseline, when the row changes it

    @property
    def changes(self) -> bool:
        if self.is_new or self.before != snapshot(self.project, list(self.before)):
            return True
        if self.listing is None:
            return False
        return self.listing_before is None or self.listing_before != snapshot(
            self.listing, list(self.listing_before)
        )


@dataclass
class ImportReport:
    filename: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)  # the first rows that change
    file_error: str = ""
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.error_count

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, str(message)))


def import_projects(
    path: str | Path, *, user, filename: str = "", dry_run: bool = False, parallel: bool = False
) -> ImportReport:
    """Check `path` and, unless `dry_run` or any row is wrong, write it. Never half-writes.

    `parallel` checks large files in forked worker processes: for single-threaded callers
    such as the import_projects command (forking a multi-threaded web server is unsafe)."""
    report = ImportReport(filename=filename or Path(path).name)
    try:
        sheet = read_sheet(path)
    except FileRejected as rejection:
        report.file_error = str(rejection)
        return report
    report.rows = len(sheet.rows)
    with transaction.atomic():
        plans = _plan(sheet, user, report, parallel)
        report.errors.sort(key=lambda error: error.row)
        if report.ok and not dry_run:
            writer.write_plans(plans, user=user, filename=report.filename)
            report.written = True
    return report


def _plan(sheet: Sheet, user, report: ImportReport, parallel: bool) -> list[RowPlan]:
    lookups = Lookups(user)
    parsed = [
        (number, _parse_row(sheet, number, cells, lookups, report)) for number, cells in sheet.rows
    ]
    existing = _match_rows(parsed, user, report)
    checker = Checker(
        user=user,
        lookups=lookups,
        listings=_existing_listings(parsed, existing),
        is_office=access.scope_for(user).is_office,
        project_form=ImportProjectForm.for_import(lookups, user),
        listing_form=ImportListingForm.for_import(),
    )
    rows = [(n, values, existing[n]) for n, values in parsed if values and n in existing]
    plans = []
    for check in check_rows(checker, rows, parallel=parallel):
        if check.errors:
            for column, message in check.errors:
                report.add_error(check.row, column, message)
            continue
        plan = _build_plan(checker, check, existing[check.row])
        if plan.changes:
            plans.append(plan)
            report.created += plan.is_new
            report.updated += not plan.is_new
            if len(report.preview) < MAX_PREVIEW_ROWS:
                report.preview.append(_preview(plan))
        else:
            report.unchanged += 1
    return plans


def _parse_row(sheet: Sheet, number: int, cells: list, lookups: Lookups, report: ImportReport):
    values: dict[str, Any] = {}
    failed = False
    for column, raw in zip(sheet.columns, cells, strict=False):
        if column is None:
            continue
        try:
            value = parse_cell(column, raw)
            if column.kind == Kind.LOOKUP and value != "":
                value = lookups.resolve(column.field, value)
        except CellError as error:
            report.add_error(number, column.header, str(error))
            failed = True
            continue
        values[column.field] = value
    if "code" in values:
        values["code"] = normalize_project_code(values["code"])
    return None if failed else values


def _match_rows(parsed, user, report: ImportReport) -> dict[int, Project | None]:
    """Existing projects by sheet row, matched on code then 系统编号, checked for permission.

    Rows that match nothing map to None (a new project); rows in error are left out."""
    codes = {v["code"] for _, v in parsed if v and v.get("code")}
    ids = {int(v["id"]) for _, v in parsed if v and v.get("id")}
    by_code, by_id = {}, {}
    # Locked until the import commits, so an edit made meanwhile cannot be overwritten unseen.
    base = Project.objects.for_export().select_for_update(of=("self",))
    for chunk in _chunks(sorted(codes), 500):
        by_code.update({p.code: p for p in base.filter(code__in=chunk)})
    for chunk in _chunks(sorted(ids), 500):
        by_id.update({p.pk: p for p in base.filter(pk__in=chunk)})

    matched: dict[int, Project] = {}
    first_row_of: dict[int, int] = {}
    code_rows: dict[str, int] = {}
    for number, values in parsed:
        if values is None:
            continue
        code, pk = values.get("code"), int(values["id"]) if values.get("id") else None
        if code and code in code_rows:
            report.add_error(
                number, "项目代码", _("same project code as row %(row)s") % {"row": code_rows[code]}
            )
            continue
        if code:
            code_rows[code] = number
        project = by_code.get(code) if code else None
        if project is not None and pk and project.pk != pk:
            report.add_error(
                number,
                ID_HEADER,
                _("project code %(code)s belongs to project %(other)s, not %(pk)s")
                % {"code": code, "other": project.pk, "pk": pk},
            )
            continue
        if project is None and pk:
            project = by_id.get(pk)
            if project is None:
                report.add_error(
                    number,
                    ID_HEADER,
                    _("no project %(pk)s; clear 系统编号 to add the row as a new project")
                    % {"pk": pk},
                )
                continue
        if project is None:
            matched[number] = None
            continue
        if project.pk in first_row_of:
            report.add_error(
                number,
                ID_HEADER,
                _("the same project as row %(row)s") % {"row": first_row_of[project.pk]},
            )
            continue
        first_row_of[project.pk] = number
        if not project_access.can_change_project(user, project):
            report.add_error(
                number,
                "项目代码",
                _("this project belongs to %(unit)s; you may not change it")
                % {
                    "unit": project.responsible_unit
                    if project_access.can_view_project(user, project)
                    else _("another unit")
                },
            )
            continue
        matched[number] = project
    return matched


def _existing_listings(
    parsed, existing: dict[int, Project]
) -> dict[tuple[int, int], AnnualListing]:
    wanted = {
        (existing[n].pk, int(v["listing_year"]))
        for n, v in parsed
        if v and existing.get(n) and v.get("listing_year")
    }
    found = {}
    for chunk in _chunks(sorted({pk for pk, _year in wanted}), 500):
        for listing in AnnualListing.objects.filter(project_id__in=chunk):
            found[(listing.project_id, listing.year)] = listing
    return found


def _build_plan(checker: Checker, check: RowCheck, project: Project | None) -> RowPlan:
    """Apply a checked row's values to the matched project (or a new one), keeping the old
    values for the audit trail."""
    indexes = checker.lookups.indexes
    instance = project if project is not None else Project()
    plan = RowPlan(row=check.row, project=instance, is_new=project is None)
    if project is not None:
        plan.before = snapshot(project, FORM_FIELDS)
        if check.changes_baseline:
            plan.rebaseline = {name: getattr(project, name) for name in BASELINE_FIELDS}
    for name, value in check.project.items():
        if name in LOOKUP_FIELDS:
            value = indexes[name].by_pk[value] if value is not None else None
        setattr(instance, name, value)
    if check.listing is not None:
        year = check.listing["year"]
        listing = checker.listings.get((instance.pk, year)) if project is not None else None
        if listing is not None:
            plan.listing_before = snapshot(listing, LISTING_FIELDS)
        else:
            listing = AnnualListing(project=instance if project is not None else None)
        for name, value in check.listing.items():
            setattr(listing, name, value)
        plan.listing = listing
    return plan


def _preview(plan: RowPlan) -> dict[str, Any]:
    """What one row will do, in words for the preview table."""
    changes = []
    if not plan.is_new:
        after = snapshot(plan.project, list(plan.before))
        changes = [
            (BY_FIELD[k].header, plan.before[k], after[k])
            for k in plan.before
            if plan.before[k] != after[k]
        ]
    if plan.listing is not None:
        labels = CHOICE_LABELS["listing_level"]
        listing_after = snapshot(plan.listing, ["level", "planned_investment"])
        listing_before = {k: (plan.listing_before or {}).get(k) for k in listing_after}
        listing_before["level"] = labels.get(listing_before["level"], listing_before["level"])
        listing_after["level"] = labels.get(listing_after["level"])
        for key, header in (("level", "重点级别"), ("planned_investment", "年度计划投资（万元）")):
            if listing_before[key] != listing_after[key]:
                changes.append(
                    (f"{plan.listing.year}{header}", listing_before[key], listing_after[key])
                )
    return {
        "row": plan.row,
        "is_new": plan.is_new,
        "name": plan.project.name,
        "code": plan.project.code,
        "changes": changes,
        "rebaseline": bool(plan.rebaseline),
    }


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
