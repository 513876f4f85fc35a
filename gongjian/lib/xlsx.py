"""Every .xlsx we write starts here. Text from users is written with write_string (never
`sheet.write`, `write_row` or `merge_range` with text, which turn "=…", "+…", "-…" or "@…"
into live formulas and URLs into links). The workbook options below are the second line: even
a `write` that slips through stores such text as a string.

`inline_text` is for the exporter, which streams cells as XML itself.
"""

from __future__ import annotations

import re
from typing import IO

import xlsxwriter

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}

_XML_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
    # Not allowed in XML at all: control characters (but tab, newline, return) and U+FFFE/FFFF.
    | {chr(c): None for c in range(32) if chr(c) not in "\t\n\r"}
    | {"\ufffe": None, "\uffff": None}
)
# Excel reads "_x0041_" in a cell's text as the escaped character "A"; text that contains such
# a sequence is itself escaped (its "_" as "_x005F_"), as xlsxwriter does for shared strings.
_ESCAPED_CHARACTER = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def new_workbook(target: str | IO[bytes], options: dict | None = None) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(target, {**(options or {}), **SAFE_OPTIONS})


def merged_text(sheet, first_row, first_col, last_row, last_col, text: str, cell_format) -> None:
    """A merged range holding `text` as a string (merge_range alone would `write` it)."""
    sheet.merge_range(first_row, first_col, last_row, last_col, "", cell_format)
    sheet.write_string(first_row, first_col, text, cell_format)


def text_row(sheet, row: int, first_col: int, texts, cell_format=None) -> None:
    """`write_row` for text: every cell a string."""
    for offset, text in enumerate(texts):
        sheet.write_string(row, first_col + offset, text, cell_format)


def inline_text(text: str) -> str:
    """The body of an inline-string cell, `<is>…</is>`: escaped for XML and for Excel, with
    leading, trailing and repeated whitespace kept."""
    text = _ESCAPED_CHARACTER.sub(r"_x005F_\1", text.translate(_XML_ESCAPES))
    if text != text.strip() or "  " in text or "\n" in text:
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"
