"""Profile image processing (SPEC §7, SECURITY-CASES 29-31), on files made here with Pillow."""

from __future__ import annotations

import io
import re
import struct
import time
import tracemalloc
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile

from media.images import (
    MAX_PIXELS,
    MAX_UPLOAD_BYTES,
    SIZES,
    InvalidImage,
    process_profile_image,
)

RED = (255, 0, 0)
BLUE = (0, 0, 255)
NAME = re.compile(r"[0-9a-f]{32}-(64|256|1024)\.webp")


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def close_to(actual, expected, tolerance=40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def png_chunk(chunk_type: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + chunk_type + body + struct.pack(">I", zlib.crc32(chunk_type + body))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header declares width × height RGB pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00" * 3)  # one row's worth at most: never enough
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def photo_with_gps_and_orientation_6() -> bytes:
    """A 300×200 JPEG, red on top and blue below, stored sideways (orientation 6).

    Orientation 6 means "rotate 90° clockwise to display": shown upright it is 200×300
    with blue on the left and red on the right.
    """
    img = Image.new("RGB", (300, 200), RED)
    img.paste(BLUE, (0, 100, 300, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {1: "N", 2: (52.0, 22.0, 1.0), 3: "E", 4: (4.0, 53.0, 0.0)}
    )
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(
        img,
        "JPEG",
        quality=95,
        exif=exif,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret place</x:xmpmeta>',
        icc_profile=srgb,
        comment=b"taken at home",
    )


# --- accepted images ----------------------------------------------------------------


def test_jpeg_with_gps_is_stored_without_metadata_and_upright():
    source = photo_with_gps_and_orientation_6()
    before = decode(source)
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the fixture must carry GPS"
    assert before.getexif()[ExifTags.Base.Orientation] == 6

    processed = process_profile_image(source)

    for rendition in processed.renditions.values():
        out = decode(rendition.data)
        assert out.format == "WEBP"
        assert len(out.getexif()) == 0
        for key in ("exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"):
            assert not out.info.get(key), key
        for marker in (b"EXIF", b"XMP ", b"ICCP", b"PhoneCo", b"secret place", b"taken at home"):
            assert marker not in rendition.data, marker

    # Upright and center-cropped to 200×200: blue on the left, red on the right. Without
    # the rotation the crop would be red on top and blue below.
    out = decode(processed.renditions["MEDIUM"].data).convert("RGB")
    assert out.size == (200, 200)
    assert close_to(out.getpixel((10, 10)), BLUE)
    assert close_to(out.getpixel((10, 189)), BLUE)
    assert close_to(out.getpixel((189, 10)), RED)
    assert close_to(out.getpixel((189, 189)), RED)


def test_png_alpha_is_kept_in_webp():
    img = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    img.paste((0, 200, 0, 255), (150, 0, 300, 300))

    processed = process_profile_image(encode(img, "PNG"))

    rendition = processed.renditions["MEDIUM"]
    assert rendition.content_type == "image/webp"
    out = decode(rendition.data)
    assert out.mode == "RGBA"
    assert out.getpixel((10, 128))[3] == 0
    assert out.getpixel((245, 128))[3] == 255
    assert close_to(out.getpixel((245, 128))[:3], (0, 200, 0))


def test_webp_input_is_accepted():
    img = Image.new("RGB", (400, 300), BLUE)

    processed = process_profile_image(encode(img, "WEBP", quality=90))

    assert decode(processed.renditions["LARGE"].data).size == (300, 300)


@pytest.mark.parametrize(
    ("mode", "fmt", "params"),
    [
        ("L", "JPEG", {}),
        ("CMYK", "JPEG", {}),
        ("P", "PNG", {"transparency": 0}),
        ("LA", "PNG", {}),
        ("1", "PNG", {}),
        ("I;16", "PNG", {}),
        ("RGBA", "WEBP", {"lossless": True}),
    ],
)
def test_other_pixel_modes_become_rgb_or_rgba_webp(mode, fmt, params):
    img = Image.new(mode, (80, 60))

    processed = process_profile_image(encode(img, fmt, **params))

    out = decode(processed.renditions["SMALL"].data)
    assert out.format == "WEBP"
    assert out.mode in ("RGB", "RGBA")
    assert out.size == (60, 60)


def test_renditions_are_square_at_64_256_and_1024():
    processed = process_profile_image(encode(Image.new("RGB", (1300, 1100), RED), "JPEG"))

    assert set(processed.renditions) == set(SIZES) == {"SMALL", "MEDIUM", "LARGE"}
    for size_name, size in SIZES.items():
        rendition = processed.renditions[size_name]
        assert (rendition.width, rendition.height) == (size, size)
        assert decode(rendition.data).size == (size, size)
        assert NAME.fullmatch(rendition.name)
        assert rendition.name.endswith(f"-{size}.webp")
    assert (processed.width, processed.height) == (1024, 1024)


def test_small_source_is_not_upscaled():
    processed = process_profile_image(encode(Image.new("RGB", (100, 140), RED), "PNG"))

    sides = {name: r.width for name, r in processed.renditions.items()}
    assert sides == {"SMALL": 64, "MEDIUM": 100, "LARGE": 100}
    assert (processed.width, processed.height) == (100, 100)


def test_names_are_generated_from_content():
    red = encode(Image.new("RGB", (90, 90), RED), "PNG")
    blue = encode(Image.new("RGB", (90, 90), BLUE), "PNG")

    first, again, other = (process_profile_image(d) for d in (red, red, blue))

    names = lambda p: [r.name for r in p.renditions.values()]  # noqa: E731
    assert names(first) == names(again)
    assert set(names(first)).isdisjoint(names(other))
    assert len(set(names(first))) == 3
    # A per-owner namespace keeps two owners' identical uploads apart.
    assert set(names(process_profile_image(red, namespace="contact-1"))).isdisjoint(names(first))


# --- refused files ----------------------------------------------------------------


def other_format(fmt: str) -> bytes:
    return encode(Image.new("RGB", (40, 40), RED), fmt)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(HTML, id="html-renamed-png"),
        pytest.param(SVG, id="svg"),
        pytest.param(b'<?xml version="1.0"?>' + SVG, id="svg-with-xml-declaration"),
        pytest.param(other_format("PDF"), id="pdf"),
        pytest.param(other_format("GIF"), id="gif"),
        pytest.param(other_format("BMP"), id="bmp"),
        pytest.param(other_format("TIFF"), id="tiff"),
        pytest.param(other_format("ICO"), id="ico"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\x89PNG\r\n\x1a\n", id="png-signature-only"),
        pytest.param(other_format("JPEG")[:300], id="truncated-jpeg"),
        pytest.param(other_format("PNG")[:-20], id="truncated-png"),
    ],
)
def test_anything_but_jpeg_png_webp_is_invalid(data):
    with pytest.raises(InvalidImage):
        process_profile_image(data)


def png_with_text(text: bytes) -> bytes:
    png = other_format("PNG")
    ihdr_end = 8 + 12 + 13
    return png[:ihdr_end] + png_chunk(b"tEXt", b"Comment\x00" + text) + png[ihdr_end:]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(other_format("PNG") + HTML, id="png-then-html"),
        pytest.param(HTML + other_format("PNG"), id="html-then-png"),
        pytest.param(other_format("JPEG") + b"PK\x03\x04" + b"\x00" * 40, id="jpeg-then-zip"),
        pytest.param(other_format("WEBP") + HTML, id="webp-then-html"),
        pytest.param(png_with_text(b"<script>alert(1)</script>"), id="png-text-chunk-script"),
        pytest.param(
            encode(Image.new("RGB", (40, 40)), "JPEG", comment=b"<?php system($_GET['c']); ?>"),
            id="jpeg-comment-php",
        ),
        pytest.param(
            encode(Image.new("RGB", (40, 40)), "JPEG") + other_format("GIF"),
            id="jpeg-then-gif",
        ),
    ],
)
def test_polyglots_are_invalid(data):
    with pytest.raises(InvalidImage):
        process_profile_image(data)


def test_jpeg_followed_by_complete_jpegs_is_accepted():
    # Multi-picture (MPF) files such as HDR gain-map photos append whole JPEGs after EOI.
    primary = encode(Image.new("RGB", (120, 100), RED), "JPEG")
    gain_map = encode(Image.new("L", (30, 25)), "JPEG")

    processed = process_profile_image(primary + gain_map)

    assert processed.width == 100


def test_harmless_text_chunk_is_accepted_and_dropped():
    processed = process_profile_image(png_with_text(b"made with a camera"))

    assert b"made with a camera" not in processed.renditions["SMALL"].data


def test_one_byte_over_the_upload_cap_is_refused():
    data = png_declaring(10, 10)
    data += b"\x00" * (MAX_UPLOAD_BYTES + 1 - len(data))

    with pytest.raises(InvalidImage, match="larger than 5 MB"):
        process_profile_image(data)


@pytest.fixture
def decoding_forbidden(monkeypatch):
    def fail(self, *args, **kwargs):
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", fail)


def test_png_declaring_50000_by_50000_pixels_is_refused_before_decoding(decoding_forbidden):
    bomb = png_declaring(50_000, 50_000)
    assert len(bomb) < 100

    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InvalidImage, match="too many pixels"):
            process_profile_image(bomb)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_just_over_the_pixel_cap_is_refused_by_header_before_decoding(decoding_forbidden):
    # 5,001 × 5,000 lies between our cap and Pillow's hard limit (2 × MAX_PIXELS): it is
    # refused by the explicit header check, not by Pillow.
    assert MAX_PIXELS < 5_001 * 5_000 < 2 * MAX_PIXELS

    with pytest.raises(InvalidImage, match="too many pixels"):
        process_profile_image(png_declaring(5_001, 5_000))


def test_pixel_cap_itself_is_allowed_past_the_header(monkeypatch):
    # Exactly MAX_PIXELS is accepted by the header check and goes on to decode, which
    # fails here only because the crafted file has no pixel data.
    opened = []
    real_load = ImageFile.ImageFile.load

    def spy(self, *args, **kwargs):
        opened.append(self.size)
        return real_load(self, *args, **kwargs)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)

    with pytest.raises(InvalidImage):
        process_profile_image(png_declaring(5_000, 5_000))
    assert opened == [(5_000, 5_000)]
