"""The bulletin's annex (附件), the 一览表 table on A3 landscape, drawn straight into the PDF.

WeasyPrint lays out about 100 table rows a second on one core (measured: 2,000 rows in 17 s),
so a province's 20,000 rows took two and a half minutes. A ruled table needs little of what a
browser engine does: this module wraps each cell, breaks pages with the header row repeated,
keeps a group row (合计, stage, area) with the row under it, and writes the pages into the
PDF that WeasyPrint makes of the narrative (through WeasyPrint's `finisher` hook), so the
bulletin stays one file. Fonts: gongjian/lib/pdf_font.py.

Coordinates are in points from the page's top-left corner until they are written, where PDF
wants them from the bottom-left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pydyf

from gongjian.bulletin.data import Bulletin, Kind, Row
from gongjian.bulletin.xlsx import headers
from gongjian.lib.figures_format import percent, wan
from gongjian.lib.pdf_font import Font, find_font

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 420 * MM, 297 * MM  # A3 landscape
MARGIN_TOP, MARGIN_SIDE, MARGIN_BOTTOM = 14 * MM, 12 * MM, 12 * MM
# They fill the 396 mm between the margins; an amount column holds "100,000,000.00" in bold.
COLUMNS_MM = (12, 90, 28, 28, 28, 20, 81, 65, 44)
ALIGN = ("center", "left", "right", "right", "right", "right", "left", "left", "left")
SIZE = 9  # pt, the table's text
LEADING = 11.7  # pt, line height 1.3
PAD_X, PAD_Y = 1 * MM, 0.8 * MM
RULE = 0.5  # pt
HEADER_FILL = (0.851, 0.851, 0.851)
ROW_FILL = {Kind.TOTAL: (0.867, 0.922, 0.969), Kind.STAGE: (0.949,) * 3, Kind.AREA: (0.949,) * 3}
FOOTER_GREY = 0.4

# Line breaking: a line may break between any two CJK characters and at spaces, not inside a
# run of Latin letters or digits (an amount, a code); closing punctuation never starts a line
# and opening punctuation never ends one (避头尾).
NO_LINE_START = frozenset("，。、；：？！）》」』】〉〕”’％…·,.;:?!)]}%")
NO_LINE_END = frozenset("（《「『【〈〔“‘([{")
TOKEN = re.compile(r"[!-~]+| |.")


@dataclass
class Cell:
    lines: list[str]
    align: str


@dataclass
class Line:
    """One table row laid out: its cells' lines and its height."""

    cells: list[Cell]
    height: float
    bold: bool
    fill: tuple[float, ...] | None


@dataclass
class Fonts:
    regular: Font
    bold: Font

    @classmethod
    def noto(cls) -> Fonts:
        return cls(
            regular=Font(find_font("Noto Sans CJK SC"), "R"),
            bold=Font(find_font("Noto Sans CJK SC:bold"), "B"),
        )


def cell_texts(row: Row) -> tuple[str, ...]:
    """The row's nine cells as text, in the order of xlsx.COLUMNS (amounts with both decimals,
    lined up on the point as in the Excel)."""
    figures = row.figures
    share = percent(figures.completed, figures.annual_plan)
    return (
        "" if row.seq is None else str(row.seq),
        row.label,
        wan(figures.total_investment, trim=False).text,
        wan(figures.annual_plan, trim=False).text,
        wan(figures.completed, trim=False).text,
        "" if share is None else share.text,
        row.progress,
        row.unit,
        row.leader,
    )


def wrap(font: Font, text: str, width: float, size: float = SIZE) -> list[str]:
    """`text` broken into lines no wider than `width` points (a single character wider than
    the width still gets a line of its own)."""
    text = " ".join(text.split())  # newlines and tabs in a name are not layout
    limit = width * 1000 / size
    if font.width(text) <= limit:
        return [text]
    tokens: list[str] = []
    for token in TOKEN.findall(text):
        if tokens and token != " " and (token[0] in NO_LINE_START or tokens[-1][-1] in NO_LINE_END):
            tokens[-1] += token
        else:
            tokens.append(token)
    lines: list[str] = []
    line, used = "", 0
    for token in tokens:
        if token == " " and not line:
            continue
        advance = font.width(token)
        if used + advance <= limit:
            line, used = line + token, used + advance
            continue
        if line:
            lines.append(line.rstrip())
            line, used = "", 0
            if token == " ":
                continue
        if advance <= limit:
            line, used = token, advance
            continue
        for char in token:  # a run wider than the cell: break it anywhere
            advance = font.width(char)
            if line and used + advance > limit:
                lines.append(line)
                line, used = "", 0
            line, used = line + char, used + advance
    if line or not lines:
        lines.append(line.rstrip())
    return lines


class Annex:
    def __init__(self, bulletin: Bulletin, fonts: Fonts):
        self.bulletin = bulletin
        self.fonts = fonts
        self.left = MARGIN_SIDE
        self.edges = [self.left]
        for width in COLUMNS_MM:
            self.edges.append(self.edges[-1] + width * MM)
        self.bottom = PAGE_HEIGHT - MARGIN_BOTTOM
        self.max_lines: int | None = None  # the header itself is never cut
        self.header = self._line(headers(bulletin), bold=True, fill=HEADER_FILL, align="center")
        self.first_top = MARGIN_TOP + 12 * 1.3 + 16 * 1.3 + 2 * MM + LEADING + 1 * MM
        # A row never breaks across pages; one taller than the first page's room under the
        # title (a cell of about 1,400 characters) is cut.
        room = self.bottom - self.first_top - self.header.height - 2 * PAD_Y
        self.max_lines = int(room / LEADING)

    def _line(self, texts, *, bold: bool, fill, align: str | None = None) -> Line:
        font = self.fonts.bold if bold else self.fonts.regular
        cells = []
        for index, text in enumerate(texts):
            inner = self.edges[index + 1] - self.edges[index] - 2 * PAD_X
            lines = wrap(font, text, inner)
            if self.max_lines and len(lines) > self.max_lines:
                lines = lines[: self.max_lines]
                lines[-1] = lines[-1][:-1] + "…"
            cells.append(Cell(lines=lines, align=align or ALIGN[index]))
        height = max(len(cell.lines) for cell in cells) * LEADING + 2 * PAD_Y
        return Line(cells=cells, height=height, bold=bold, fill=fill)

    def pages(self) -> list[list[Line]]:
        """The rows laid out and cut into pages."""
        pages: list[list[Line]] = [[]]
        top = self.first_top + self.header.height
        for row in self.bulletin.rows:
            line = self._line(cell_texts(row), bold=row.is_group, fill=ROW_FILL.get(row.kind))
            page = pages[-1]
            if page and top + line.height > self.bottom:
                # Group rows at the foot of the page go over with the row they head.
                keep = 0
                while keep < len(page) and page[-1 - keep].bold:
                    keep += 1
                if keep == len(page):
                    keep = 0
                carried = page[len(page) - keep :]
                del page[len(page) - keep :]
                pages.append(carried)
                page = pages[-1]
                top = MARGIN_TOP + self.header.height + sum(item.height for item in carried)
            page.append(line)
            top += line.height
        return pages

    def draw(self, page: list[Line], number: int, count: int) -> bytes:
        ops: list[str] = []
        top = MARGIN_TOP
        if number == 1:
            top = self._draw_heading(ops)
        rows = [self.header, *page]
        y = top
        for row in rows:  # backgrounds first, then the rules over them, then the text
            if row.fill:
                ops.append(_fill(row.fill, self.left, y, self.edges[-1] - self.left, row.height))
            y += row.height
        ops.append(f"0 g 0 G {RULE} w")
        y = top
        for row in rows:
            ops.append(_rule(self.left, y, self.edges[-1], y))
            y += row.height
        ops.append(_rule(self.left, y, self.edges[-1], y))
        ops.extend(_rule(x, top, x, y) for x in self.edges)
        ops.append("S BT")
        y = top
        for row in rows:
            self._draw_row(ops, row, y)
            y += row.height
        footer = f"{self.bulletin.title}　附件第{number}页，共{count}页"
        ops.append(f"{FOOTER_GREY} g")
        self._text(
            ops, self.fonts.regular, 8, footer, PAGE_WIDTH / 2, self.bottom + 6 * MM, "center"
        )
        ops.append("ET")
        return "\n".join(ops).encode()

    def _draw_heading(self, ops: list[str]) -> float:
        """附件, the title and the unit above the first page's table; returns the y under them."""
        regular, bold = self.fonts.regular, self.fonts.bold
        ops.append("0 g BT")
        y = MARGIN_TOP
        self._text(
            ops, regular, 12, "附件", self.left, y + _baseline(regular, 12, 12 * 1.3), "left"
        )
        y += 12 * 1.3
        self._text(
            ops,
            bold,
            16,
            self.bulletin.title,
            PAGE_WIDTH / 2,
            y + _baseline(bold, 16, 16 * 1.3),
            "center",
        )
        y += 16 * 1.3 + 2 * MM
        self._text(
            ops,
            regular,
            SIZE,
            "单位：万元",
            self.edges[-1],
            y + _baseline(regular, SIZE, LEADING),
            "right",
        )
        ops.append("ET")
        return y + LEADING + 1 * MM

    def _draw_row(self, ops: list[str], row: Line, top: float) -> None:
        font = self.fonts.bold if row.bold else self.fonts.regular
        baseline = _baseline(font, SIZE, LEADING)
        for index, cell in enumerate(row.cells):
            if not any(cell.lines):
                continue
            if cell.align == "left":
                x = self.edges[index] + PAD_X
            elif cell.align == "right":
                x = self.edges[index + 1] - PAD_X
            else:
                x = (self.edges[index] + self.edges[index + 1]) / 2
            # Middle-aligned, as in the Excel.
            y = top + (row.height - len(cell.lines) * LEADING) / 2 + baseline
            for line in cell.lines:
                if line:
                    self._text(ops, font, SIZE, line, x, y, cell.align)
                y += LEADING

    def _text(
        self, ops, font: Font, size: float, text: str, x: float, y: float, align: str
    ) -> None:
        if align != "left":
            width = font.width(text) * size / 1000
            x -= width if align == "right" else width / 2
        ops.append(
            f"/{font.resource_name} {size} Tf 1 0 0 1 {x:.2f} {PAGE_HEIGHT - y:.2f} Tm "
            f"{font.encode(text)} Tj"
        )


def _baseline(font: Font, size: float, leading: float) -> float:
    """Where the baseline sits below the top of a line box (CSS: half the leading above)."""
    ascent, descent = font.ascent * size / 1000, -font.descent * size / 1000
    return (leading - ascent - descent) / 2 + ascent


def _fill(colour, x: float, y: float, width: float, height: float) -> str:
    r, g, b = colour if len(colour) == 3 else colour * 3
    return f"{r} {g} {b} rg {x:.2f} {PAGE_HEIGHT - y - height:.2f} {width:.2f} {height:.2f} re f"


def _rule(x1: float, y1: float, x2: float, y2: float) -> str:
    return f"{x1:.2f} {PAGE_HEIGHT - y1:.2f} m {x2:.2f} {PAGE_HEIGHT - y2:.2f} l"


def append_annex(pdf: pydyf.PDF, bulletin: Bulletin, fonts: Fonts | None = None) -> int:
    """Add the annex's pages to `pdf` (WeasyPrint's, before it is written); returns their number."""
    fonts = fonts or Fonts.noto()
    annex = Annex(bulletin, fonts)
    pages = annex.pages()
    font_objects = {font.resource_name: pydyf.Dictionary() for font in (fonts.regular, fonts.bold)}
    for font_object in font_objects.values():
        pdf.add_object(font_object)
    resources = pydyf.Dictionary(
        {"Font": pydyf.Dictionary({name: obj.reference for name, obj in font_objects.items()})}
    )
    pdf.add_object(resources)
    for number, page in enumerate(pages, start=1):
        content = pydyf.Stream([annex.draw(page, number, len(pages))], compress=True)
        pdf.add_object(content)
        pdf.add_page(
            pydyf.Dictionary(
                {
                    "Type": "/Page",
                    "Parent": pdf.pages.reference,
                    "MediaBox": pydyf.Array([0, 0, round(PAGE_WIDTH, 2), round(PAGE_HEIGHT, 2)]),
                    "Contents": content.reference,
                    "Resources": resources.reference,
                }
            )
        )
    fonts.regular.embed(pdf, font_objects[fonts.regular.resource_name])
    fonts.bold.embed(pdf, font_objects[fonts.bold.resource_name])
    return len(pages)
