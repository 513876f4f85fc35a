"""Tests for gongjian.lib.images. Every image is built in memory with Pillow."""

from __future__ import annotations

import dataclasses
import io
import os
import struct
import warnings
import zlib
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

from gongjian.lib.images import CleanPhoto, PhotoRejected, clean_photo, parse_exif_datetime

ONLY_JPEG_PNG = "Only JPEG or PNG photos are accepted."
DAMAGED = "The image is damaged or incomplete."
RED, BLUE = (255, 0, 0), (0, 0, 255)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **params)
    return out.getvalue()


def marked(size=(300, 200), mode="RGB") -> Image.Image:
    """Blue image with a red 20x20 block in the top-left corner, to follow rotations."""
    img = Image.new(mode, size, BLUE)
    img.paste(RED, (0, 0, 20, 20))
    return img


def camera_exif(orientation=6, original="2024:05:17 09:30:15", modified="2024:06:01 18:00:00"):
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "ACME Phone"  # Make
    if modified is not None:
        exif[306] = modified
    if original is not None:
        exif.get_ifd(0x8769)[36867] = original
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)})
    return exif


def jpeg_markers(data: bytes) -> list[int]:
    """Segment markers up to the first scan: every place a JPEG can hide metadata."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while True:
        marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        markers.append(marker)
        if marker == 0xDA:  # SOS: entropy-coded data follows
            return markers
        pos += 2 + length


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        chunks.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return chunks


# --- JPEG: metadata, orientation, capture time --------------------------------------


@pytest.fixture
def phone_jpeg() -> bytes:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><GPSLatitude>39,54N</GPSLatitude></x:xmpmeta>'
    data = encode(
        marked(),
        "JPEG",
        exif=camera_exif(),
        comment=b"shot at site 3",
        icc_profile=srgb,
        xmp=xmp,
    )
    # Guard the fixture itself: the metadata must really be in the input.
    src = Image.open(io.BytesIO(data))
    assert src.getexif().get_ifd(0x8825) and src.getexif()[0x0112] == 6
    assert {"exif", "comment", "icc_profile", "xmp"} <= src.info.keys()
    return data


def test_jpeg_keeps_nothing_but_pixels(phone_jpeg):
    photo = clean_photo(phone_jpeg)
    out = Image.open(io.BytesIO(photo.content))
    assert out.format == "JPEG" and out.mode == "RGB"
    assert dict(out.getexif()) == {}
    assert not {"exif", "comment", "icc_profile", "xmp"} & out.info.keys()
    # Only JFIF (APP0), quantisation and Huffman tables, the frame header and the scan:
    # no APP1 (EXIF/XMP), APP2 (ICC) or COM segment left anywhere before the pixels.
    assert set(jpeg_markers(photo.content)) <= {0xE0, 0xDB, 0xC4, 0xC2, 0xDA}
    assert b"Exif" not in photo.content and b"ACME" not in photo.content
    assert b"site 3" not in photo.content and b"xmpmeta" not in photo.content


def test_jpeg_is_turned_upright_and_reencoded(phone_jpeg):
    photo = clean_photo(phone_jpeg)
    assert (photo.content_type, photo.extension) == ("image/jpeg", ".jpg")
    assert (photo.width, photo.height) == (200, 300)  # orientation 6: 90 degrees clockwise
    out = Image.open(io.BytesIO(photo.content))
    assert out.size == (200, 300)
    assert "progressive" in out.info  # quality 85, progressive, optimised
    r, g, b = out.getpixel((190, 5))  # the red corner moved from top-left to top-right
    assert r > 200 and b < 60
    r, g, b = out.getpixel((5, 5))
    assert b > 200 and r < 60


def test_taken_at_prefers_date_time_original(phone_jpeg):
    assert clean_photo(phone_jpeg).taken_at == datetime(2024, 5, 17, 9, 30, 15)


@pytest.mark.parametrize(
    ("original", "modified", "expected"),
    [
        (None, "2023:11:02 07:05:09", datetime(2023, 11, 2, 7, 5, 9)),  # falls back to DateTime
        ("0000:00:00 00:00:00", "2023:11:02 07:05:09", datetime(2023, 11, 2, 7, 5, 9)),
        ("0000:00:00 00:00:00", None, None),  # camera clock was never set
        (None, None, None),
    ],
)
def test_taken_at_fallbacks(original, modified, expected):
    exif = camera_exif(orientation=1, original=original, modified=modified)
    assert clean_photo(encode(marked(), "JPEG", exif=exif)).taken_at == expected


def test_taken_at_without_any_exif():
    photo = clean_photo(encode(marked(), "JPEG"))
    assert photo.taken_at is None and (photo.width, photo.height) == (300, 200)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024:05:17 09:30:15", datetime(2024, 5, 17, 9, 30, 15)),
        ("2024:05:17 09:30:15\x00", datetime(2024, 5, 17, 9, 30, 15)),  # NUL-padded
        (b"2024:02:29 23:59:59", datetime(2024, 2, 29, 23, 59, 59)),
        ("2023:02:29 12:00:00", None),  # no such day
        ("2024-05-17 09:30:15", None),
        ("2024:05:17", None),
        ("    :  :     :  :  ", None),  # blank form some cameras write
        ("", None),
        (None, None),
        (20240517, None),
    ],
)
def test_parse_exif_datetime(value, expected):
    assert parse_exif_datetime(value) == expected


def test_grey_and_cmyk_jpegs_become_rgb():
    for mode in ("L", "CMYK"):
        photo = clean_photo(encode(Image.new(mode, (40, 30)), "JPEG"))
        assert Image.open(io.BytesIO(photo.content)).mode == "RGB", mode


def test_multi_picture_jpeg_is_a_jpeg():
    data = encode(marked(), "MPO", save_all=True, append_images=[marked((30, 20))])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    photo = clean_photo(data)
    assert photo.content_type == "image/jpeg" and (photo.width, photo.height) == (300, 200)


def test_bytes_after_the_image_are_dropped():
    payload = b"PK\x03\x04<script>alert(1)</script>"
    photo = clean_photo(encode(marked(), "JPEG") + payload)
    assert b"script" not in photo.content and b"PK\x03\x04" not in photo.content


# --- PNG --------------------------------------------------------------------------


def test_png_loses_text_chunks_and_keeps_alpha():
    img = marked(mode="RGBA")
    img.putpixel((299, 199), (10, 20, 30, 77))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "site 3, 39.9N 116.4E")
    info.add_itxt("Description", "工地东侧", zip=True)
    exif = camera_exif(orientation=1)
    data = encode(img, "PNG", pnginfo=info, exif=exif, dpi=(300, 300))
    assert b"tEXt" in data and b"eXIf" in data

    photo = clean_photo(data)
    assert (photo.content_type, photo.extension) == ("image/png", ".png")
    assert photo.taken_at == datetime(2024, 5, 17, 9, 30, 15)  # read from eXIf first
    assert png_chunks(photo.content) == [b"IHDR", b"IDAT", b"IEND"]
    out = Image.open(io.BytesIO(photo.content))
    assert out.mode == "RGBA" and out.getpixel((299, 199)) == (10, 20, 30, 77)
    assert "Comment" not in out.info and dict(out.getexif()) == {}


@pytest.mark.parametrize(
    ("make", "mode"),
    [
        (lambda: marked().convert("P"), "RGB"),
        (lambda: marked().convert("P", palette=Image.Palette.ADAPTIVE), "RGB"),
        (lambda: marked(mode="RGBA").convert("P"), "RGBA"),  # palette with alpha
        (lambda: Image.new("L", (30, 20), 128), "L"),
        (lambda: Image.new("1", (30, 20), 1), "L"),
        (lambda: Image.new("LA", (30, 20), (128, 50)), "RGBA"),
    ],
)
def test_png_modes(make, mode):
    out = Image.open(io.BytesIO(clean_photo(encode(make(), "PNG")).content))
    assert out.mode == mode


def test_png_transparent_colour_becomes_alpha():
    data = encode(marked(), "PNG", transparency=RED)  # tRNS: red means transparent
    out = Image.open(io.BytesIO(clean_photo(data).content))
    assert b"tRNS" not in clean_photo(data).content
    assert out.mode == "RGBA" and out.getpixel((0, 0))[3] == 0 and out.getpixel((50, 50))[3] == 255


def test_16_bit_grey_png_is_scaled_not_clipped():
    data = encode(Image.new("I;16", (30, 20), 32896), "PNG")  # 32896 / 257 == 128
    out = Image.open(io.BytesIO(clean_photo(data).content))
    assert out.mode == "L" and out.getpixel((0, 0)) == 128


# --- size limits --------------------------------------------------------------------


def test_large_photo_is_downscaled_to_2560():
    photo = clean_photo(encode(Image.new("RGB", (6000, 4000), BLUE), "JPEG"))
    assert (photo.width, photo.height) == (2560, 1707)
    assert Image.open(io.BytesIO(photo.content)).size == (2560, 1707)


def test_large_jpeg_is_decoded_at_reduced_scale(monkeypatch):
    sources = []
    resize = Image.Image.resize

    def spy(self, size, *args, **kwargs):
        sources.append(self.size)
        return resize(self, size, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "resize", spy)
    clean_photo(encode(Image.new("RGB", (6000, 4000), BLUE), "JPEG"))
    assert sources == [(3000, 2000)]  # the decoder halved it; LANCZOS did the rest


def test_downscale_after_rotation_keeps_aspect_ratio():
    data = encode(marked((400, 300)), "JPEG", exif=camera_exif(orientation=6))
    photo = clean_photo(data, longest_side=100)
    assert (photo.width, photo.height) == (75, 100)


def test_wide_png_is_downscaled():
    photo = clean_photo(encode(Image.new("RGBA", (3000, 100)), "PNG"))
    assert (photo.width, photo.height) == (2560, 85)


def test_small_photo_is_not_enlarged():
    photo = clean_photo(encode(marked((30, 20)), "PNG"))
    assert (photo.width, photo.height) == (30, 20)


def test_too_many_bytes_rejected_before_decoding():
    with pytest.raises(PhotoRejected, match=r"^The photo is larger than 10 MB\.$"):
        clean_photo(b"\0" * (10 * 1024 * 1024 + 1))  # not even an image: size comes first
    data = encode(marked(), "JPEG")
    with pytest.raises(PhotoRejected, match=r"larger than 0\.5 MB"):
        clean_photo(data + b"\0" * 2**19, max_bytes=2**19)
    assert clean_photo(data, max_bytes=len(data)).width == 300  # the limit itself is fine
    with pytest.raises(PhotoRejected, match=r"larger than 4\.77 MB\.$"):  # not 4.76837
        clean_photo(b"\0" * 5_000_001, max_bytes=5_000_000)


def test_too_many_bytes_reads_only_one_byte_past_the_limit():
    stream = io.BytesIO(os.urandom(5000))
    with pytest.raises(PhotoRejected, match="larger than"):
        clean_photo(stream, max_bytes=1000)
    assert stream.tell() == 1001


def test_too_many_pixels_rejected_from_the_header(monkeypatch):
    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    msg = r"^The photo has too many pixels; at most 0\.05 million are accepted\.$"
    for data in (encode(marked(), "JPEG"), encode(marked(), "PNG")):  # 60,000 pixels
        with pytest.raises(PhotoRejected, match=msg):
            clean_photo(data, max_pixels=50_000)


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims any size but holds no pixel data: a cheap bomb look-alike."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [7000, 20000])  # 49 MP (our limit), 400 MP (Pillow's)
def test_huge_header_rejected(side):
    with pytest.raises(PhotoRejected, match=r"at most 40 million are accepted"):
        clean_photo(png_header(side, side))


def test_pillow_decompression_bomb_warning_and_error_are_rejections(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 40_000)
    filters = list(warnings.filters)
    for size in ((250, 200), (300, 300)):  # 50,000 pixels warns, 90,000 (> 2x) raises
        with pytest.raises(PhotoRejected, match="too many pixels"):
            clean_photo(encode(Image.new("RGB", size), "PNG"))
    assert warnings.filters == filters  # the "error" filter does not outlive the call


# --- wrong or broken files ----------------------------------------------------------


def _truncated_jpeg() -> bytes:
    data = encode(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")
    return data[: len(data) // 2]


def _truncated_png() -> bytes:
    data = encode(Image.effect_noise((200, 200), 64), "PNG")
    return data[: len(data) // 2]


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: encode(marked(), "GIF"), ONLY_JPEG_PNG),
        (lambda: encode(marked(), "WEBP"), ONLY_JPEG_PNG),
        (lambda: encode(marked(), "BMP"), ONLY_JPEG_PNG),
        (lambda: encode(marked(), "TIFF"), ONLY_JPEG_PNG),
        (lambda: PDF, ONLY_JPEG_PNG),
        (lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>", ONLY_JPEG_PNG),
        (lambda: os.urandom(2048), ONLY_JPEG_PNG),
        (lambda: b"", "The file is empty."),
        (_truncated_jpeg, DAMAGED),
        (lambda: encode(marked(), "JPEG")[:30], DAMAGED),  # cut inside the header
        (lambda: b"\xff\xd8", DAMAGED),
        (_truncated_png, DAMAGED),
        (lambda: encode(marked(), "PNG")[:40], DAMAGED),
    ],
    ids=[
        "gif",
        "webp",
        "bmp",
        "tiff",
        "pdf",
        "svg",
        "random",
        "empty",
        "truncated-jpeg",
        "jpeg-header-only",
        "jpeg-magic-only",
        "truncated-png",
        "png-header-only",
    ],
)
def test_rejected(make, message):
    with pytest.raises(PhotoRejected) as excinfo:
        clean_photo(make())
    assert str(excinfo.value) == message
    assert isinstance(excinfo.value, ValueError)


def test_file_name_does_not_matter():
    gif = SimpleUploadedFile("progress.jpg", encode(marked(), "GIF"), "image/jpeg")
    with pytest.raises(PhotoRejected, match=ONLY_JPEG_PNG):
        clean_photo(gif)
    png = SimpleUploadedFile("progress.jpg", encode(marked(), "PNG"), "image/jpeg")
    assert clean_photo(png).content_type == "image/png"


# --- the result -------------------------------------------------------------------


def test_result_is_frozen_and_accepts_file_objects(phone_jpeg):
    photo = clean_photo(io.BytesIO(phone_jpeg))
    assert isinstance(photo, CleanPhoto) and photo == clean_photo(bytearray(phone_jpeg))
    with pytest.raises(dataclasses.FrozenInstanceError):
        photo.width = 1  # type: ignore[misc]


def test_cleaning_is_stable(phone_jpeg):
    once = clean_photo(phone_jpeg)
    twice = clean_photo(once.content)
    assert (twice.width, twice.height, twice.taken_at) == (once.width, once.height, None)


def test_truncated_refused_even_after_weasyprint_is_imported(monkeypatch):
    # WeasyPrint (PDF output) sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "JPEG")
    with pytest.raises(PhotoRejected):
        clean_photo(buffer.getvalue()[:-200])
