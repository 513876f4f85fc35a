"""The bulletin's table as Excel, in the layout offices print (南平's 完成情况一览表): a merged
title row, the unit line, the header, then 合计 → stage → area group rows in bold with their
subtotals, each followed by its projects. A second sheet lists every red light.

Rows are written in order with xlsxwriter's constant_memory mode, so 20,000 projects take
about a second and little memory. Every text cell is written as a string (lib/xlsx.py): a
project named "=HYPERLINK(…)" stays a name. Amounts and shares are numbers rounded once by
lib/figures_format.py, laid out with its number formats (the same digits as the page and PDF).
"""

from __future__ import annotations

from typing import IO

from gongjian.bulletin.data import Bulletin, Kind, Row
from gongjian.lib.figures_format import EXCEL_PERCENT, EXCEL_WAN, percent, wan
from gongjian.lib.xlsx import merged_text, new_workbook, text_row

HEADER_ROW = 2
COLUMNS = [  # (header, width in characters)
    ("序号", 6),
    ("项目名称", 40),
    ("总投资", 12),
    ("年度计划", 12),
    ("{span}完成", 12),
    ("占年计划%", 10),
    ("形象进度", 36),
    ("责任单位", 22),
    ("包保领导", 10),
]
RED_COLUMNS = [("序号", 6), ("项目名称", 40), ("责任单位", 22), ("地区", 10), ("亮灯原因", 90)]
LAST = len(COLUMNS) - 1


def headers(bulletin: Bulletin) -> list[str]:
    return [header.format(span=bulletin.span) for header, _width in COLUMNS]


def write_xlsx(bulletin: Bulletin, target: str | IO[bytes]) -> None:
    book = new_workbook(target, {"constant_memory": True})
    styles = _styles(book)
    _table_sheet(book, styles, bulletin)
    _red_sheet(book, styles, bulletin)
    book.close()


def _styles(workbook) -> dict:
    base = {"border": 1, "valign": "vcenter", "font_size": 10}
    amount = {"num_format": EXCEL_WAN}
    share = {"num_format": EXCEL_PERCENT}
    group = {"bold": True, "bg_color": "#F2F2F2"}
    total = {"bold": True, "bg_color": "#DDEBF7"}
    styles = {
        "title": workbook.add_format({"bold": True, "font_size": 16, "align": "center"}),
        "unit": workbook.add_format({"align": "right", "font_size": 10}),
        "header": workbook.add_format(
            {**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9D9D9"}
        ),
        "text": workbook.add_format(base),
        "wrap": workbook.add_format({**base, "text_wrap": True}),
        "seq": workbook.add_format({**base, "align": "center"}),
        "amount": workbook.add_format({**base, **amount}),
        "share": workbook.add_format({**base, **share}),
    }
    for kind, look in ((Kind.TOTAL, total), (Kind.STAGE, group), (Kind.AREA, group)):
        styles[kind] = {
            "text": workbook.add_format({**base, **look}),
            "amount": workbook.add_format({**base, **look, **amount}),
            "share": workbook.add_format({**base, **look, **share}),
        }
    return styles


def _table_sheet(workbook, styles: dict, bulletin: Bulletin) -> None:
    sheet = workbook.add_worksheet("一览表")
    for index, (_header, width) in enumerate(COLUMNS):
        sheet.set_column(index, index, width)
    sheet.set_row(0, 30)
    merged_text(sheet, 0, 0, 0, LAST, bulletin.title, styles["title"])
    merged_text(sheet, 1, 0, 1, LAST, "单位：万元", styles["unit"])
    sheet.set_row(HEADER_ROW, 30)
    text_row(sheet, HEADER_ROW, 0, headers(bulletin), styles["header"])
    for number, row in enumerate(bulletin.rows, start=HEADER_ROW + 1):
        _write_row(sheet, number, row, styles)
    sheet.freeze_panes(HEADER_ROW + 1, 2)
    _print_setup(sheet)
    sheet.repeat_rows(HEADER_ROW)


def _write_row(sheet, number: int, row: Row, styles: dict) -> None:
    figures = row.figures
    look = styles[row.kind] if row.is_group else styles
    if row.is_group:
        sheet.write_blank(number, 0, None, look["text"])
    else:
        sheet.write_number(number, 0, row.seq, styles["seq"])
    sheet.write_string(number, 1, row.label, look["text"])
    sheet.write_number(number, 2, wan(figures.total_investment).number, look["amount"])
    sheet.write_number(number, 3, wan(figures.annual_plan).number, look["amount"])
    sheet.write_number(number, 4, wan(figures.completed).number, look["amount"])
    share = percent(figures.completed, figures.annual_plan)
    if share is None:
        sheet.write_blank(number, 5, None, look["share"])
    else:
        sheet.write_number(number, 5, share.number, look["share"])
    sheet.write_string(number, 6, row.progress, styles["wrap"] if row.progress else look["text"])
    sheet.write_string(number, 7, row.unit, look["text"])
    sheet.write_string(number, 8, row.leader, look["text"])


def _red_sheet(workbook, styles: dict, bulletin: Bulletin) -> None:
    sheet = workbook.add_worksheet("红灯项目")
    for index, (_header, width) in enumerate(RED_COLUMNS):
        sheet.set_column(index, index, width)
    last = len(RED_COLUMNS) - 1
    sheet.set_row(0, 30)
    title = f"{bulletin.place}{bulletin.year}年{bulletin.span}亮红灯项目名单"
    merged_text(sheet, 0, 0, 0, last, title, styles["title"])
    text_row(sheet, 1, 0, [header for header, _width in RED_COLUMNS], styles["header"])
    for number, item in enumerate(bulletin.red, start=1):
        sheet.write_number(number + 1, 0, number, styles["seq"])
        texts = [item.project, item.unit, item.area, item.explanation]
        text_row(sheet, number + 1, 1, texts, styles["wrap"])
    sheet.freeze_panes(2, 0)
    _print_setup(sheet)
    sheet.repeat_rows(1)


def _print_setup(sheet) -> None:
    sheet.set_landscape()
    sheet.set_paper(8)  # A3
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页")
