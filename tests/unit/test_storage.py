"""Media storage: a local folder, and an S3 bucket on a real local moto server."""

from __future__ import annotations

import os
import stat
import uuid

import pytest

from media.storage import (
    IMMUTABLE_CACHE_CONTROL,
    InvalidMediaName,
    LocalMediaStorage,
    MediaStorage,
    S3MediaStorage,
    storage_from_settings,
)

NAME = "0123456789abcdef0123456789abcdef-256.webp"
UNSAFE_NAMES = [
    "../escape.webp",
    "..",
    "a/../../b.webp",
    "sub/file.webp",
    "/etc/passwd",
    "..\\escape.webp",
    "a\\b.webp",
    "x\x00.webp",
    ".hidden.webp",
    "C:evil.webp",
    "",
    "a" * 201,
]


# --- local folder -----------------------------------------------------------------


async def test_local_save_read_delete_roundtrip(tmp_path):
    storage = LocalMediaStorage(tmp_path / "media" / "nested")  # created on first save
    assert isinstance(storage, MediaStorage)

    await storage.save(NAME, b"first", "image/webp")
    assert await storage.read(NAME) == b"first"

    await storage.save(NAME, b"second", "image/webp")
    assert await storage.read(NAME) == b"second"
    # Public files, and no temp file left behind by the atomic write.
    assert os.listdir(storage.root) == [NAME]
    assert stat.S_IMODE(storage.path_for(NAME).stat().st_mode) == 0o644

    await storage.delete(NAME)
    assert await storage.read(NAME) is None
    await storage.delete(NAME)  # deleting a missing name is fine


async def test_local_read_missing_is_none(tmp_path):
    assert await LocalMediaStorage(tmp_path).read(NAME) is None


async def test_local_failed_write_keeps_old_content_and_leaves_no_temp_file(tmp_path, monkeypatch):
    storage = LocalMediaStorage(tmp_path)
    await storage.save(NAME, b"old", "image/webp")

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        await storage.save(NAME, b"new", "image/webp")

    assert await storage.read(NAME) == b"old"
    assert os.listdir(tmp_path) == [NAME]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
async def test_local_refuses_path_traversal(tmp_path, name):
    root = tmp_path / "media"
    storage = LocalMediaStorage(root)
    (tmp_path / "escape.webp").write_bytes(b"outside")

    with pytest.raises(InvalidMediaName):
        await storage.save(name, b"x", "image/webp")
    with pytest.raises(InvalidMediaName):
        await storage.read(name)
    with pytest.raises(InvalidMediaName):
        await storage.delete(name)

    assert (tmp_path / "escape.webp").read_bytes() == b"outside"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["escape.webp"]


def test_factory_picks_local_by_default_and_s3_when_a_bucket_is_set(tmp_path):
    local = storage_from_settings(str(tmp_path), None, None)
    assert isinstance(local, LocalMediaStorage)
    assert local.root == tmp_path

    s3 = storage_from_settings(str(tmp_path), "avatars", "http://127.0.0.1:9000", s3_prefix="profiles")
    assert isinstance(s3, S3MediaStorage)
    assert (s3.bucket, s3.prefix) == ("avatars", "profiles/")
    assert isinstance(s3, MediaStorage)


# --- S3, against a moto server started here ---------------------------------------

CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    pytest.importorskip("aioboto3", reason="aioboto3 is needed for S3MediaStorage")
    boto3 = pytest.importorskip("boto3")
    threaded = pytest.importorskip(
        "moto.moto_server.threaded_moto_server",
        reason="moto[server] provides the local S3-compatible server for this test",
    )
    server = threaded.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield endpoint, boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=CREDENTIALS["region"],
            aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"],
        )
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    endpoint, client = s3_endpoint
    name = f"media-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return endpoint, client, name


async def test_s3_save_read_delete_roundtrip(bucket):
    endpoint, client, name = bucket
    async with S3MediaStorage(name, endpoint_url=endpoint, prefix="profiles", **CREDENTIALS) as storage:
        assert isinstance(storage, MediaStorage)

        await storage.save(NAME, b"webp bytes", "image/webp")
        assert await storage.read(NAME) == b"webp bytes"

        head = client.head_object(Bucket=name, Key=f"profiles/{NAME}")
        assert head["ContentType"] == "image/webp"
        assert head["CacheControl"] == IMMUTABLE_CACHE_CONTROL

        await storage.delete(NAME)
        assert await storage.read(NAME) is None
        await storage.delete(NAME)  # deleting a missing name is fine
    assert client.list_objects_v2(Bucket=name).get("KeyCount", 0) == 0


async def test_s3_read_missing_is_none(bucket):
    endpoint, _, name = bucket
    async with S3MediaStorage(name, endpoint_url=endpoint, **CREDENTIALS) as storage:
        assert await storage.read(NAME) is None


@pytest.mark.parametrize("unsafe", ["../escape.webp", "sub/file.webp", "..", ""])
async def test_s3_refuses_unsafe_names(bucket, unsafe):
    endpoint, client, name = bucket
    async with S3MediaStorage(name, endpoint_url=endpoint, prefix="profiles", **CREDENTIALS) as storage:
        with pytest.raises(InvalidMediaName):
            await storage.save(unsafe, b"x", "image/webp")
        with pytest.raises(InvalidMediaName):
            await storage.read(unsafe)
    assert client.list_objects_v2(Bucket=name).get("KeyCount", 0) == 0
