"""Owner profile images: validate an upload and re-encode it into square renditions.

Pure CPU work on bytes, with no I/O, GraphQL or database. Decoding and resampling a
large photo takes tens to hundreds of milliseconds, so async callers must run it off the
event loop::

    processed = await anyio.to_thread.run_sync(process_profile_image, data)
    # or: processed = await asyncio.to_thread(process_profile_image, data)

What it enforces (SPEC §7, SECURITY-CASES 29-31):

- The real type comes from the bytes, never from the file name or the declared content
  type: only JPEG, PNG and WebP. Everything else, including HTML renamed `.png`, SVG,
  PDF and GIF, is refused.
- Polyglots are refused: the container has to be well formed and must end where the
  image ends (nothing appended after PNG `IEND`, JPEG `EOI` or the WebP RIFF size), and
  metadata segments may not carry markup or script.
- Size is capped at `MAX_UPLOAD_BYTES`. The pixel count comes from the header and is
  checked against `MAX_PIXELS` before any pixel data is decoded, so a small file that
  declares 50,000 × 50,000 pixels costs nothing.
- The output is re-encoded from the pixels only. EXIF orientation is applied, colours
  are converted to sRGB when the file carries an ICC profile, and every piece of metadata
  (EXIF, GPS, ICC, XMP, text chunks) is dropped.
- The output is a center-cropped square in three sizes, all WebP (quality 85, keeps
  alpha, small). A source smaller than a size is not upscaled: that rendition keeps the
  source's square side, so a 100 px source gives 64, 100 and 100 px renditions.
- Names are generated from a hash of the uploaded bytes and never use the client's file
  name.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageCms, ImageOps

MAX_UPLOAD_BYTES: Final = 5 * 1024 * 1024
MAX_PIXELS: Final = 25_000_000
SIZES: Final = {"SMALL": 64, "MEDIUM": 256, "LARGE": 1024}

OUTPUT_FORMAT: Final = "WEBP"
OUTPUT_CONTENT_TYPE: Final = "image/webp"
OUTPUT_EXTENSION: Final = "webp"
WEBP_QUALITY: Final = 85

# Part of every generated name. Bump it when the output changes (sizes, format,
# quality), so that URLs served with long-lived cache headers change too.
PIPELINE_VERSION: Final = b"profile-image-v1"

ALLOWED_FORMATS: Final = ("JPEG", "PNG", "WEBP")

# Pillow's own decompression-bomb guard stays on and is lined up with our cap. It warns
# above MAX_IMAGE_PIXELS and raises DecompressionBombError above twice that, inside
# `Image.open`. The explicit `img.size` check below refuses everything the warning
# would flag. Turning the warning into an error through `warnings.catch_warnings` is
# avoided on purpose: it changes process-wide state and is not thread-safe, and this
# code runs in worker threads.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE: Final = b"\xff\xd8\xff"

# Markup or script inside metadata is what turns an image into an HTML or PHP polyglot.
# Only metadata segments are scanned, never compressed pixel data, where a random match
# would refuse an honest photo.
_ACTIVE_CONTENT: Final = re.compile(
    rb"<\s*(?:script|html|body|iframe|svg|object|embed)\b|<\?php|<!doctype|javascript:",
    re.IGNORECASE,
)


class InvalidImage(Exception):
    """The upload is not an image we accept. `message` is safe to show to the user."""

    def __init__(self, message: str = "The file is not a valid JPEG, PNG or WebP image.") -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Rendition:
    name: str
    data: bytes
    width: int
    height: int
    content_type: str


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    """The renditions keyed by size name ("SMALL", "MEDIUM", "LARGE").

    `width` and `height` are those of the LARGE rendition. `key` is the hash shared by
    every rendition name.
    """

    key: str
    renditions: dict[str, Rendition]
    width: int
    height: int


def process_profile_image(data: bytes, *, namespace: str = "") -> ProcessedImage:
    """Validate an uploaded profile image and return its square WebP renditions.

    Raises `InvalidImage` for anything that is not an acceptable JPEG, PNG or WebP.

    Names are `<sha256-hex[:32]>-<size px>.webp`. The hash covers the pipeline version,
    `namespace` and the uploaded bytes, so the same upload always gets the same names.
    Because names are content-addressed, two contacts who upload the same bytes would
    share files. Callers that delete old renditions should pass a per-owner `namespace`
    (for example the contact id) so that deleting one owner's files never removes
    another owner's.
    """
    data = bytes(data)
    sniffed = _check_upload(data)
    _check_container(sniffed, data)

    square = _decode_to_square(data, sniffed)
    key = hashlib.sha256(
        PIPELINE_VERSION + b"\x00" + namespace.encode() + b"\x00" + data
    ).hexdigest()[:32]

    renditions: dict[str, Rendition] = {}
    for size_name, size in SIZES.items():
        side = min(size, square.width)  # never upscale
        resized = square if side == square.width else square.resize(
            (side, side), Image.Resampling.LANCZOS, reducing_gap=3.0
        )
        renditions[size_name] = Rendition(
            name=rendition_name(key, size_name),
            data=_encode(resized),
            width=side,
            height=side,
            content_type=OUTPUT_CONTENT_TYPE,
        )
    large = renditions["LARGE"]
    return ProcessedImage(key=key, renditions=renditions, width=large.width, height=large.height)


def _check_upload(data: bytes) -> str:
    """The sniffed format of an upload of acceptable size, or InvalidImage."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("profile images are bytes")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidImage(f"The image is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data:
        raise InvalidImage("The file is empty.")
    sniffed = sniff_format(data)
    if sniffed is None:
        raise InvalidImage()
    return sniffed


def declared_pixels(data: bytes) -> int:
    """The pixel count an upload's header declares, read without decoding any
    pixel (what a decode of it will cost: media/decode_budget.py). Raises
    `InvalidImage` for what `process_profile_image` would refuse on sight."""
    _check_upload(data)
    try:
        with Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS)) as img:
            width, height = img.size
    except Image.DecompressionBombError as exc:
        raise InvalidImage("The image has too many pixels.") from exc
    except Exception as exc:  # Pillow's many ways of saying "not an image": see _decode_to_square
        raise InvalidImage() from exc
    if width <= 0 or height <= 0:
        raise InvalidImage()
    if width * height > MAX_PIXELS:
        raise InvalidImage("The image has too many pixels.")
    return width * height


def rendition_name(key: str, size_name: str) -> str:
    """The stored name of one rendition of the image whose key is `key`."""
    return f"{key}-{SIZES[size_name]}.{OUTPUT_EXTENSION}"


def rendition_names(key: str) -> list[str]:
    """Every stored name of the image whose key is `key`, smallest first."""
    return [rendition_name(key, size_name) for size_name in SIZES]


def sniff_format(data: bytes) -> str | None:
    """Return "JPEG", "PNG" or "WEBP" from the magic bytes, or None."""
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data.startswith(_JPEG_SIGNATURE):
        return "JPEG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


# --- decoding ---------------------------------------------------------------------


def _decode_to_square(data: bytes, sniffed: str) -> Image.Image:
    # Pillow turns malformed input into many different exceptions (OSError,
    # SyntaxError, ValueError, struct.error, EOFError, ...). For untrusted bytes they
    # all mean "not an image we accept", so this block catches broadly. It holds only
    # Pillow calls, so it cannot hide a bug of ours.
    try:
        img = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except Image.DecompressionBombError as exc:
        raise InvalidImage("The image has too many pixels.") from exc
    except Exception as exc:
        raise InvalidImage() from exc

    with img:
        if img.format != sniffed:
            raise InvalidImage()
        width, height = img.size
        # Header only: `open` has parsed the dimensions and decoded no pixels yet.
        if width <= 0 or height <= 0:
            raise InvalidImage()
        if width * height > MAX_PIXELS:
            raise InvalidImage("The image has too many pixels.")
        try:
            img.seek(0)  # animated WebP/APNG: the first frame only
            img.load()
            oriented = ImageOps.exif_transpose(img)
            icc = img.info.get("icc_profile")
        except Image.DecompressionBombError as exc:
            raise InvalidImage("The image has too many pixels.") from exc
        except Exception as exc:
            raise InvalidImage() from exc

    rgb = _to_srgb(oriented, icc)
    side = min(rgb.size)
    left = (rgb.width - side) // 2
    top = (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side))
    # Nothing from the source's metadata survives into the encoder.
    square.info = {}
    return square


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        img.mode in ("P", "L", "RGB") and "transparency" in img.info
    )


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Return an RGB or RGBA image with sRGB colours and no metadata."""
    if img.mode in ("I", "F") or img.mode.startswith("I;16"):
        # 16-bit greyscale PNG: plain conversion clips everything above 255 to white.
        img = img.convert("I").point(lambda v: v / 256).convert("L")
    target = "RGBA" if _has_alpha(img) else "RGB"

    if icc and img.mode in ("RGB", "RGBA", "CMYK"):
        # Drop the profile but keep the colours: a Display P3 photo shown without its
        # profile looks washed out. A broken profile is ignored, not fatal.
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            if img.mode == "CMYK":
                converted = ImageCms.profileToProfile(img, source, srgb, outputMode="RGB")
            else:
                converted = ImageCms.profileToProfile(img, source, srgb, outputMode=img.mode)
            if converted is not None:
                img = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass

    out = img.convert(target) if img.mode != target else img.copy()
    out.info = {}
    return out


def _encode(img: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # Explicitly empty metadata: the output carries pixels and nothing else.
    img.save(
        buffer,
        format=OUTPUT_FORMAT,
        quality=WEBP_QUALITY,
        method=4,
        exif=b"",
        icc_profile=None,
        xmp=b"",
    )
    return buffer.getvalue()


# --- container checks (polyglots) -------------------------------------------------


def _check_container(fmt: str, data: bytes) -> None:
    if fmt == "PNG":
        metadata = _png_metadata(data)
    elif fmt == "JPEG":
        metadata = _jpeg_metadata(data)
    else:
        metadata = _webp_metadata(data)
    for segment in metadata:
        if _ACTIVE_CONTENT.search(segment):
            raise InvalidImage()


_PNG_PIXEL_CHUNKS: Final = {b"IDAT", b"fdAT"}


def _png_metadata(data: bytes) -> list[bytes]:
    """Walk the chunks. The stream must start with IHDR, have valid CRCs and end at IEND."""
    pos = len(_PNG_SIGNATURE)
    metadata: list[bytes] = []
    first = True
    while True:
        if pos + 12 > len(data):
            raise InvalidImage()  # truncated, or no IEND
        length, chunk_type = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > len(data):
            raise InvalidImage()
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : end])
        if zlib.crc32(chunk_type + body) != crc:
            raise InvalidImage()
        if first and chunk_type != b"IHDR":
            raise InvalidImage()
        first = False
        if chunk_type == b"IEND":
            if end != len(data):
                raise InvalidImage()  # something appended after the image
            return metadata
        if chunk_type not in _PNG_PIXEL_CHUNKS:
            metadata.append(body)
        pos = end


_JPEG_STANDALONE: Final = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7


def _jpeg_metadata(data: bytes) -> list[bytes]:
    """Walk the markers of one or more concatenated JPEG streams.

    Extra streams after the first EOI are allowed only when they are complete JPEGs
    themselves. MPF files (iPhone and Android HDR gain maps, camera previews) store
    their secondary images that way. Anything else after EOI is refused: a ZIP, a video
    (Google "motion photos"), HTML. Trailing NUL padding is tolerated.
    """
    metadata: list[bytes] = []
    pos = 0
    while True:
        pos = _walk_jpeg_stream(data, pos, metadata)
        rest = data[pos:]
        if not rest.strip(b"\x00"):
            return metadata
        if not rest.startswith(_JPEG_SIGNATURE):
            raise InvalidImage()


def _walk_jpeg_stream(data: bytes, pos: int, metadata: list[bytes]) -> int:
    """Walk one JPEG stream from its SOI at `pos`; return the offset just after EOI."""
    n = len(data)
    pos += 2  # SOI
    while True:
        if pos >= n or data[pos] != 0xFF:
            raise InvalidImage()
        while pos < n and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= n:
            raise InvalidImage()
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            return pos
        if marker in _JPEG_STANDALONE:
            continue
        if marker == 0xD8 or pos + 2 > n:
            raise InvalidImage()
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > n:
            raise InvalidImage()
        segment = data[pos + 2 : pos + length]
        pos += length
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn, COM
            metadata.append(segment)
        if marker == 0xDA:  # SOS: skip the entropy-coded data up to the next marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= n:
                    raise InvalidImage()
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                    continue
                break


_WEBP_PIXEL_CHUNKS: Final = {b"VP8 ", b"VP8L", b"ALPH", b"ANMF"}


def _webp_metadata(data: bytes) -> list[bytes]:
    """The RIFF size must cover the file exactly and the chunks must fill it."""
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 != len(data) or riff_size < 4:
        raise InvalidImage()
    metadata: list[bytes] = []
    pos = 12
    while pos < len(data):
        if pos + 8 > len(data):
            raise InvalidImage()
        chunk_type, length = struct.unpack("<4sI", data[pos : pos + 8])
        end = pos + 8 + length + (length & 1)  # chunks are padded to even sizes
        if end > len(data):
            raise InvalidImage()
        if chunk_type not in _WEBP_PIXEL_CHUNKS:
            metadata.append(data[pos + 8 : pos + 8 + length])
        pos = end
    return metadata
