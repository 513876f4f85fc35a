"""An OpenType font for PDFs we draw ourselves (the bulletin's annex table): measuring text,
encoding it as glyph ids, and embedding the subset of the font that the text used.

We draw long tables straight into PDF because WeasyPrint spends about 10 ms per table row on
layout (see bulletin/annex.py). The font is the one WeasyPrint uses, found through fontconfig,
and is embedded the way WeasyPrint embeds it: the OpenType file itself (FontFile3/OpenType) as
a CID font under Identity-H, with the text as 2-byte glyph ids, a /W array of advances and a
ToUnicode map, so the text can be searched and copied.

Subsetting goes through HarfBuzz (libharfbuzz-subset, the library WeasyPrint uses): fontTools
needs 10 s to subset Noto Sans CJK, HarfBuzz 0.1 s. The subset keeps glyph ids as they are in
the full font, so the ids written while drawing stay valid.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import subprocess
from dataclasses import dataclass

import pydyf
from fontTools.ttLib import TTFont

SUBSET_LIBRARY = "harfbuzz-subset"


class FontError(RuntimeError):
    pass


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int  # the face's number inside a collection (.ttc)
    family: str


@functools.cache
def find_font(pattern: str) -> FontFile:
    """The font fontconfig picks for a pattern such as "Noto Sans CJK SC:bold". fontconfig
    always answers with something; a face of another family means the font isn't installed."""
    try:
        answer = subprocess.run(
            ["fc-match", "-f", "%{file}\t%{index}\t%{family}", pattern],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise FontError(f"fontconfig could not look up {pattern!r}: {error}") from error
    path, index, family = answer.split("\t", 2)
    wanted = pattern.split(":", 1)[0]
    if wanted not in family.split(","):
        raise FontError(f"The font {wanted!r} is not installed (install fonts-noto-cjk).")
    return FontFile(path=path, index=int(index), family=wanted)


@dataclass(frozen=True)
class Metrics:
    """What layout needs from a face, read once per process (about 0.3 s for Noto Sans CJK)."""

    glyph_of_char: dict[int, int]
    advance_of_glyph: dict[int, int]  # thousandths of the font size
    ascent: int
    descent: int  # negative
    bbox: tuple[int, int, int, int]
    cap_height: int
    postscript_name: str


@functools.cache
def read_metrics(file: FontFile) -> Metrics:
    font = TTFont(file.path, fontNumber=file.index, lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    glyph_ids = font.getReverseGlyphMap()
    head, hhea = font["head"], font["hhea"]
    ascent = round(hhea.ascent * scale)
    return Metrics(
        glyph_of_char={char: glyph_ids[name] for char, name in font.getBestCmap().items()},
        advance_of_glyph={
            glyph_ids[name]: round(advance * scale)
            for name, (advance, _bearing) in font["hmtx"].metrics.items()
        },
        ascent=ascent,
        descent=round(hhea.descent * scale),
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        cap_height=round(getattr(font["OS/2"], "sCapHeight", 0) * scale) or ascent,
        postscript_name=font["name"].getDebugName(6) or file.family.replace(" ", ""),
    )


class Font:
    """One face at any size, and the glyphs a document used from it. Widths are in
    thousandths of the font size (PDF text space)."""

    def __init__(self, file: FontFile, resource_name: str):
        self.file = file
        self.resource_name = resource_name  # /R in the page's /Font resources
        metrics = read_metrics(file)
        self._glyph_of_char = metrics.glyph_of_char
        self._advance_of_glyph = metrics.advance_of_glyph
        self.ascent, self.descent = metrics.ascent, metrics.descent
        self.bbox, self.cap_height = list(metrics.bbox), metrics.cap_height
        self.postscript_name = metrics.postscript_name
        self._widths: dict[str, int] = {}
        self.used: dict[int, str] = {}  # glyph id → the text it stands for (ToUnicode)

    def width(self, text: str) -> int:
        """The advance of `text` in thousandths of the font size."""
        widths = self._widths
        total = 0
        for char in text:
            advance = widths.get(char)
            if advance is None:
                advance = widths[char] = self._advance_of_glyph[self._glyph(char)]
            total += advance
        return total

    def encode(self, text: str) -> str:
        """The text as a PDF hex string of glyph ids; records the glyphs for the subset."""
        used = self.used
        codes = []
        for char in text:
            glyph = self._glyph(char)
            if glyph not in used:
                used[glyph] = char
            codes.append(f"{glyph:04x}")
        return "<" + "".join(codes) + ">"

    def _glyph(self, char: str) -> int:
        # 0 is .notdef: a character the font lacks is drawn as its empty box.
        return self._glyph_of_char.get(ord(char), 0)

    def embed(self, pdf: pydyf.PDF, font_dictionary: pydyf.Dictionary) -> None:
        """Fill `font_dictionary` (already added to `pdf`, so pages could point at it) with the
        Type 0 font of the glyphs used so far."""
        glyphs = sorted(self.used) or [0]
        tag = "".join(
            chr(65 + byte % 26)
            for byte in hashlib.md5(repr(glyphs).encode(), usedforsecurity=False).digest()[:6]
        )
        name = f"/{tag}+{self.postscript_name}"
        font_file = pydyf.Stream(
            [subset(self.file, glyphs)], {"Subtype": "/OpenType"}, compress=True
        )
        pdf.add_object(font_file)
        descriptor = pydyf.Dictionary(
            {
                "Type": "/FontDescriptor",
                "FontName": name,
                "Flags": 4,  # symbolic: glyphs outside the standard Latin set
                "FontBBox": pydyf.Array(self.bbox),
                "ItalicAngle": 0,
                "Ascent": self.ascent,
                "Descent": self.descent,
                "CapHeight": self.cap_height,
                "StemV": 80,
                "FontFile3": font_file.reference,
            }
        )
        pdf.add_object(descriptor)
        descendant = pydyf.Dictionary(
            {
                "Type": "/Font",
                "Subtype": "/CIDFontType0",
                "BaseFont": name,
                "CIDSystemInfo": pydyf.Dictionary(
                    {
                        "Registry": pydyf.String("Adobe"),
                        "Ordering": pydyf.String("Identity"),
                        "Supplement": 0,
                    }
                ),
                "CIDToGIDMap": "/Identity",
                "W": pydyf.Array(self._width_array(glyphs)),
                "FontDescriptor": descriptor.reference,
            }
        )
        pdf.add_object(descendant)
        to_unicode = pydyf.Stream(_to_unicode_cmap(self.used), compress=True)
        pdf.add_object(to_unicode)
        font_dictionary.update(
            {
                "Type": "/Font",
                "Subtype": "/Type0",
                "BaseFont": name,
                "Encoding": "/Identity-H",
                "DescendantFonts": pydyf.Array([descendant.reference]),
                "ToUnicode": to_unicode.reference,
            }
        )

    def _width_array(self, glyphs: list[int]) -> list:
        """/W as runs: first id, then the advances of consecutive ids."""
        array: list = []
        previous = None
        for glyph in glyphs:
            if previous is None or glyph != previous + 1:
                array += [glyph, pydyf.Array()]
            array[-1].append(self._advance_of_glyph.get(glyph, 0))
            previous = glyph
        return array


def _to_unicode_cmap(used: dict[int, str]) -> list[bytes]:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted((glyph, char) for glyph, char in used.items() if glyph)
    for start in range(0, len(items), 100):  # at most 100 entries per block
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        for glyph, char in batch:
            lines.append(f"<{glyph:04x}> <{char.encode('utf-16-be').hex()}>".encode())
        lines.append(b"endbfchar")
    lines += [
        b"endcmap",
        b"CMapName currentdict /CMap defineresource pop",
        b"end",
        b"end",
    ]
    return lines


# HarfBuzz's subsetter, through ctypes ------------------------------------------------------

_RETAIN_GIDS = 0x2
_NO_HINTING = 0x1
_DESUBROUTINIZE = 0x4
_DROP_TABLE_TAG_SET = 3  # HB_SUBSET_SETS_DROP_TABLE_TAG
_DROPPED_TABLES = (b"BASE", b"DSIG", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"VORG")


@functools.cache
def _harfbuzz() -> ctypes.CDLL:
    name = ctypes.util.find_library(SUBSET_LIBRARY) or "libharfbuzz-subset.so.0"
    try:
        library = ctypes.CDLL(name)
    except OSError as error:
        raise FontError(
            f"HarfBuzz's subsetter ({name}) is not installed (install libharfbuzz-subset0)."
        ) from error
    pointer, uint = ctypes.c_void_p, ctypes.c_uint
    signatures = {
        "hb_blob_create_from_file_or_fail": (pointer, [ctypes.c_char_p]),
        "hb_blob_get_data": (pointer, [pointer, ctypes.POINTER(uint)]),
        "hb_blob_destroy": (None, [pointer]),
        "hb_face_create": (pointer, [pointer, uint]),
        "hb_face_reference_blob": (pointer, [pointer]),
        "hb_face_destroy": (None, [pointer]),
        "hb_set_add": (None, [pointer, ctypes.c_uint32]),
        "hb_tag_from_string": (ctypes.c_uint32, [ctypes.c_char_p, ctypes.c_int]),
        "hb_subset_input_create_or_fail": (pointer, []),
        "hb_subset_input_glyph_set": (pointer, [pointer]),
        "hb_subset_input_set": (pointer, [pointer, ctypes.c_int]),
        "hb_subset_input_set_flags": (None, [pointer, uint]),
        "hb_subset_input_destroy": (None, [pointer]),
        "hb_subset_or_fail": (pointer, [pointer, pointer]),
    }
    for function, (restype, argtypes) in signatures.items():
        getattr(library, function).restype = restype
        getattr(library, function).argtypes = argtypes
    return library


def subset(file: FontFile, glyphs: list[int]) -> bytes:
    """The font reduced to `glyphs`, each keeping its id; the other ids stay as empty slots."""
    hb = _harfbuzz()
    blob = hb.hb_blob_create_from_file_or_fail(file.path.encode())
    if not blob:
        raise FontError(f"Cannot read the font file {file.path}.")
    face = hb.hb_face_create(blob, file.index)
    request = hb.hb_subset_input_create_or_fail()
    result = None
    try:
        glyph_set = hb.hb_subset_input_glyph_set(request)
        hb.hb_set_add(glyph_set, 0)
        for glyph in glyphs:
            hb.hb_set_add(glyph_set, glyph)
        drop = hb.hb_subset_input_set(request, _DROP_TABLE_TAG_SET)
        for table in _DROPPED_TABLES:
            hb.hb_set_add(drop, hb.hb_tag_from_string(table, -1))
        hb.hb_subset_input_set_flags(request, _RETAIN_GIDS | _NO_HINTING | _DESUBROUTINIZE)
        result = hb.hb_subset_or_fail(face, request)
        if not result:
            raise FontError(f"HarfBuzz could not subset {file.path}.")
        data_blob = hb.hb_face_reference_blob(result)
        length = ctypes.c_uint()
        data = ctypes.string_at(hb.hb_blob_get_data(data_blob, ctypes.byref(length)), length.value)
        hb.hb_blob_destroy(data_blob)
        return data
    finally:
        if result:
            hb.hb_face_destroy(result)
        hb.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
