"""Hand-made .xlsx files, hostile and plain, for the upload guard's tests.

Each builder writes to a path and returns it. ``raw_zip`` writes the zip layer by hand, so a test
can make its directory lie about sizes or pack a part that zipfile would not.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET = "xl/worksheets/sheet1.xml"
A1 = '<row r="1"><c r="A1" t="inlineStr"><is><t>项目名称</t></is></c></row>'
SPACES = b" " * (1 << 20)


def sheet_xml(rows: str, *, dimension: str | None = None, head: str = "") -> str:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<worksheet xmlns="{MAIN}">{declared}'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def workbook(path: Path, sheet: str | bytes, **parts: str | bytes) -> Path:
    """A minimal workbook around `sheet`; `parts` adds or replaces members (by zip name, with
    "/" written as "__")."""
    members = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        SHEET: sheet,
    }
    members.update({name.replace("__", "/"): data for name, data in parts.items()})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def far_cell(path: Path) -> Path:
    """The attacker's file: A1 and XFD1048576, 1.5 KB; calamine asks for 512 GiB and aborts."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return workbook(path, sheet_xml(A1 + far, dimension="A1:XFD1048576"))


@dataclass(frozen=True)
class RawMember:
    name: str
    packed: bytes  # as stored in the file
    size: int  # the unpacked size the directory declares
    crc: int = 0
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def member(name: str, data: str | bytes, **changes) -> RawMember:
    data = data.encode() if isinstance(data, str) else data
    fields = {"packed": deflated(data), "size": len(data), "crc": zlib.crc32(data)}
    return RawMember(name, **(fields | changes))


def plain_members(sheet: str | bytes) -> list[RawMember]:
    return [
        member("[Content_Types].xml", CONTENT_TYPES),
        member("_rels/.rels", ROOT_RELS),
        member("xl/workbook.xml", WORKBOOK),
        member("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        member(SHEET, sheet),
    ]


def raw_zip(path: Path, members: list[RawMember]) -> Path:
    """A zip written byte by byte, trusting whatever each member declares."""
    body, directory = bytearray(), bytearray()
    for item in members:
        name, offset = item.name.encode(), len(body)
        sizes = (item.crc, len(item.packed), item.size, len(name))
        body += struct.pack(
            "<4s5H3I2H", b"PK\x03\x04", 20, item.flags, item.method, 0, 0, *sizes, 0
        )
        body += name + item.packed
        directory += struct.pack(
            "<4s6H3I5H2I",
            b"PK\x01\x02",
            20,
            20,
            item.flags,
            item.method,
            0,
            0,
            *sizes,
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += name
    end = struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0
    )
    path.write_bytes(bytes(body + directory + end))
    return path


@lru_cache(maxsize=4)
def spaces_bomb(megabytes: int) -> RawMember:
    """xl/workbook.xml as `megabytes` MiB of spaces in about 1/1000 of that: the issue's 1 MB
    file that inflates to 1 GiB. Built in well under a second: once the window holds only
    spaces, every further MiB of spaces packs to the same bytes."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}">'.encode()
    tail = b"</workbook>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = packer.compress(head + SPACES) + packer.flush(zlib.Z_SYNC_FLUSH)
    steady = packer.compress(SPACES) + packer.flush(zlib.Z_SYNC_FLUSH)
    last = packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head + SPACES)
    for _ in range(megabytes - 1):
        crc = zlib.crc32(SPACES, crc)
    crc = zlib.crc32(tail, crc)
    packed = first + steady * (megabytes - 1) + last
    return RawMember("xl/workbook.xml", packed, len(head) + (megabytes << 20) + len(tail), crc)


def inflating_workbook(path: Path, megabytes: int = 1024) -> Path:
    members = plain_members(sheet_xml(A1))
    members[2] = spaces_bomb(megabytes)
    return raw_zip(path, members)
