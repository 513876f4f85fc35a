"""Make an uploaded progress photo (形象进度照片) safe to store.

Phones write the site's GPS position into EXIF, and a file that decodes as an image
can still carry a script or a ZIP after its last byte, so only the pixels are encoded
again. The capture time is read first and returned separately: 统计入库 evidence has
to show when a photo was taken. ``PhotoRejected`` messages are meant for the uploader.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from django.utils.translation import gettext
from PIL import Image, ImageFile, ImageOps

EXIF_IFD = 0x8769  # DateTimeOriginal lives in this sub-IFD, not in IFD0 with DateTime
DATE_TIME_ORIGINAL, DATE_TIME = 36867, 306
MAGIC = (b"\xff\xd8", b"\x89PNG\r\n\x1a\n")  # JPEG, PNG
# What Pillow's parsers and decoders raise on hostile or cut-off input.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error)
OUTPUT = {  # format: content type, extension, save() options
    "JPEG": ("image/jpeg", ".jpg", {"quality": 85, "progressive": True, "optimize": True}),
    "PNG": ("image/png", ".png", {}),
}


class PhotoRejected(ValueError):
    """The upload cannot be stored as a photo; ``str(error)`` is meant for the user."""


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    content_type: str  # "image/jpeg" or "image/png"
    extension: str  # ".jpg" or ".png"
    width: int
    height: int
    taken_at: datetime | None  # naive camera-local time from EXIF, None if unknown


def parse_exif_datetime(value: object) -> datetime | None:
    """'YYYY:MM:DD HH:MM:SS' as a naive datetime; None for zeros, blanks or junk."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    try:
        return datetime.strptime(value.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except (AttributeError, ValueError):  # AttributeError: not a string at all
        return None


def _taken_at(img: Image.Image) -> datetime | None:
    # DateTimeOriginal first: DateTime is rewritten by every editor that saves the file.
    try:
        exif = img.getexif()
        candidates = (exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL), exif.get(DATE_TIME))
    except DECODE_ERRORS:  # a broken EXIF block costs the date, not the photo
        return None
    return next(filter(None, map(parse_exif_datetime, candidates)), None)


def _read(data: bytes | BinaryIO, max_bytes: int) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        data = data.read(max_bytes + 1)  # one byte past the limit proves it is too big
    raw = bytes(data)
    if len(raw) > max_bytes:
        limit = f"{max_bytes / 2**20:.3g}"
        raise PhotoRejected(gettext("The photo is larger than %(limit)s MB.") % {"limit": limit})
    if not raw:
        raise PhotoRejected(gettext("The file is empty."))
    return raw


def _fit(size: tuple[int, int], longest_side: int) -> tuple[int, int]:
    scale = min(1.0, longest_side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _open(raw: bytes, max_pixels: int) -> Image.Image:
    """Read the header only: refusing a decompression bomb must cost nothing."""
    too_many = gettext("The photo has too many pixels; at most %(limit)s million are accepted.")
    too_many %= {"limit": f"{max_pixels / 1e6:.3g}"}
    # Pillow only warns between MAX_IMAGE_PIXELS and twice that. catch_warnings is
    # process-wide before Python 3.14; a thread race can at worst leave this filter on.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(raw), formats=("JPEG", "PNG"))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as e:
        raise PhotoRejected(too_many) from e
    except DECODE_ERRORS as e:  # UnidentifiedImageError is one; JPEG/PNG magic means cut short
        if isinstance(e, Image.UnidentifiedImageError) and not raw.startswith(MAGIC):
            raise PhotoRejected(gettext("Only JPEG or PNG photos are accepted.")) from e
        raise PhotoRejected(gettext("The image is damaged or incomplete.")) from e
    if img.width * img.height > max_pixels:
        raise PhotoRejected(too_many)
    return img


def _pixels_only(img: Image.Image, fmt: str) -> Image.Image:
    if img.mode.startswith("I"):  # 16-bit grey: scale it, convert() would clip to white
        img = img.convert("I").point(lambda v: v / 257).convert("L")
    if fmt == "JPEG":
        mode = "RGB"
    else:  # transparency: an alpha band, palette alpha or a tRNS colour
        mode = "RGBA" if img.has_transparency_data else "L" if img.mode in ("1", "L") else "RGB"
    img = img.convert(mode)
    # A new image has an empty .info. Deleting keys is not enough: save() carries over
    # JPEG comments and PNG ICC profiles from .info, and Pillow adds more over time.
    clean = Image.new(mode, img.size)
    clean.paste(img)
    return clean


def clean_photo(
    data: bytes | BinaryIO,
    *,
    max_bytes: int = 10 * 1024 * 1024,
    max_pixels: int = 40_000_000,
    longest_side: int = 2560,
) -> CleanPhoto:
    """Re-encode a JPEG or PNG upload with nothing but its pixels; PhotoRejected if not.

    Upright, at most ``longest_side`` on its longest side, same format, PNG alpha kept.
    """
    # Pillow's switch is process-wide and WeasyPrint turns it on when imported (PDF output):
    # a truncated upload must still be refused, so it is turned off again before decoding.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    img = _open(_read(data, max_bytes), max_pixels)
    fmt = "PNG" if img.format == "PNG" else "JPEG"  # multi-picture JPEGs come as "MPO"
    if max(img.size) > longest_side:
        # JPEG only: decode at 1/2, 1/4 or 1/8 scale, so a 40 MP photo never fills memory.
        img.draft(None, _fit(img.size, longest_side))
    try:
        img.load()  # before getexif(): a PNG may put its eXIf chunk after the pixels
        taken_at = _taken_at(img)
        img = ImageOps.exif_transpose(img)
    except DECODE_ERRORS as e:
        raise PhotoRejected(gettext("The image is damaged or incomplete.")) from e
    if max(img.size) > longest_side:
        img = img.resize(_fit(img.size, longest_side), Image.Resampling.LANCZOS)
    clean = _pixels_only(img, fmt)
    content_type, extension, options = OUTPUT[fmt]
    out = io.BytesIO()
    clean.save(out, fmt, **options)
    return CleanPhoto(out.getvalue(), content_type, extension, *clean.size, taken_at)
