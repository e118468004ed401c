"""Owner profile images (SPEC 7; SECURITY-CASES 13, 19, 28-32), through GraphQL
multipart requests over HTTP, with real files made here with Pillow. Every refusal
also checks what was stored: no file in MEDIA_DIR and no change to the contact."""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import threading
import tracemalloc
import zlib
from pathlib import Path

import httpx
import pytest
from PIL import ExifTags, Image, ImageCms
from sqlalchemy import select

from conftest import TEST_HASHING, make_active_owner
from domain.activation import ActivationStatus
from media.images import MAX_UPLOAD_BYTES
from models import Contact
from server import create_app, dispose_engines

SET_IMAGE = """
mutation($input: SetProfileImageInput!) {
  setProfileImage(input: $input) {
    contact {
      id
      profileImage { small: url(size: SMALL) medium: url(size: MEDIUM) large: url(size: LARGE) width height updatedAt }
    }
    userErrors { field code message }
  }
}
"""

REMOVE_IMAGE = """
mutation($input: RemoveProfileImageInput!) {
  removeProfileImage(input: $input) {
    contact { id profileImage { url } }
    userErrors { field code message }
  }
}
"""

# What a mobile app asks for when it opens the owner's profile.
MOBILE_PROFILE = """
{
  me {
    ... on OwnerUser {
      contact {
        displayName
        profileImage { thumbnail: url(size: SMALL) avatar: url(size: MEDIUM) full: url(size: LARGE) width height }
      }
    }
  }
}
"""

RED = (255, 0, 0)
BLUE = (0, 0, 255)
CSRF = {"Apollo-Require-Preflight": "true"}


# --- files, made with Pillow ----------------------------------------------------------


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def jpeg_with_gps_and_orientation() -> bytes:
    """300×200, red on top and blue below, stored sideways (EXIF orientation 6, "rotate
    90° clockwise"): upright it is 200×300, blue on the left and red on the right."""
    img = Image.new("RGB", (300, 200), RED)
    img.paste(BLUE, (0, 100, 300, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (52.0, 22.0, 1.0), 3: "E", 4: (4.0, 53.0, 0.0)})
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(img, "JPEG", quality=95, exif=exif, icc_profile=srgb, comment=b"taken at home",
                  xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret place</x:xmpmeta>')


def png_with_alpha() -> bytes:
    """400×400: the left half opaque green, the right half fully transparent."""
    img = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    img.paste((0, 200, 0, 255), (0, 0, 200, 400))
    return encode(img, "PNG")


def webp_photo(size=(1600, 1200), color=BLUE) -> bytes:
    return encode(Image.new("RGB", size, color), "WEBP", quality=90)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header declares width × height pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 4)) + chunk(b"IEND", b"")


def pdf_document() -> bytes:
    return encode(Image.new("RGB", (100, 100), RED), "PDF")


def six_megabyte_png() -> bytes:
    """A real PNG of noise (noise does not compress), just over 6 MB."""
    data = encode(Image.frombytes("RGB", (1500, 1400), os.urandom(1500 * 1400 * 3)), "PNG")
    assert len(data) > 6 * 1024 * 1024
    return data


HTML_AS_PNG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script><rect width="10" height="10"/></svg>')


# --- helpers --------------------------------------------------------------------------


def multipart_fields(query: str, input_values: dict | None = None) -> dict[str, str]:
    """The `operations` and `map` parts of the GraphQL multipart request spec, for one
    file sent as part "0" into `$input.image`."""
    operations = {"query": query, "variables": {"input": {"image": None, **(input_values or {})}}}
    return {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.image"]})}


async def upload(actor, data: bytes, filename="photo.jpg", content_type="image/jpeg", *,
                 input_values=None, headers=CSRF) -> httpx.Response:
    all_headers = dict(headers)
    if actor.token:
        all_headers["Authorization"] = f"Bearer {actor.token}"
    return await actor.client.post(
        "/graphql",
        data=multipart_fields(SET_IMAGE, input_values),
        files={"0": (filename, data, content_type)},
        headers=all_headers,
    )


async def set_image(actor, data: bytes, **kwargs) -> dict:
    response = await upload(actor, data, **kwargs)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["setProfileImage"]


def contact_gid(contact_id: int) -> str:
    from strawberry import relay

    return str(relay.GlobalID("Contact", str(contact_id)))


def media_dir(settings) -> Path:
    return Path(settings.MEDIA_DIR)


def stored_files(settings) -> list[str]:
    root = media_dir(settings)
    return sorted(os.listdir(root)) if root.exists() else []


async def image_columns(app, contact_id: int) -> tuple:
    async with app.state.session_factory() as session:
        row = (await session.execute(select(Contact).where(Contact.id == contact_id))).scalar_one()
        return (row.profile_image_key, row.profile_image_width, row.profile_image_height,
                row.profile_image_updated_at, row.version)


def media_path(url: str, settings) -> str:
    assert url.startswith(settings.APP_URL + "/media/"), url
    return url[len(settings.APP_URL):]


async def fetch(client, url: str, settings, **kwargs) -> httpx.Response:
    return await client.get(media_path(url, settings), **kwargs)


def decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def close_to(actual, expected, tolerance=40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


@pytest.fixture(autouse=True)
def empty_media_dir(settings):
    """Every test starts with no stored files (MEDIA_DIR is shared by the session)."""
    shutil.rmtree(media_dir(settings), ignore_errors=True)
    yield


@pytest.fixture
async def other_owner(app, client, builder):
    actor, contact_id = await make_active_owner(app, client, builder, first_name="Oscar")
    actor.contact_id = contact_id
    return actor


# --- accepted images ------------------------------------------------------------------


async def test_jpeg_with_gps_is_stored_upright_without_metadata_and_served_with_headers(
    owner, client, app, settings
):
    result = await set_image(owner, jpeg_with_gps_and_orientation(), filename="../../etc/passwd.jpg")

    assert result["userErrors"] == []
    image = result["contact"]["profileImage"]
    # Upright 200×300, centre-cropped square: 200 px a side, so no rendition is upscaled.
    assert (image["width"], image["height"]) == (200, 200)
    assert image["updatedAt"]
    # Stored under generated names, never the client's.
    names = stored_files(settings)
    assert len(names) == 3 and all(n.endswith(".webp") and "passwd" not in n for n in names)
    assert sorted(url.rsplit("/", 1)[1] for url in (image["small"], image["medium"], image["large"])) == names

    for url, side in ((image["small"], 64), (image["medium"], 200), (image["large"], 200)):
        response = await fetch(client, url, settings)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/webp"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["etag"]
        served = decoded(response.content)
        assert served.format == "WEBP"
        assert served.size == (side, side)
        # No EXIF (so no GPS), no ICC profile, no XMP: nothing but pixels.
        assert not served.getexif()
        assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp"} & set(served.info)
        for needle in (b"Exif", b"PhoneCo", b"secret place", b"taken at home", b"ICCP"):
            assert needle not in response.content
        # Orientation applied: blue on the left, red on the right.
        rgb = served.convert("RGB")
        assert close_to(rgb.getpixel((side // 10, side // 2)), BLUE)
        assert close_to(rgb.getpixel((side - 1 - side // 10, side // 2)), RED)

    key, width, height, updated_at, _ = await image_columns(app, owner.contact_id)
    assert (width, height) == (200, 200) and updated_at is not None
    assert all(name.startswith(key) for name in names)


async def test_png_alpha_is_kept(owner, client, settings):
    result = await set_image(owner, png_with_alpha(), filename="me.png", content_type="image/png")

    image = result["contact"]["profileImage"]
    assert (image["width"], image["height"]) == (400, 400)
    served = decoded((await fetch(client, image["medium"], settings)).content)
    assert served.size == (256, 256)
    assert served.mode == "RGBA"
    assert served.getpixel((20, 128))[3] == 255 and close_to(served.getpixel((20, 128))[:3], (0, 200, 0))
    assert served.getpixel((236, 128))[3] == 0


async def test_webp_is_accepted_in_three_sizes(owner, client, settings):
    result = await set_image(owner, webp_photo(), filename="me.webp", content_type="image/webp")

    image = result["contact"]["profileImage"]
    assert (image["width"], image["height"]) == (1024, 1024)
    for url, side in ((image["small"], 64), (image["medium"], 256), (image["large"], 1024)):
        assert decoded((await fetch(client, url, settings)).content).size == (side, side)


async def test_the_declared_content_type_and_file_name_do_not_matter(owner):
    # A real PNG sent as "application/octet-stream" named "x.txt" is still a PNG.
    result = await set_image(owner, png_with_alpha(), filename="x.txt", content_type="application/octet-stream")
    assert result["userErrors"] == [] and result["contact"]["profileImage"]


async def test_mobile_profile_query_returns_working_image_urls(owner, client, settings):
    await set_image(owner, webp_photo())

    profile = (await owner.gql(MOBILE_PROFILE))["data"]["me"]["contact"]

    assert profile["displayName"] == "Olive Owner"
    image = profile["profileImage"]
    assert (image["width"], image["height"]) == (1024, 1024)
    for url, side in ((image["thumbnail"], 64), (image["avatar"], 256), (image["full"], 1024)):
        assert url.startswith("https://app.example.test/media/")
        response = await fetch(client, url, settings)
        assert response.status_code == 200
        assert decoded(response.content).size == (side, side)


async def test_a_contact_without_an_image_has_none(owner):
    profile = (await owner.gql(MOBILE_PROFILE))["data"]["me"]["contact"]
    assert profile["profileImage"] is None


async def test_the_builder_sees_the_owners_image(owner, builder):
    await set_image(owner, webp_photo())
    query = "query($id: ID!) { contact(id: $id) { profileImage { url(size: SMALL) } } }"
    body = await builder.gql(query, {"id": contact_gid(owner.contact_id)})
    assert body["data"]["contact"]["profileImage"]["url"].endswith("-64.webp")


# --- refused files: INVALID_IMAGE, and nothing stored -------------------------------------

INVALID = [
    pytest.param(HTML_AS_PNG, "avatar.png", "image/png", id="html-renamed-png"),
    pytest.param(SVG, "avatar.svg", "image/svg+xml", id="svg"),
    pytest.param(pdf_document(), "avatar.pdf", "application/pdf", id="pdf"),
    pytest.param(encode(Image.new("RGB", (50, 50), RED), "GIF"), "avatar.gif", "image/gif", id="gif"),
    pytest.param(png_with_alpha() + HTML_AS_PNG, "polyglot.png", "image/png", id="png-html-polyglot"),
    pytest.param(b"", "empty.png", "image/png", id="empty"),
]


@pytest.mark.parametrize(("data", "filename", "content_type"), INVALID)
async def test_anything_but_jpeg_png_webp_is_invalid_image(owner, app, settings, data, filename, content_type):
    before = await image_columns(app, owner.contact_id)

    result = await set_image(owner, data, filename=filename, content_type=content_type)

    assert result["contact"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("INVALID_IMAGE", ["image"])]
    assert stored_files(settings) == []
    assert await image_columns(app, owner.contact_id) == before


async def test_tiny_png_declaring_50000_by_50000_pixels_is_refused(owner, app, settings):
    data = png_declaring(50_000, 50_000)
    assert len(data) < 100

    result = await set_image(owner, data, filename="bomb.png", content_type="image/png")

    assert result["userErrors"] == [
        {"field": ["image"], "code": "INVALID_IMAGE", "message": "The image has too many pixels."}
    ]
    assert stored_files(settings) == []
    assert (await image_columns(app, owner.contact_id))[0] is None


async def test_a_refused_file_keeps_the_previous_image(owner, app, client, settings):
    first = (await set_image(owner, webp_photo()))["contact"]["profileImage"]
    files, columns = stored_files(settings), await image_columns(app, owner.contact_id)

    result = await set_image(owner, SVG, filename="a.svg", content_type="image/svg+xml")

    assert result["userErrors"][0]["code"] == "INVALID_IMAGE"
    assert stored_files(settings) == files
    assert await image_columns(app, owner.contact_id) == columns
    assert (await fetch(client, first["large"], settings)).status_code == 200


# --- size limits, enforced while the body streams (SECURITY-CASES 28, 32) -----------------


async def test_a_6_mb_file_is_refused_with_413(owner, app, settings):
    response = await upload(owner, six_megabyte_png(), filename="big.png", content_type="image/png")

    assert response.status_code == 413
    assert "5 MB" in response.text
    assert stored_files(settings) == []
    assert (await image_columns(app, owner.contact_id))[0] is None


class CountingBody:
    """A request body produced chunk by chunk, recording how much the server pulled.

    The multipart `operations` and `map` parts come first, then a file part whose data
    goes on for `file_bytes` bytes."""

    CHUNK = 64 * 1024

    def __init__(self, file_bytes: int, boundary: str = "ownerhubtestboundary"):
        self.boundary = boundary
        self.file_bytes = file_bytes
        self.pulled = 0
        fields = multipart_fields(SET_IMAGE)
        head = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        )
        self.head = head + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="big.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.filler = b"\xff" * self.CHUNK

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def total(self) -> int:
        return len(self.head) + self.file_bytes + len(self.tail)

    async def __aiter__(self):
        for chunk in self._chunks():
            self.pulled += len(chunk)
            yield chunk

    def _chunks(self):
        yield self.head
        remaining = self.file_bytes
        while remaining > 0:
            n = min(remaining, self.CHUNK)
            yield self.filler if n == self.CHUNK else self.filler[:n]
            remaining -= n
        yield self.tail


async def post_stream(actor, body: CountingBody, extra_headers: dict | None = None) -> httpx.Response:
    headers = {**CSRF, "Authorization": f"Bearer {actor.token}", "Content-Type": body.content_type,
               **(extra_headers or {})}
    return await actor.client.post("/graphql", content=body, headers=headers)


async def test_a_50_mb_chunked_body_is_cut_off_early_with_flat_memory(owner, app, settings):
    body = CountingBody(50 * 1024 * 1024)

    tracemalloc.start()
    try:
        response = await post_stream(owner, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 413
    # Cut off right after the cap: the other ~45 MB were never read.
    assert body.pulled <= MAX_UPLOAD_BYTES + len(body.head) + CountingBody.CHUNK
    # Starlette spools a file to disk past 1 MB; nothing holds the whole upload.
    assert peak < 8 * 1024 * 1024, peak
    assert stored_files(settings) == []
    assert (await image_columns(app, owner.contact_id))[0] is None


async def test_a_lying_content_length_does_not_help(owner, settings):
    body = CountingBody(50 * 1024 * 1024)

    response = await post_stream(owner, body, {"Content-Length": "1000"})

    assert response.status_code == 413
    assert body.pulled <= MAX_UPLOAD_BYTES + len(body.head) + CountingBody.CHUNK
    assert stored_files(settings) == []


async def test_an_honest_content_length_over_the_cap_is_refused_before_reading(owner, settings):
    body = CountingBody(50 * 1024 * 1024)

    response = await post_stream(owner, body, {"Content-Length": str(body.total)})

    assert response.status_code == 413
    assert body.pulled == 0


async def test_one_byte_over_the_cap_is_refused_and_the_cap_itself_is_not(owner, app, settings):
    at_cap = await post_stream(owner, CountingBody(MAX_UPLOAD_BYTES))
    over = await post_stream(owner, CountingBody(MAX_UPLOAD_BYTES + 1))

    # At the cap the transport lets it through, and the image rules judge it.
    assert at_cap.status_code == 200
    assert at_cap.json()["data"]["setProfileImage"]["userErrors"][0]["code"] == "INVALID_IMAGE"
    assert over.status_code == 413
    assert stored_files(settings) == []


async def test_1001_multipart_parts_are_refused_with_400(owner, app, settings):
    fields = multipart_fields(SET_IMAGE)
    # operations + map + the file = 3 parts; 998 more make 1,001.
    fields.update({f"extra{i}": "x" for i in range(998)})
    response = await owner.client.post(
        "/graphql", data=fields, files={"0": ("a.webp", webp_photo(), "image/webp")},
        headers={**CSRF, "Authorization": f"Bearer {owner.token}"},
    )

    assert response.status_code == 400
    assert "Too many" in response.text
    assert stored_files(settings) == []
    assert (await image_columns(app, owner.contact_id))[0] is None


async def test_1000_multipart_parts_are_accepted(owner, settings):
    fields = multipart_fields(SET_IMAGE)
    fields.update({f"extra{i}": "x" for i in range(997)})
    response = await owner.client.post(
        "/graphql", data=fields, files={"0": ("a.webp", webp_photo(), "image/webp")},
        headers={**CSRF, "Authorization": f"Bearer {owner.token}"},
    )

    assert response.status_code == 200
    assert response.json()["data"]["setProfileImage"]["userErrors"] == []


@pytest.mark.parametrize("field", ["operations", "extra"])
async def test_a_non_file_part_over_1_mb_is_refused_with_400(owner, app, settings, field):
    fields = multipart_fields(SET_IMAGE)
    padding = " " * (1024 * 1024 + 1)
    if field == "operations":
        fields["operations"] = fields["operations"] + padding  # still valid JSON
    else:
        fields["extra"] = padding
    response = await owner.client.post(
        "/graphql", data=fields, files={"0": ("a.webp", webp_photo(), "image/webp")},
        headers={**CSRF, "Authorization": f"Bearer {owner.token}"},
    )

    assert response.status_code == 400
    assert "exceeded maximum size" in response.text
    assert stored_files(settings) == []
    assert (await image_columns(app, owner.contact_id))[0] is None


# --- CSRF (SECURITY-CASES 13) ---------------------------------------------------------------


async def test_an_upload_without_the_csrf_header_is_refused(owner, app, settings):
    response = await upload(owner, webp_photo(), headers={})

    assert response.status_code == 400
    assert "Apollo-Require-Preflight" in response.text
    assert stored_files(settings) == []
    assert (await image_columns(app, owner.contact_id))[0] is None


async def test_an_empty_csrf_header_is_refused(owner, settings):
    response = await upload(owner, webp_photo(), headers={"X-GraphQL-CSRF": ""})
    assert response.status_code == 400
    assert stored_files(settings) == []


async def test_the_x_graphql_csrf_header_works_too(owner):
    response = await upload(owner, webp_photo(), headers={"X-GraphQL-CSRF": "1"})
    assert response.status_code == 200
    assert response.json()["data"]["setProfileImage"]["userErrors"] == []


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "https://app.example.test.evil.example"])
async def test_an_upload_from_a_foreign_origin_is_refused(owner, app, settings, origin):
    response = await upload(owner, webp_photo(), headers={**CSRF, "Origin": origin})

    assert response.status_code == 403
    assert stored_files(settings) == []
    assert (await image_columns(app, owner.contact_id))[0] is None


async def test_an_upload_from_the_app_origin_is_accepted(owner):
    response = await upload(owner, webp_photo(), headers={**CSRF, "Origin": "https://app.example.test"})
    assert response.status_code == 200
    assert response.json()["data"]["setProfileImage"]["userErrors"] == []


@pytest.fixture
async def cors_client(settings):
    """A second app on the same database, with CORS_ORIGINS set."""
    cors_settings = settings.model_copy(update={"CORS_ORIGINS": ["https://mobile.example.com"]})
    cors_app = create_app(cors_settings, password_hashing=TEST_HASHING)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=cors_app), base_url="http://testserver") as http:
        yield http
    await dispose_engines(cors_app)


async def test_an_upload_from_an_origin_in_cors_origins_is_accepted(owner, cors_client, settings):
    owner.client = cors_client
    allowed = await upload(owner, webp_photo(), headers={**CSRF, "Origin": "https://mobile.example.com"})
    foreign = await upload(owner, png_with_alpha(), headers={**CSRF, "Origin": "https://evil.example"})

    assert allowed.status_code == 200
    assert allowed.json()["data"]["setProfileImage"]["userErrors"] == []
    assert foreign.status_code == 403
    assert len(stored_files(settings)) == 3


async def test_an_upload_shaped_as_apollo_ios_sends_it_is_accepted(owner, app):
    """Apollo iOS puts a file at `variables.<fieldName>` and also sets a top-level
    variable of that name to null; docs/api.md tells it `fieldName: "input.image"`.
    The stray `"input.image"` variable is ignored and the file lands in the input."""
    operations = {"query": SET_IMAGE, "operationName": None,
                  "variables": {"input": {"image": "me.webp"}, "input.image": None}}
    response = await owner.client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.image"]})},
        files={"0": ("me.webp", webp_photo(), "image/webp")},
        headers={**CSRF, "Authorization": f"Bearer {owner.token}"},
    )
    assert response.status_code == 200, response.text
    result = response.json()["data"]["setProfileImage"]
    assert result["userErrors"] == [] and result["contact"]["profileImage"]["width"] == 1024
    assert (await image_columns(app, owner.contact_id))[0] is not None


async def test_json_mutations_need_no_csrf_header(owner):
    # The guard is for multipart only; ordinary JSON requests are unaffected.
    body = await owner.gql(REMOVE_IMAGE, {"input": {}})
    assert body["data"]["removeProfileImage"]["userErrors"] == []


# --- who may upload (SPEC 7; SECURITY-CASES 19) ----------------------------------------------


async def test_a_builder_cannot_upload(builder, owner, app, settings):
    for input_values in ({}, {"contactId": contact_gid(owner.contact_id)}):
        response = await upload(builder, webp_photo(), input_values=input_values)

        assert response.status_code == 200
        body = response.json()
        assert body["data"] == {"setProfileImage": None}
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert stored_files(settings) == []
    assert (await image_columns(app, owner.contact_id))[0] is None


async def test_an_owner_cannot_set_another_owners_image(owner, other_owner, app, client, settings):
    theirs = (await set_image(other_owner, webp_photo(color=RED)))["contact"]["profileImage"]
    files, columns = stored_files(settings), await image_columns(app, other_owner.contact_id)

    response = await upload(owner, webp_photo(), input_values={"contactId": contact_gid(other_owner.contact_id)})

    body = response.json()
    assert body["data"] == {"setProfileImage": None}
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert stored_files(settings) == files
    assert await image_columns(app, other_owner.contact_id) == columns
    assert (await image_columns(app, owner.contact_id))[0] is None
    assert (await fetch(client, theirs["large"], settings)).status_code == 200


async def test_an_owner_cannot_remove_another_owners_image(owner, other_owner, app, settings):
    await set_image(other_owner, webp_photo())
    files, columns = stored_files(settings), await image_columns(app, other_owner.contact_id)

    body = await owner.gql(REMOVE_IMAGE, {"input": {"contactId": contact_gid(other_owner.contact_id)}},
                           expect_errors=True)

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert stored_files(settings) == files
    assert await image_columns(app, other_owner.contact_id) == columns


async def test_a_builder_cannot_remove_an_owners_image(builder, owner, app, settings):
    await set_image(owner, webp_photo())
    files = stored_files(settings)

    body = await builder.gql(REMOVE_IMAGE, {"input": {"contactId": contact_gid(owner.contact_id)}},
                             expect_errors=True)

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert stored_files(settings) == files


async def test_anonymous_upload_is_unauthenticated(anonymous, settings):
    response = await upload(anonymous, webp_photo())
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert stored_files(settings) == []


async def test_viewer_can_set_profile_image_only_for_the_owner_themself(owner, builder):
    query = "query($id: ID!) { contact(id: $id) { viewerCan { setProfileImage } } }"
    gid = contact_gid(owner.contact_id)
    assert (await owner.gql(query, {"id": gid}))["data"]["contact"]["viewerCan"]["setProfileImage"] is True
    assert (await builder.gql(query, {"id": gid}))["data"]["contact"]["viewerCan"]["setProfileImage"] is False


# --- replacing and removing -----------------------------------------------------------------


async def test_a_new_image_gets_new_urls_and_the_old_files_go(owner, client, app, settings):
    first = (await set_image(owner, webp_photo(color=BLUE)))["contact"]["profileImage"]
    first_files = stored_files(settings)

    second = (await set_image(owner, webp_photo(color=RED)))["contact"]["profileImage"]

    for size in ("small", "medium", "large"):
        assert second[size] != first[size]
        assert (await fetch(client, first[size], settings)).status_code == 404
        response = await fetch(client, second[size], settings)
        assert response.status_code == 200
        assert close_to(decoded(response.content).convert("RGB").getpixel((5, 5)), RED)
    assert len(stored_files(settings)) == 3
    assert not set(first_files) & set(stored_files(settings))


async def test_uploading_the_same_image_again_keeps_its_files(owner, client, settings):
    data = webp_photo()
    first = (await set_image(owner, data))["contact"]["profileImage"]

    again = (await set_image(owner, data))["contact"]["profileImage"]

    assert again["large"] == first["large"]
    assert len(stored_files(settings)) == 3
    assert (await fetch(client, again["large"], settings)).status_code == 200


async def test_two_owners_uploading_the_same_bytes_get_separate_files(owner, other_owner, client, settings):
    data = webp_photo()
    mine = (await set_image(owner, data))["contact"]["profileImage"]
    theirs = (await set_image(other_owner, data))["contact"]["profileImage"]
    assert mine["large"] != theirs["large"]

    await owner.gql(REMOVE_IMAGE, {"input": {}})

    assert (await fetch(client, theirs["large"], settings)).status_code == 200
    assert len(stored_files(settings)) == 3


async def test_a_removed_images_files_are_gone(owner, client, app, settings):
    image = (await set_image(owner, webp_photo()))["contact"]["profileImage"]

    body = await owner.gql(REMOVE_IMAGE, {"input": {}})

    assert body["data"]["removeProfileImage"] == {
        "contact": {"id": contact_gid(owner.contact_id), "profileImage": None}, "userErrors": []
    }
    assert stored_files(settings) == []
    for size in ("small", "medium", "large"):
        assert (await fetch(client, image[size], settings)).status_code == 404
    key, width, height, updated_at, _ = await image_columns(app, owner.contact_id)
    assert (key, width, height, updated_at) == (None, None, None, None)


async def test_removing_when_there_is_no_image_is_fine(owner):
    body = await owner.gql(REMOVE_IMAGE, {"input": {}})
    assert body["data"]["removeProfileImage"]["userErrors"] == []
    assert body["data"]["removeProfileImage"]["contact"]["profileImage"] is None


async def test_image_work_runs_off_the_event_loop(owner, monkeypatch):
    # A spy around the real processing records the thread it ran on.
    from services import profile_images

    threads = []
    real = profile_images.process_profile_image

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(profile_images, "process_profile_image", spy)
    await set_image(owner, webp_photo())

    assert threads and threads[0] is not threading.main_thread()


# --- delivery ---------------------------------------------------------------------------------


async def test_served_files_answer_conditional_requests(owner, client, settings):
    url = (await set_image(owner, webp_photo()))["contact"]["profileImage"]["medium"]
    first = await fetch(client, url, settings)

    again = await fetch(client, url, settings, headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "path",
    [
        "/media/0123456789abcdef0123456789abcdef-256.webp",  # well formed, never stored
        "/media/0123456789abcdef0123456789abcdef-999.webp",
        "/media/..%2F..%2Fetc%2Fpasswd",
        "/media/.tmp-x.part",
        "/media/readme.txt",
    ],
)
async def test_unknown_media_names_are_404(client, path):
    response = await client.get(path)
    assert response.status_code == 404


async def test_an_image_sent_as_a_json_string_is_invalid_image(owner, app, settings):
    body = await owner.gql(SET_IMAGE, {"input": {"image": "iVBORw0KGgo="}})

    assert body["data"]["setProfileImage"]["userErrors"] == [
        {"field": ["image"], "code": "INVALID_IMAGE",
         "message": "Send the image as a file, in a GraphQL multipart request."}
    ]
    assert stored_files(settings) == []
    assert (await image_columns(app, owner.contact_id))[0] is None


async def test_concurrent_uploads_leave_exactly_the_current_images_files(owner, app, settings):
    import asyncio

    from media.images import rendition_names

    colors = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    responses = await asyncio.gather(*(upload(owner, webp_photo(size=(300, 300), color=c)) for c in colors))

    outcomes = []
    for response in responses:
        payload = response.json()["data"]["setProfileImage"]
        outcomes.append([e["code"] for e in payload["userErrors"]])
    # Each one either won or lost the race cleanly; at least one won.
    assert all(codes in ([], ["STALE_OBJECT"]) for codes in outcomes), outcomes
    assert [] in outcomes
    key = (await image_columns(app, owner.contact_id))[0]
    assert stored_files(settings) == sorted(rendition_names(key))


async def test_deleting_a_contact_deletes_its_image_files(owner, builder, app, settings):
    # An owner who was deactivated keeps their image; the builder may then delete the contact.
    from sqlalchemy import update

    await set_image(owner, webp_photo())
    async with app.state.session_factory() as session:
        await session.execute(update(Contact).where(Contact.id == owner.contact_id).values(activation_status=ActivationStatus.INACTIVE))
        await session.commit()

    body = await builder.gql("mutation($input: ContactIdInput!) { deleteContact(input: $input) { ok userErrors { code } } }",
                             {"input": {"contactId": contact_gid(owner.contact_id)}})

    assert body["data"]["deleteContact"] == {"ok": True, "userErrors": []}
    assert stored_files(settings) == []


async def test_head_answers_with_the_same_headers(owner, client, settings):
    url = (await set_image(owner, webp_photo()))["contact"]["profileImage"]["small"]

    response = await client.head(media_path(url, settings))

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
