"""The .xlsx guard: every crafted file below aborts or swamps a reader when opened unchecked;
each must be refused before any parser sees it, and real workbooks must pass unchanged."""

from __future__ import annotations

import tempfile
import time
import zipfile
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase, override_settings
from django.utils import translation

from gongjian.lib import xlsx_guard
from gongjian.lib.tests.xlsx_files import (
    A1,
    SHEET,
    far_cell,
    inflating_workbook,
    member,
    plain_members,
    raw_zip,
    sheet_xml,
    workbook,
)
from gongjian.lib.xlsx_guard import XlsxRejected, check_xlsx
from gongjian.projects.models import Project
from gongjian.test import BaseTestCase
from gongjian.transfer.exporter import export_projects

FAR = "XFD1048576"
FAR_ROW = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
SMALL = {  # caps low enough that a test file passes them in kilobytes
    "XLSX_MAX_PART_BYTES": 1 << 20,
    "XLSX_MAX_SHEET_BYTES": 2 << 20,
    "XLSX_MAX_TOTAL_BYTES": 3 << 20,
}


def lied_size(path: Path) -> Path:
    """The directory says the sheet unpacks to 10 bytes: zipfile would read 10 and stop."""
    members = plain_members(sheet_xml(A1))
    members[4] = member(SHEET, sheet_xml(A1), size=10)
    return raw_zip(path, members)


def cut_stream(path: Path) -> Path:
    members = plain_members(sheet_xml(A1))
    whole = member(SHEET, sheet_xml(A1))
    members[4] = member(SHEET, sheet_xml(A1), packed=whole.packed[:-8])
    return raw_zip(path, members)


def with_method(method: int, flags: int = 0):
    def build(path: Path) -> Path:
        members = plain_members(sheet_xml(A1))
        members[4] = member(SHEET, sheet_xml(A1), method=method, flags=flags)
        return raw_zip(path, members)

    return build


def many_members(count: int):
    def build(path: Path) -> Path:
        extra = {f"xl__media__image{n}.png": b"" for n in range(count)}
        return workbook(path, sheet_xml(A1), **extra)

    return build


def duplicate_sheet(path: Path) -> Path:
    members = plain_members(sheet_xml(A1))
    return raw_zip(path, [*members, member(SHEET, sheet_xml(A1 + FAR_ROW))])


def spaces(megabytes: float) -> bytes:
    return b" " * int(megabytes * (1 << 20))


def spaces_part(name: str, megabytes: float):
    def build(path: Path) -> Path:
        if name == SHEET:
            return workbook(path, sheet_xml(A1).encode() + spaces(megabytes))
        return workbook(path, sheet_xml(A1), **{name.replace("/", "__"): spaces(megabytes)})

    return build


def too_much_in_all(path: Path) -> Path:
    parts = {"xl__styles.xml": spaces(0.9), "xl__sharedStrings.xml": spaces(0.9)}
    return workbook(path, sheet_xml(A1).encode() + spaces(1.9), **parts)


def sheet_with(rows: str, **kwargs):
    return lambda path: workbook(path, sheet_xml(A1 + rows, **kwargs))


# (what, builder, settings, expected in the message). Every cell reference below was seen to
# make python-calamine 0.9 abort the process with "memory allocation of 549755813888 bytes
# failed" (see gongjian/lib/xlsx_scan.py).
REFUSED = [
    ("the attacker's 1.5 KB file", far_cell, {}, f"declares its used range as A1:{FAR}"),
    ("a huge declared range", sheet_with("", dimension=f"A1:{FAR}"), {}, f"A1:{FAR}"),
    ("a far cell without dimension", sheet_with(FAR_ROW), {}, f"reaches cell {FAR}"),
    (
        "a lone far cell",
        lambda p: workbook(p, sheet_xml(FAR_ROW)),
        {},
        f"reaches cell {FAR}: 1,048,576 rows × 16,384 columns",
    ),
    (
        "a far cell that is only styled",
        sheet_with('<row r="1048576"><c r="XFD1048576" s="1"/></row>'),
        {},
        FAR,
    ),
    (
        "cells without r pushed to the last column",
        sheet_with('<row r="1048576">' + "<c><v>1</v></c>" * 16384 + "</row>"),
        {},
        FAR,
    ),
    ("a lower-case reference", sheet_with(FAR_ROW.replace(FAR, FAR.lower())), {}, FAR),
    ("single quotes", sheet_with(FAR_ROW.replace('"', "'")), {}, FAR),
    ("spaces around =", sheet_with(FAR_ROW.replace("r=", "r = ")), {}, FAR),
    (
        "a namespace prefix",
        lambda p: workbook(
            p,
            sheet_xml(A1)
            .replace("<worksheet xmlns=", "<x:worksheet xmlns:x=")
            .replace("</worksheet>", "</x:worksheet>")
            .replace(
                "</sheetData>", FAR_ROW.replace("<", "<x:").replace("<x:/", "</x:") + "</sheetData>"
            ),
        ),
        {},
        FAR,
    ),
    (
        "a second r attribute",
        sheet_with('<row r="2"><c r="A2" r="XFD1048576"><v>1</v></c></row>'),
        {},
        FAR,
    ),
    (
        "a > inside an attribute before r",
        sheet_with('<row r="1048576"><c foo=">" r="XFD1048576"><v>1</v></c></row>'),
        {},
        FAR,
    ),
    (
        "a far cell between comments that fool a naive scan",
        sheet_with("<!-- <c b=' -->" + FAR_ROW + "<!-- ' > -->"),
        {},
        FAR,
    ),
    (
        "a far cell between attribute values holding <",
        sheet_with(
            '<row r="2"><c r="A2"><v a="<c b=\'">1</v></c></row>'
            + FAR_ROW
            + '<row r="3"><c r="A3"><v z="\'>">1</v></c></row>'
        ),
        {},
        FAR,
    ),
    ("only too many columns", sheet_with('<row r="2"><c r="XFD2"><v>1</v></c></row>'), {}, "XFD2"),
    ("only too many rows", sheet_with('<row r="1048576"><c r="A1048576"/></row>'), {}, "A1048576"),
    (
        "rows × columns over the cell cap",
        sheet_with('<row r="100"><c r="J100"><v>1</v></c></row>'),
        {"XLSX_MAX_ROWS": 100, "XLSX_MAX_COLUMNS": 10, "XLSX_MAX_CELLS": 500},
        "reaches cell J100: 100 rows × 10 columns. At most 100 rows, 10 columns and 500 cells",
    ),
    (
        "a row number too long to be one",
        sheet_with('<row r="2"><c r="A99999999999"><v>1</v></c></row>'),
        {},
        "cell reference A99999999999",
    ),
    (
        "a document type declaration",
        lambda p: workbook(p, sheet_xml(A1, head='<!DOCTYPE w [<!ENTITY e "x">]>')),
        {},
        "document type declaration",
    ),
    (
        "a tag that never ends",
        lambda p: workbook(p, sheet_xml(A1).replace("</sheetData>", "<x:c r='A2")),
        {},
        "damaged",
    ),
    (
        "an inflating part",
        spaces_part("xl/sharedStrings.xml", 1.5),
        SMALL | {"XLSX_MAX_RATIO": 10_000},
        "Part xl/sharedStrings.xml of the workbook unpacks to more than 1 MB",
    ),
    (
        "an inflating sheet",
        spaces_part(SHEET, 2.5),
        SMALL | {"XLSX_MAX_RATIO": 10_000},
        f"Part {SHEET} of the workbook unpacks to more than 2 MB",
    ),
    (
        "too much in all",
        too_much_in_all,
        SMALL | {"XLSX_MAX_RATIO": 10_000},
        "unpacks to more than 3 MB in all",
    ),
    ("a ratio bomb", spaces_part("xl/styles.xml", 4), {}, "more than 100 times its packed size"),
    ("the issue's 1 MB → 1 GiB bomb", inflating_workbook, {}, "xl/workbook.xml"),
    ("too many members", many_members(20), {"XLSX_MAX_MEMBERS": 10}, "more than 10 parts"),
    ("too many members by default", many_members(1000), {}, "more than 1,000 parts"),
    ("not a zip", lambda p: p.write_bytes(b"id,name\n1,x\n") and p, {}, "not an Excel .xlsx"),
    ("a directory that lies about a size", lied_size, {}, f"part {SHEET} cannot be unpacked"),
    ("a deflate stream cut short", cut_stream, {}, f"part {SHEET} cannot be unpacked"),
    ("an encrypted part", with_method(zipfile.ZIP_DEFLATED, flags=1), {}, "encrypted"),
    ("an unusual packing", with_method(zipfile.ZIP_BZIP2), {}, "packed in a way"),
    ("two parts of the same name", duplicate_sheet, {}, f"part {SHEET} cannot be unpacked"),
]


class RefusedFileTests(SimpleTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def test_each_hostile_file_is_refused_with_its_reason(self):
        for what, build, caps, expected in REFUSED:
            with self.subTest(what), override_settings(**caps):
                path = build(self.tmp / "hostile.xlsx")
                started = time.perf_counter()
                with self.assertRaises(XlsxRejected) as refusal:
                    check_xlsx(path)
                self.assertIn(expected, str(refusal.exception))
                self.assertLess(time.perf_counter() - started, 2)

    def test_the_attackers_file_is_small(self):
        self.assertLess(far_cell(self.tmp / "far.xlsx").stat().st_size, 2000)

    def test_a_bomb_is_abandoned_after_a_few_megabytes(self):
        path = inflating_workbook(self.tmp / "bomb.xlsx")
        self.assertLess(path.stat().st_size, 1_100_000)
        self.assertEqual(zipfile.ZipFile(path).getinfo("xl/workbook.xml").file_size >> 30, 1)
        inflated = []
        real_inflate = xlsx_guard._inflate

        def counting(raw, info):
            for block, packed in real_inflate(raw, info):
                inflated.append(len(block))
                yield block, packed

        with mock.patch.object(xlsx_guard, "_inflate", counting), self.assertRaises(XlsxRejected):
            check_xlsx(path)
        self.assertLessEqual(sum(inflated), 3 << 20)

    def test_messages_are_translated(self):
        path = far_cell(self.tmp / "far.xlsx")
        with translation.override("zh-hans"), self.assertRaises(XlsxRejected) as refusal:
            check_xlsx(path)
        self.assertIn("声明的使用范围为 A1:XFD1048576", str(refusal.exception))


class PlainFileTests(SimpleTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())

    def test_the_first_formula_cell_is_noted(self):
        rows = A1 + '<row r="2"><c r="A2"><v>1</v></c><c r="C2"><f>A2*2</f><v>2</v></c></row>'
        facts = check_xlsx(workbook(self.tmp / "f.xlsx", sheet_xml(rows)))
        self.assertEqual(facts.first_formula(SHEET), "C2")
        self.assertEqual((facts.parts[SHEET].max_row, facts.parts[SHEET].max_column), (2, 3))

    def test_the_careful_scan_reads_what_the_fast_one_reads(self):
        rows = A1 + "".join(
            f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="D{n}" t="s"><v>0</v></c></row>'
            for n in range(2, 200)
        )
        rows += '<row r="200"><c r="B200"><f>1+1</f></c></row>'
        plain = sheet_xml(rows)
        prefixed = (
            plain.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=")
            .replace("</worksheet>", "</x:worksheet>")
            .replace("<row", "<x:row")
            .replace("</row", "</x:row")
            .replace("<c ", "<x:c ")
            .replace("</c>", "</x:c>")
            .replace("<f>", "<x:f>")
            .replace("</f>", "</x:f>")
        )
        without_refs = sheet_xml(rows.replace(' r="A', ' x="A'))  # cells placed in order
        results = []
        for xml in (plain, prefixed, without_refs):
            facts = check_xlsx(workbook(self.tmp / "s.xlsx", xml)).parts[SHEET]
            results.append((facts.max_row, facts.max_column, facts.first_formula))
        self.assertEqual(results, [(200, 4, "B200")] * 3)

    def test_chunk_boundaries_change_nothing(self):
        for text in ("第{n}行", 'r = "第{n}行"'):  # the second is read by the careful scan
            rows = A1 + "".join(
                f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{text.format(n=n)}</t></is>'
                f'</c><c r="C{n}"><v>{n}</v></c></row>'
                for n in range(2, 60)
            )
            rows += '<row r="60"><c r="B60"><f>1</f></c></row>'
            path = workbook(self.tmp / "b.xlsx", sheet_xml(rows))
            for chunk in (1, 7, 64, 1 << 20):
                with self.subTest(text, chunk=chunk), mock.patch.object(xlsx_guard, "CHUNK", chunk):
                    facts = check_xlsx(path).parts[SHEET]
                    self.assertEqual((facts.max_row, facts.max_column), (60, 3))
                    self.assertEqual(facts.first_formula, "B60")

    def test_a_stored_part_is_read_as_it_is(self):
        members = plain_members(sheet_xml(A1))
        data = sheet_xml(A1 + FAR_ROW).encode()
        members[4] = member(SHEET, data, packed=data, method=zipfile.ZIP_STORED)
        with self.assertRaises(XlsxRejected):
            check_xlsx(raw_zip(self.tmp / "stored.xlsx", members))
        members[4] = member(SHEET, sheet_xml(A1), packed=sheet_xml(A1).encode(), method=0)
        self.assertEqual(check_xlsx(raw_zip(self.tmp / "ok.xlsx", members)).parts[SHEET].max_row, 1)

    def test_a_picture_is_not_scanned_as_xml(self):
        picture = b"\x89PNG\r\n\x1a\n" + b"<c r='XFD1'>" * 10
        path = workbook(self.tmp / "p.xlsx", sheet_xml(A1), **{"xl__media__a.png": picture})
        self.assertEqual(check_xlsx(path).parts["xl/media/a.png"].max_column, 0)


class RegistryExportTests(BaseTestCase):
    def test_an_export_of_the_registry_passes_with_the_default_caps(self):
        path = Path(tempfile.mkdtemp()) / "export.xlsx"
        export_projects(Project.objects.all(), path)
        facts = check_xlsx(path)
        sheet = facts.parts[SHEET]
        self.assertEqual(sheet.max_row, 3)  # header and two projects
        self.assertEqual(sheet.max_column, 36)
        self.assertIsNone(sheet.first_formula)
