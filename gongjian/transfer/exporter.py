"""Write projects to an .xlsx file that the importer reads back unchanged (round trip)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from gongjian.projects.models import AnnualListing
from gongjian.transfer.columns import CHOICE_LABELS, COLUMNS, Kind

SHEET_NAME = "项目库"
Row = dict[str, Any]


def export_projects(
    queryset: QuerySet,
    target: str | IO[bytes],
    *,
    year: int | None = None,
    transform: Callable[[Row], Row] | None = None,
) -> int:
    """Write `queryset` to `target` (a path or a binary file); returns the number of projects.

    The annual-list columns show `year`'s listing (default: this year). `transform` may rewrite
    each row dict (keyed by header) before it is written; the benchmark uses it to make files.
    constant_memory streams rows to disk, so 100,000 projects need no more memory than 100.
    """
    year = year or timezone.localdate().year
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    try:
        return _write_sheet(workbook, queryset, year, transform)
    finally:
        workbook.close()


def _write_sheet(workbook, queryset: QuerySet, year: int, transform) -> int:
    sheet = workbook.add_worksheet(SHEET_NAME)
    header_format = workbook.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
    )
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    amount_format = workbook.add_format({"num_format": "0.00"})
    text_format = workbook.add_format({"num_format": "@"})
    for index, column in enumerate(COLUMNS):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.header, header_format)
    sheet.freeze_panes(1, 2)

    count = 0
    for count, row in enumerate(rows_for(queryset, year), start=1):
        if transform is not None:
            row = transform(row)
        for index, column in enumerate(COLUMNS):
            value = row.get(column.header)
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(
                    count, index, datetime.datetime.combine(value, datetime.time()), date_format
                )
            elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
                fmt = amount_format if column.kind == Kind.DECIMAL else None
                sheet.write_number(count, index, float(value), fmt)
            else:
                # Codes stay text so Excel neither drops leading zeros nor shows 2.41E+15.
                sheet.write_string(count, index, str(value), text_format)
    sheet.autofilter(0, 0, max(count, 1), len(COLUMNS) - 1)
    return count


def rows_for(queryset: QuerySet, year: int) -> Iterator[Row]:
    listing = AnnualListing.objects.filter(project=OuterRef("pk"), year=year)
    queryset = queryset.for_export().annotate(
        listing_level=Subquery(listing.values("level")[:1]),
        listing_planned_investment=Subquery(listing.values("planned_investment")[:1]),
    )
    for project in queryset.iterator(chunk_size=2000):
        yield {column.header: _cell_value(project, column, year) for column in COLUMNS}


def _cell_value(project, column, year: int) -> Any:
    field = column.field
    if field == "listing_year":
        return year if project.listing_level else None
    if field == "region":
        return project.region.code
    if field == "leader":
        return project.leader.display_name or project.leader.username if project.leader_id else None
    value = getattr(project, field)
    if column.kind == Kind.BOOL:
        return "是" if value else "否"
    if column.kind == Kind.CHOICE:
        return CHOICE_LABELS[field].get(value, value) if value else None
    if column.kind == Kind.LOOKUP:
        return value.name if value is not None else None
    return value
