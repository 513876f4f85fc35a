"""Check an uploaded .xlsx before any parser opens it.

An .xlsx is a zip of XML parts, and both layers can be made to explode. python-calamine builds
one grid from the first to the last cell it meets: a 1.5 KB file holding A1 and XFD1048576 makes
it ask for 512 GiB, and Rust aborts the whole process when an allocation fails — no exception,
the worker is gone. So every worksheet is scanned for the rows and cells it names
(gongjian/lib/xlsx_scan.py), not only for its declared ``<dimension>``. A small part can also
inflate to gigabytes, and the sizes in the zip directory are the uploader's to write, so each
part is inflated here, counted, and abandoned as soon as a cap is passed.

``XlsxRejected`` messages are meant for the uploader.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from gongjian.lib.xlsx_scan import (
    CarefulScan,
    DoctypeFound,
    FastScan,
    NeedsCarefulScan,
    Scan,
    UnreadableReference,
    UnterminatedMarkup,
    cell_name,
)

CHUNK = 1 << 20
# Below this many unpacked bytes a part's compression ratio says nothing and costs nothing.
RATIO_FLOOR = 1 << 20
# calamine reads worksheets only from these folders (it refuses any other sheet path); they are
# read as streams, every other part (shared strings, styles, the workbook) is read whole.
SHEET_FOLDERS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/")
SCANNED_SUFFIXES = (".xml", ".rels", ".vml")
LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, file name length, extra field length
ZIP_STORED, ZIP_DEFLATED = 0, 8
CENTRAL_SIGNATURE = b"PK\x01\x02"


class XlsxRejected(ValueError):
    """The file is not opened; ``str(error)`` says why and what to do."""


@dataclass(frozen=True)
class XlsxLimits:
    max_members: int
    max_part_bytes: int  # unpacked, any part but a worksheet
    max_sheet_bytes: int  # unpacked, each worksheet
    max_total_bytes: int  # unpacked, all parts together
    max_ratio: int  # unpacked : packed, for parts above RATIO_FLOOR
    max_rows: int
    max_columns: int
    max_cells: int  # rows × columns of the grid a reader would build

    @classmethod
    def from_settings(cls) -> XlsxLimits:
        return cls(
            max_members=settings.XLSX_MAX_MEMBERS,
            max_part_bytes=settings.XLSX_MAX_PART_BYTES,
            max_sheet_bytes=settings.XLSX_MAX_SHEET_BYTES,
            max_total_bytes=settings.XLSX_MAX_TOTAL_BYTES,
            max_ratio=settings.XLSX_MAX_RATIO,
            max_rows=settings.XLSX_MAX_ROWS,
            max_columns=settings.XLSX_MAX_COLUMNS,
            max_cells=settings.XLSX_MAX_CELLS,
        )


@dataclass(frozen=True)
class PartFacts:
    name: str
    size: int  # unpacked bytes
    max_row: int = 0  # 1-based; 0 when the part names no row or cell
    max_column: int = 0
    first_formula: str | None = None  # A1 name of the first cell holding a formula


@dataclass(frozen=True)
class XlsxFacts:
    parts: dict[str, PartFacts]

    def first_formula(self, part: str) -> str | None:
        facts = self.parts.get(part)
        return facts.first_formula if facts else None


def check_xlsx(path: str | Path, limits: XlsxLimits | None = None) -> XlsxFacts:
    """Inflate and scan every part of the workbook at `path`; XlsxRejected at the first cap
    passed. No more than a chunk of any part is held in memory."""
    limits = limits or XlsxLimits.from_settings()
    with open(path, "rb") as raw:
        _count_members(raw, limits.max_members)
        infos = _directory(raw)
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):  # which of the copies would a reader take?
            raise XlsxRejected(_damaged(next(n for n in names if names.count(n) > 1)))
        parts, total = {}, 0
        for info in infos:
            facts = _check_part(raw, info, limits, total)
            total += facts.size
            parts[info.filename] = facts
    return XlsxFacts(parts)


def _count_members(raw: BinaryIO, limit: int) -> None:
    """Refuse a file with too many members before its zip directory is loaded: the directory of
    a 60 MB file can list 700,000 members, which takes 740 MB to load. Every member's entry in
    the directory starts with the signature counted here."""
    count, tail = 0, b""
    raw.seek(0)
    while chunk := raw.read(CHUNK):
        data = tail + chunk  # the 3 bytes kept cannot hold a whole signature: none counts twice
        count += data.count(CENTRAL_SIGNATURE)
        if count > limit:
            raise XlsxRejected(
                _(
                    "The file holds more than %(limit)s parts; an Excel workbook has far fewer. "
                    'Save it from Excel as "Excel Workbook (*.xlsx)" and upload it again.'
                )
                % {"limit": f"{limit:,}"}
            )
        tail = data[-(len(CENTRAL_SIGNATURE) - 1) :]


def _directory(raw: BinaryIO) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(raw) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as error:
        raise XlsxRejected(
            _(
                "This is not an Excel .xlsx file. Save it from Excel as "
                '"Excel Workbook (*.xlsx)" and upload it again.'
            )
        ) from error


def _check_part(raw: BinaryIO, info: zipfile.ZipInfo, limits: XlsxLimits, before: int) -> PartFacts:
    lowered = info.filename.lower()
    is_sheet = lowered.startswith(SHEET_FOLDERS)
    cap = limits.max_sheet_bytes if is_sheet else limits.max_part_bytes
    if not (is_sheet or lowered.endswith(SCANNED_SUFFIXES)):
        return _inflate_and_scan(raw, info, limits, cap, before, None)
    try:
        return _inflate_and_scan(raw, info, limits, cap, before, FastScan())
    except NeedsCarefulScan:
        return _inflate_and_scan(raw, info, limits, cap, before, CarefulScan())


def _inflate_and_scan(
    raw: BinaryIO,
    info: zipfile.ZipInfo,
    limits: XlsxLimits,
    cap: int,
    before: int,
    scan: Scan | None,
) -> PartFacts:
    name = info.filename
    size = 0
    for chunk, packed in _inflate(raw, info):
        size += len(chunk)
        if size > cap:
            raise XlsxRejected(
                _(
                    "Part %(part)s of the workbook unpacks to more than %(limit)s MB, more than "
                    "an import needs. Delete unused rows, columns, sheets and pictures, or split "
                    "the file."
                )
                % {"part": _shown(name), "limit": _mb(cap)}
            )
        if before + size > limits.max_total_bytes:
            raise XlsxRejected(
                _(
                    "The workbook unpacks to more than %(limit)s MB in all, more than an import "
                    "needs. Delete unused sheets and pictures, or split the file."
                )
                % {"limit": _mb(limits.max_total_bytes)}
            )
        # Against the packed bytes read so far, not the declared size: a bomb stops at once.
        if size > RATIO_FLOOR and size > limits.max_ratio * packed:
            raise XlsxRejected(
                _(
                    "Part %(part)s of the workbook unpacks to more than %(ratio)s times its "
                    "packed size, which real workbooks never do, so the file was not opened. "
                    'Save it from Excel as "Excel Workbook (*.xlsx)" and upload it again.'
                )
                % {"part": _shown(name), "ratio": limits.max_ratio}
            )
        if scan is not None:
            _scanned(scan.feed, chunk, name)
            _check_extent(scan, name, limits)
    if size != info.file_size:  # the directory lied: a reader trusting it would see other data
        raise XlsxRejected(_damaged(name))
    if scan is None:
        return PartFacts(name, size)
    _scanned(scan.finish, None, name)
    _check_extent(scan, name, limits)
    return PartFacts(name, size, scan.max_row, scan.max_column, scan.first_formula)


def _scanned(step, chunk: bytes | None, name: str) -> None:
    try:
        step() if chunk is None else step(chunk)
    except DoctypeFound as error:
        raise XlsxRejected(
            _(
                "Part %(part)s of the file holds a document type declaration, which Excel never "
                'writes. Save it from Excel as "Excel Workbook (*.xlsx)" and upload it again.'
            )
            % {"part": _shown(name)}
        ) from error
    except UnreadableReference as error:
        raise XlsxRejected(
            _(
                "The file is damaged: cell reference %(ref)s in part %(part)s cannot be read. "
                'Save it from Excel as "Excel Workbook (*.xlsx)" and upload it again.'
            )
            % {"ref": _shown(str(error)), "part": _shown(name)}
        ) from error
    except UnterminatedMarkup as error:
        raise XlsxRejected(_damaged(name)) from error


def _check_extent(scan: Scan, name: str, limits: XlsxLimits) -> None:
    if scan.declared and _too_big(scan.declared[1], scan.declared[2], limits):
        text, rows, columns = scan.declared
        message = _(
            "The sheet (part %(part)s) declares its used range as %(range)s: %(rows)s rows × "
            "%(columns)s columns. At most %(max_rows)s rows, %(max_columns)s columns and "
            "%(max_cells)s cells are read. Delete the rows and columns below and to the right of "
            "the table, even those that look empty, save and upload again."
        )
    elif _too_big(scan.max_row, scan.max_column, limits):
        rows, columns = scan.max_row, scan.max_column
        text = cell_name(max(rows, 1), max(columns, 1))
        message = _(
            "The sheet (part %(part)s) reaches cell %(range)s: %(rows)s rows × %(columns)s "
            "columns. At most %(max_rows)s rows, %(max_columns)s columns and %(max_cells)s "
            "cells are read. Delete the rows and columns below and to the right of the table, "
            "even those that look empty, save and upload again."
        )
    else:
        return
    raise XlsxRejected(
        message
        % {
            "part": _shown(name),
            "range": _shown(text),
            "rows": f"{rows:,}",
            "columns": f"{columns:,}",
            "max_rows": f"{limits.max_rows:,}",
            "max_columns": f"{limits.max_columns:,}",
            "max_cells": f"{limits.max_cells:,}",
        }
    )


def _too_big(rows: int, columns: int, limits: XlsxLimits) -> bool:
    return (
        rows > limits.max_rows or columns > limits.max_columns or rows * columns > limits.max_cells
    )


def _inflate(raw: BinaryIO, info: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
    """The member's bytes as its whole deflate stream gives them, at most CHUNK at a time, each
    with the number of packed bytes read so far. zipfile stops at the size the directory
    declares; a reader that does not would see more."""
    if info.flag_bits & 0x1 or info.compress_type not in (ZIP_STORED, ZIP_DEFLATED):
        raise XlsxRejected(
            _(
                "Part %(part)s of the file is encrypted or packed in a way Excel does not use. "
                "Remove any password, then save and upload it again."
            )
            % {"part": _shown(info.filename)}
        )
    raw.seek(info.header_offset)
    header = raw.read(LOCAL_HEADER.size)
    if len(header) != LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise XlsxRejected(_damaged(info.filename))
    _signature, name_length, extra_length = LOCAL_HEADER.unpack(header)
    raw.seek(info.header_offset + LOCAL_HEADER.size + name_length + extra_length)
    left = info.compress_size
    if info.compress_type == ZIP_STORED:
        while left > 0:
            block = raw.read(min(CHUNK, left))
            if not block:
                raise XlsxRejected(_damaged(info.filename))
            left -= len(block)
            yield block, info.compress_size - left
        return
    inflater, pending = zlib.decompressobj(-zlib.MAX_WBITS), b""
    while not inflater.eof:
        if not pending:
            pending = raw.read(min(CHUNK, left)) if left > 0 else b""
            if not pending:  # the stream stops short
                raise XlsxRejected(_damaged(info.filename))
            left -= len(pending)
        try:
            # max_length: a few bytes of input may stand for gigabytes of output.
            block = inflater.decompress(pending, CHUNK)
        except zlib.error as error:
            raise XlsxRejected(_damaged(info.filename)) from error
        pending = inflater.unconsumed_tail
        if block:
            yield block, info.compress_size - left - len(pending)


def _damaged(part: str) -> str:
    return _(
        "The file is damaged: part %(part)s cannot be unpacked as the file describes it. "
        'Save it from Excel as "Excel Workbook (*.xlsx)" and upload it again.'
    ) % {"part": _shown(part)}


def _shown(text: str) -> str:
    """Names and references come from the file: keep what reaches the page short."""
    return text if len(text) <= 80 else text[:77] + "…"


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f}"
