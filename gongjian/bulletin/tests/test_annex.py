"""The annex table drawn straight into PDF: line breaking, paging, and the PDF it writes.
No database: the rows are built by hand."""

from __future__ import annotations

import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pydyf
from django.test import SimpleTestCase

from gongjian.bulletin import annex
from gongjian.bulletin.annex import Annex, Fonts, append_annex, wrap
from gongjian.bulletin.data import Figures, Kind, Row
from gongjian.lib.pdf_font import FontError, find_font

FONTS = None


def fonts() -> Fonts:
    global FONTS
    FONTS = FONTS or Fonts.noto()
    return FONTS


def project(seq: int, name: str = "青川云川智能算力中心项目", progress: str = "基础施工") -> Row:
    figures = Figures(1, Decimal("34400"), Decimal("13741.31"), Decimal("7804.91"))
    return Row(
        Kind.PROJECT, name, figures, seq=seq, progress=progress, unit="东湖区", leader="李四"
    )


def group(label: str, kind: str = Kind.AREA) -> Row:
    return Row(kind, label, Figures(3, Decimal("1"), Decimal("1"), Decimal("1")))


def bulletin(rows: list[Row]) -> SimpleNamespace:
    return SimpleNamespace(
        rows=rows, title="青川市2026年1-10月重点项目完成情况一览表", span="1-10月"
    )


class WrapTests(SimpleTestCase):
    """At 9 pt a CJK character is 9 pt wide: a 45 pt cell holds five."""

    def test_lines(self):
        cases = [
            ("fits on one line", "青川云川", 45, ["青川云川"]),
            (
                "breaks between CJK characters",
                "青川云川智能算力中心",
                45,
                ["青川云川智", "能算力中心"],
            ),
            (
                "a closing mark never starts a line",
                "青川云川智。算力",
                45,
                ["青川云川", "智。算力"],
            ),
            ("an opening mark never ends a line", "青川云川（二期）", 45, ["青川云川", "（二期）"]),
            ("a run of digits stays whole", "年产12345678吨", 45, ["年产", "12345678", "吨"]),
            ("a run wider than the cell breaks anywhere", "ABCDEFGHIJKLMNOPQRSTUV", 45, None),
            ("newlines and tabs are spaces", "一\n二\t三", 90, ["一 二 三"]),
            ("a space at a break is dropped", "一二三四 五六七", 36, ["一二三四", "五六七"]),
            ("empty text is one empty line", "", 45, [""]),
        ]
        font = fonts().regular
        for label, text, width, expected in cases:
            with self.subTest(label):
                lines = wrap(font, text, width)
                if expected is not None:
                    self.assertEqual(lines, expected)
                self.assertEqual("".join(lines).replace(" ", ""), "".join(text.split()))
                for line in lines:
                    self.assertLessEqual(font.width(line) * 9 / 1000, width, line)

    def test_a_character_wider_than_the_cell_still_gets_a_line(self):
        self.assertEqual(wrap(fonts().regular, "青川", 5), ["青", "川"])


class PagingTests(SimpleTestCase):
    def test_the_rows_fill_pages_in_order_and_every_page_is_within_the_margins(self):
        rows = [group("合计（300项）", Kind.TOTAL)] + [project(n) for n in range(1, 301)]
        sheet = Annex(bulletin(rows), fonts())
        pages = sheet.pages()
        self.assertGreater(len(pages), 5)
        self.assertEqual(sum(len(page) for page in pages), 301)
        for index, page in enumerate(pages):
            top = sheet.first_top if index == 0 else annex.MARGIN_TOP
            bottom = top + sheet.header.height + sum(line.height for line in page)
            self.assertLessEqual(bottom, sheet.bottom + 0.01, f"page {index + 1}")

    def test_a_group_row_is_carried_over_with_the_row_it_heads(self):
        sheet = Annex(bulletin([project(1)]), fonts())
        first_page_rows = len(sheet.pages()[0])  # a one-line project: the same height as a group
        per_page = int(
            (sheet.bottom - sheet.first_top - sheet.header.height) / sheet.pages()[0][0].height
        )
        self.assertEqual(first_page_rows, 1)
        # Fill the first page to its last slot with projects, then a stage and an area row.
        rows = [project(n) for n in range(1, per_page - 1)]
        rows += [group("二、签约（13项）", Kind.STAGE), group("市本级（3项）"), project(99)]
        pages = Annex(bulletin(rows), fonts()).pages()
        self.assertEqual(len(pages), 2)
        self.assertEqual(
            [line.cells[1].lines[0] for line in pages[1]][:2], ["二、签约（13项）", "市本级（3项）"]
        )
        self.assertFalse(pages[0][-1].bold)

    def test_a_cell_too_long_for_a_page_is_cut_with_an_ellipsis(self):
        sheet = Annex(bulletin([project(1, progress="施工" * 2000)]), fonts())
        [[line]] = sheet.pages()
        progress = line.cells[6].lines
        self.assertEqual(len(progress), sheet.max_lines)
        self.assertTrue(progress[-1].endswith("…"))
        self.assertLessEqual(sheet.first_top + sheet.header.height + line.height, annex.PAGE_HEIGHT)


class PdfTests(SimpleTestCase):
    def write(self, rows: list[Row]) -> Path:
        document = pydyf.PDF()
        count = append_annex(document, bulletin(rows), Fonts.noto())
        path = Path(tempfile.mkdtemp()) / "annex.pdf"
        with path.open("wb") as out:
            document.write(out, compress=True)
        self.assertEqual(document.pages["Count"], count)
        return path

    def text(self, path: Path) -> str:
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout

    def test_the_text_can_be_found_and_copied(self):
        rows = [group("合计（2项）", Kind.TOTAL), project(1), project(2, "Ｒ&D中心：α期（一）")]
        text = self.text(self.write(rows))
        for expected in (
            "附件",
            "单位：万元",
            "序号",
            "1-10月完成",
            "合计（2项）",
            "青川云川智能算力中心项目",
            "Ｒ&D中心：α期（一）",
            "34,400.00",
            "7,804.91",
            "56.8",
            "附件第1页，共1页",
        ):
            self.assertIn(expected, text)

    def test_the_header_repeats_on_every_page_and_the_font_is_a_subset(self):
        path = self.write([project(n) for n in range(1, 201)])
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        pages = int(info.split("Pages:")[1].split()[0])
        self.assertGreater(pages, 3)
        text = self.text(path)
        self.assertEqual(text.count("项目名称"), pages)
        self.assertIn(f"附件第{pages}页，共{pages}页", text)
        fonts_listed = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True
        ).stdout
        self.assertRegex(fonts_listed, r"[A-Z]{6}\+NotoSansCJKsc-Regular\s+CID Type 0C")
        self.assertRegex(fonts_listed, r"[A-Z]{6}\+NotoSansCJKsc-Bold")
        self.assertLess(path.stat().st_size, 3_000_000)  # the full face alone is 16 MB

    def test_a_missing_font_is_named(self):
        with self.assertRaisesMessage(FontError, "'No Such Font Sans' is not installed"):
            find_font("No Such Font Sans")
