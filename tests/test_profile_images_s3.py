"""Profile images end to end with S3 storage: the server configured with
MEDIA_S3_BUCKET against a real local S3-compatible server (moto's), driven through
GraphQL multipart requests and `/media/` over HTTP."""

from __future__ import annotations

import io
import uuid

import boto3
import httpx
import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from PIL import Image

from conftest import TEST_HASHING
from server import create_app, dispose_engines
from test_profile_images import (
    REMOVE_IMAGE,
    SVG,
    contact_gid,
    fetch,
    jpeg_with_gps_and_orientation,
    set_image,
    upload,
    webp_photo,
)

REGION = "us-east-1"
PREFIX = "profiles/"


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_server):
    s3 = boto3.client("s3", endpoint_url=s3_server, region_name=REGION,
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    name = f"media-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return s3, name


@pytest.fixture
async def s3_client(settings, s3_server, bucket):
    """An app on the suite's database whose media go to the bucket."""
    _, name = bucket
    s3_settings = settings.model_copy(update={
        "MEDIA_S3_BUCKET": name,
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_REGION": REGION,
        "MEDIA_S3_ACCESS_KEY_ID": "testing",
        "MEDIA_S3_SECRET_ACCESS_KEY": "testing",
        "MEDIA_S3_PREFIX": PREFIX,
    })
    s3_app = create_app(s3_settings, password_hashing=TEST_HASHING)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=s3_app), base_url="http://testserver") as http:
        yield http
    await s3_app.state.media_storage.aclose()
    await dispose_engines(s3_app)


def objects(bucket) -> dict[str, dict]:
    s3, name = bucket
    listing = s3.list_objects_v2(Bucket=name).get("Contents", [])
    return {item["Key"]: s3.head_object(Bucket=name, Key=item["Key"]) for item in listing}


def keys_of(image: dict) -> list[str]:
    return sorted(PREFIX + image[size].rsplit("/", 1)[1] for size in ("small", "medium", "large"))


async def test_upload_replace_and_remove_through_s3(owner, s3_client, bucket, settings):
    owner.client = s3_client

    first = (await set_image(owner, jpeg_with_gps_and_orientation()))["contact"]["profileImage"]

    stored = objects(bucket)
    assert sorted(stored) == keys_of(first)
    for head in stored.values():
        assert head["ContentType"] == "image/webp"
        assert head["CacheControl"] == "public, max-age=31536000, immutable"
    # Served by the API server itself, from the bucket.
    response = await fetch(s3_client, first["medium"], settings)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["x-content-type-options"] == "nosniff"
    served = Image.open(io.BytesIO(response.content))
    assert served.format == "WEBP" and served.size == (200, 200) and not served.getexif()

    second = (await set_image(owner, webp_photo()))["contact"]["profileImage"]
    assert second["large"] != first["large"]
    assert sorted(objects(bucket)) == keys_of(second)
    assert (await fetch(s3_client, first["large"], settings)).status_code == 404

    body = await owner.gql(REMOVE_IMAGE, {"input": {}})
    assert body["data"]["removeProfileImage"]["contact"]["profileImage"] is None
    assert objects(bucket) == {}
    assert (await fetch(s3_client, second["large"], settings)).status_code == 404


async def test_refused_uploads_store_nothing_in_the_bucket(owner, builder, s3_client, bucket):
    owner.client = builder.client = s3_client

    invalid = await set_image(owner, SVG, filename="a.svg", content_type="image/svg+xml")
    forbidden = (await upload(builder, webp_photo(), input_values={"contactId": contact_gid(owner.contact_id)})).json()
    no_csrf = await upload(owner, webp_photo(), headers={})

    assert invalid["userErrors"][0]["code"] == "INVALID_IMAGE"
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert no_csrf.status_code == 400
    assert objects(bucket) == {}
