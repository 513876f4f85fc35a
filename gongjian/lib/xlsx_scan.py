"""Find how far a worksheet's XML reaches, read in chunks, without parsing it into a tree.

A reader such as python-calamine builds one grid from the first to the last cell it meets, so
what matters is the largest row and column any cell or row names — whatever the declared
``<dimension>`` says. Lenient XML parsers place a cell without ``r`` after the previous one, take
the last of several ``r`` attributes, accept lower-case and single-quoted references, namespace
prefixes and ``<`` inside attribute values; each of these was seen to reach the same huge
allocation, so each is read here.

``FastScan`` reads the form every real writer uses (Excel, WPS, xlsxwriter, openpyxl, our
export) with a few C-speed regex passes per chunk and raises ``NeedsCarefulScan`` at anything
else; ``CarefulScan`` then tokenizes the whole part. Both note the first formula cell, so the
importer needs no second pass over the sheet.
"""

from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter

# The longest tag, comment or unfinished markup carried from one chunk to the next; real parts
# never come close (a cell's text is at most 32,767 characters).
MAX_MARKUP = 1 << 20

# Fast path: no namespace prefix, r first in double quotes, one r per tag. When every tag start
# and every r attribute belongs to such a reference, the references are the whole story.
C_START = re.compile(rb"<c[\s/>]")
C_FAST = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"')
ROW_START = re.compile(rb"<row[\s/>]")
ROW_FAST = re.compile(rb'<row r="([0-9]{1,7})"')
R_ATTRIBUTE = re.compile(rb"r(?<![\w.:-]r)\s*=")  # look-behind after the r: 9× faster than before
PREFIXED = re.compile(rb":(?:c|row|f|dimension)[\s/>]")
F_START = re.compile(rb"<f[\s/>]")
DOCTYPE = re.compile(rb"<!(?i:doctype)")
_ATTRS = rb"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+"""  # quoted values may hold < and >
DIMENSION = re.compile(rb"<dimension(?=[\s/>])(" + _ATTRS + rb")>")
# Careful path: everything up to the next row, c, f or dimension tag is skipped inside the regex
# engine — text, closing tags, other tags, comments, CDATA, processing instructions — so no
# markup can hide a cell by putting the scan out of step.
_RELEVANT = rb"(?:[\w.-]+:)?(?:row|c|f|dimension)(?=[\s/>])"
SKIP = (
    rb"(?:[^<]++|</[^>]*+>|<(?!" + _RELEVANT + rb")[^\s/>!?<]++" + _ATTRS + rb">"
    rb"|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>)*+"
)
SKIP_ONLY = re.compile(SKIP, re.S)
TOKEN = re.compile(SKIP + rb"<(?:[\w.-]+:)?(row|c|f|dimension)(?=[\s/>])(" + _ATTRS + rb")>", re.S)
ATTRIBUTE = re.compile(rb"""([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
RANGE = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?")


class NeedsCarefulScan(Exception):
    """The fast path met markup it does not read exactly: read the part again with CarefulScan."""


class DoctypeFound(ValueError):
    """Excel never writes a document type declaration; entity declarations build XML bombs."""


class UnterminatedMarkup(ValueError):
    """A tag, comment or CDATA section that does not end within MAX_MARKUP bytes, or at all."""


class UnreadableReference(ValueError):
    """A row or cell reference no reader can place; ``args[0]`` is the reference as text."""


class Scan:
    """The largest row and column, the largest declared range and the first formula cell of one
    XML part, fed in chunks."""

    def __init__(self):
        self.max_row = self.max_column = 0
        self.declared: tuple[str, int, int] | None = None  # (range, rows, columns), the largest
        self.first_formula: str | None = None  # A1 name; "?" if no cell came before it
        self._carry = b""

    def feed(self, chunk: bytes) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def _dimension(self, attributes: bytes) -> None:
        for key, double, single in ATTRIBUTE.findall(attributes):
            declared = RANGE.fullmatch((double or single).strip()) if key == b"ref" else None
            if declared is None:  # readers ignore a range they cannot parse
                continue
            first, first_row, last, last_row = declared.groups()
            rows = max(int(first_row), int(last_row or 0))
            columns = max(column_number(first), column_number(last) if last else 0)
            if self.declared is None or rows * columns > self.declared[1] * self.declared[2]:
                self.declared = (declared.group(0).decode().upper(), rows, columns)


class FastScan(Scan):
    def __init__(self):
        super().__init__()
        self._last_cell: tuple[bytes, bytes] | None = None

    def feed(self, chunk: bytes) -> None:
        data = self._carry + chunk
        cut = data.rfind(b"<")  # markup starts only at "<": the last one may be cut short
        body, self._carry = (data, b"") if cut < 0 else (data[:cut], data[cut:])
        if len(self._carry) > MAX_MARKUP:
            raise NeedsCarefulScan
        self._read(body)

    def finish(self) -> None:
        self._read(self._carry)
        self._carry = b""

    def _read(self, body: bytes) -> None:
        cells = C_FAST.findall(body)
        rows = ROW_FAST.findall(body)
        if (
            len(cells) != len(C_START.findall(body))
            or len(rows) != len(ROW_START.findall(body))
            or len(cells) + len(rows) != len(R_ATTRIBUTE.findall(body))
            or PREFIXED.search(body)
        ):
            raise NeedsCarefulScan
        if DOCTYPE.search(body):
            raise DoctypeFound
        if cells:
            columns = set(map(itemgetter(0), cells))
            self.max_column = max(self.max_column, *map(column_number, columns))
            self.max_row = max(self.max_row, *map(int, set(map(itemgetter(1), cells))))
        if rows:
            self.max_row = max(self.max_row, *map(int, rows))
        for dimension in DIMENSION.finditer(body):
            self._dimension(dimension.group(1))
        if self.first_formula is None and (formula := F_START.search(body)):
            before = C_FAST.findall(body, 0, formula.start())
            cell = before[-1] if before else self._last_cell
            self.first_formula = (cell[0].decode().upper() + cell[1].decode()) if cell else "?"
        if cells:
            self._last_cell = cells[-1]


class CarefulScan(Scan):
    """A tokenizer for what a lenient parser reads: a cell without r follows the previous one,
    a row without r follows the previous row (or cell, if further down), the largest of several
    r attributes counts, and attribute values are read whole whatever they hold."""

    def __init__(self):
        super().__init__()
        self._row = 0  # the current <row>
        self._cell_row = self._column = 0  # the current cell

    def feed(self, chunk: bytes) -> None:
        data = self._carry + chunk
        position = 0
        while (token := TOKEN.match(data, position)) is not None:
            position = token.end()
            self._token(token.group(1), token.group(2))
        self._carry = data[SKIP_ONLY.match(data, position).end() :]
        if DOCTYPE.match(self._carry):
            raise DoctypeFound
        if len(self._carry) > MAX_MARKUP:
            raise UnterminatedMarkup

    def finish(self) -> None:
        if self._carry.strip():
            raise UnterminatedMarkup

    def _token(self, tag: bytes, attributes: bytes) -> None:
        if tag == b"dimension":
            self._dimension(attributes)
        elif tag == b"f":
            if self.first_formula is None:
                self.first_formula = (
                    cell_name(self._cell_row, self._column) if self._column else "?"
                )
        else:
            refs = [
                double or single
                for key, double, single in ATTRIBUTE.findall(attributes)
                if key == b"r"
            ]
            if tag == b"row":
                self._start_row(refs)
            else:
                self._cell(refs)

    def _start_row(self, refs: list[bytes]) -> None:
        if refs:
            self._row = max(map(_row_number, refs))
        else:
            self._row = max(self._row, self._cell_row) + 1
        self._cell_row, self._column = self._row, 0
        self.max_row = max(self.max_row, self._row)

    def _cell(self, refs: list[bytes]) -> None:
        if refs:
            places = [_cell_place(ref) for ref in refs]
            self._cell_row = max(row for row, _column in places)
            self._column = max(column for _row, column in places)
        else:
            self._cell_row, self._column = self._row, self._column + 1
        self.max_row = max(self.max_row, self._cell_row)
        self.max_column = max(self.max_column, self._column)


def _row_number(ref: bytes) -> int:
    if not ref.isdigit() or len(ref) > 7:
        raise UnreadableReference(ref.decode("utf-8", "replace"))
    return int(ref)


def _cell_place(ref: bytes) -> tuple[int, int]:
    parsed = REF.fullmatch(ref)
    if parsed is None:
        raise UnreadableReference(ref.decode("utf-8", "replace"))
    return int(parsed.group(2)), column_number(parsed.group(1))


@lru_cache(maxsize=20_000)
def column_number(letters: bytes) -> int:
    """b"A" → 1, b"xfd" → 16384 (readers accept either case)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def cell_name(row: int, column: int) -> str:
    """1-based (row, column) to an A1 name."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"
