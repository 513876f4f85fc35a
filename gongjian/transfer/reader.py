"""Open an uploaded workbook and refuse, with one clear message, files the importer cannot trust.

The checks run before any row is read: size, then gongjian.lib.xlsx_guard before any parser
opens the file (a hostile workbook can abort the process from inside python-calamine), merged
cells and formulas (whose values Excel may not have recalculated), the header row, the number
of rows.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

import python_calamine
from django.conf import settings
from django.utils.translation import gettext as _

from gongjian.lib.xlsx_guard import XlsxFacts, XlsxRejected, check_xlsx
from gongjian.transfer.columns import BY_HEADER, REQUIRED_HEADERS, Column, fold_header

# Gov sheets often carry a title such as "2026年市重点项目表" above the header row.
HEADER_SEARCH_ROWS = 5
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


class FileRejected(Exception):
    """The whole file is unusable; the message says why and what to do."""


@dataclass
class Sheet:
    name: str
    header_row: int  # 1-based sheet row number of the header
    columns: list[Column | None]  # per sheet column; None for a blank header
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (sheet row number, cells)

    @property
    def headers(self) -> set[str]:
        return {c.header for c in self.columns if c is not None}


@dataclass(frozen=True)
class Layout:
    """The columns a kind of sheet may have, and those it must have. Every layout has a
    项目名称 column, which is how the header row is found."""

    by_header: dict[str, Column]
    required: list[str]


PROJECT_LAYOUT = Layout(BY_HEADER, REQUIRED_HEADERS)


def read_sheet(path: str | Path, layout: Layout = PROJECT_LAYOUT) -> Sheet:
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise FileRejected(_("The file is empty."))
    if size > settings.IMPORT_MAX_BYTES:
        raise FileRejected(
            _("The file is %(mb).1f MB; the limit is %(limit).0f MB.")
            % {"mb": size / 2**20, "limit": settings.IMPORT_MAX_BYTES / 2**20}
        )
    try:
        facts = check_xlsx(path)
    except XlsxRejected as rejection:
        raise FileRejected(str(rejection)) from rejection
    sheet_xml = _first_sheet_xml(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        calamine_sheet = workbook.get_sheet_by_index(0)
    except Exception as error:  # calamine raises several types for damaged files
        raise FileRejected(
            _("The workbook cannot be read (%(error)s).") % {"error": error}
        ) from error
    try:
        return _read(facts, sheet_xml, calamine_sheet, layout)
    finally:
        workbook.close()


def _read(facts: XlsxFacts, sheet_xml: str, calamine_sheet, layout: Layout) -> Sheet:
    name = calamine_sheet.name
    if calamine_sheet.height == 0:
        raise FileRejected(_('The sheet "%(sheet)s" is empty.') % {"sheet": name})
    if calamine_sheet.height > settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS:
        raise FileRejected(
            _("The sheet has %(rows)s rows; one import takes at most %(limit)s. Split the file.")
            % {"rows": f"{calamine_sheet.height:,}", "limit": f"{settings.IMPORT_MAX_ROWS:,}"}
        )
    merged = calamine_sheet.merged_cell_ranges or []
    if merged:
        (r1, c1), (r2, c2) = merged[0]
        raise FileRejected(
            _(
                "The sheet has merged cells (first at %(range)s). Unmerge them and fill "
                "every cell, so each row stands alone."
            )
            % {"range": f"{cell_name(r1, c1)}:{cell_name(r2, c2)}"}
        )
    formula_cell = facts.first_formula(sheet_xml)  # noted by the guard's scan of the sheet
    if formula_cell:
        raise FileRejected(
            _(
                "Cell %(cell)s holds a formula. Paste the sheet as values "
                "(选择性粘贴 → 数值) and upload it again."
            )
            % {"cell": formula_cell}
        )

    rows = calamine_sheet.iter_rows()
    start_row = calamine_sheet.start[0] if calamine_sheet.start else 0
    sheet = None
    row_number = start_row
    for row_number, cells in enumerate(rows, start=start_row + 1):
        if sheet is None:
            if row_number - start_row > HEADER_SEARCH_ROWS:
                break
            folded = [fold_header(c) for c in cells]
            if "项目名称" in folded:
                sheet = _header(name, row_number, folded, layout)
            continue
        if any(c not in ("", None) for c in cells):
            sheet.rows.append((row_number, list(cells)))
    if sheet is None:
        raise FileRejected(
            _(
                "No header row with 项目名称 in the first %(n)s rows. Start from a "
                "file downloaded from the project list."
            )
            % {"n": HEADER_SEARCH_ROWS}
        )
    if not sheet.rows:
        raise FileRejected(_("The sheet has headers but no project rows."))
    if len(sheet.rows) > settings.IMPORT_MAX_ROWS:
        raise FileRejected(
            _("The sheet has %(rows)s project rows; one import takes at most %(limit)s.")
            % {"rows": f"{len(sheet.rows):,}", "limit": f"{settings.IMPORT_MAX_ROWS:,}"}
        )
    return sheet


def _header(sheet_name: str, row_number: int, folded: list[str], layout: Layout) -> Sheet:
    columns: list[Column | None] = []
    unknown, seen, repeated = [], set(), []
    for header in folded:
        if not header:
            columns.append(None)
            continue
        column = layout.by_header.get(header)
        if column is None:
            unknown.append(header)
        elif header in seen:
            repeated.append(header)
        seen.add(header)
        columns.append(column)
    problems = []
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": "、".join(unknown)})
    if repeated:
        problems.append(_("columns given twice: %(names)s") % {"names": "、".join(repeated)})
    missing = [h for h in layout.required if h not in seen]
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": "、".join(missing)})
    if problems:
        raise FileRejected(
            _("Row %(row)s is not the expected header: %(problems)s.")
            % {"row": row_number, "problems": "; ".join(problems)}
        )
    return Sheet(name=sheet_name, header_row=row_number, columns=columns)


def cell_name(row: int, col: int) -> str:
    """Zero-based (row, col) to an A1 reference."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _first_sheet_xml(path: Path) -> str:
    """The zip member of the workbook's first sheet, found through workbook.xml and its rels.
    Both are parsed as streams and left at the first answer: their size is capped by the guard
    but could still make a tree of millions of elements."""
    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open("xl/workbook.xml") as stream:
                first = next((e for e in _elements(stream) if e.tag == f"{{{NS['m']}}}sheet"), None)
            if first is None:
                raise FileRejected(_("The workbook has no sheets."))
            rel_id = first.get(f"{{{NS['r']}}}id")
            with archive.open("xl/_rels/workbook.xml.rels") as stream:
                target = next(
                    (
                        e.get("Target", "")
                        for e in _elements(stream)
                        if e.tag == f"{{{NS['p']}}}Relationship" and e.get("Id") == rel_id
                    ),
                    None,
                )
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError) as error:
        raise FileRejected(_("This is a zip file but not an Excel workbook.")) from error
    if target is None:
        raise FileRejected(_("This is a zip file but not an Excel workbook."))
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def _elements(stream) -> Iterator[ElementTree.Element]:
    """Each element as it ends, then detached from its parent, so memory stays flat."""
    open_elements: list[ElementTree.Element] = []
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        if event == "start":
            open_elements.append(element)
            continue
        open_elements.pop()
        yield element
        if open_elements and len(open_elements[-1]) and open_elements[-1][-1] is element:
            del open_elements[-1][-1]
