"""Development CORS: with `ENVIRONMENT=development` a single-page app's dev server on
localhost (any port) is allowed with no set-up, for JSON requests and for uploads;
production allows only what `CORS_ORIGINS` lists (`CORS_ALLOW_LOCALHOST` overrides)."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from hardening_support import app_client, post

LOCAL_ORIGINS = ["http://localhost:5173", "http://127.0.0.1:3000", "http://localhost", "http://[::1]:8080"]
LOOKALIKES = [
    "http://localhost.evil.example",
    "http://localhost.evil.example:5173",
    "http://127.0.0.1.nip.io:3000",
    "http://evil.example/http://localhost:5173",
    "http://localhost:5173.evil.example",
    "null",
]
SET_IMAGE = """mutation($input: SetProfileImageInput!) {
  setProfileImage(input: $input) { contact { profileImage { width } } userErrors { code } } }"""


async def preflight(client, origin: str):
    return await client.options("/graphql", headers={
        "origin": origin, "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, apollo-require-preflight"})


def allowed(response, origin: str) -> bool:
    return response.headers.get("access-control-allow-origin") == origin


@pytest.mark.parametrize("origin", LOCAL_ORIGINS)
async def test_development_allows_a_dev_server_on_localhost(client, origin):
    check = await preflight(client, origin)
    assert check.status_code == 200 and allowed(check, origin)
    assert "access-control-allow-credentials" not in check.headers
    assert allowed(await post(client, "{ __typename }", headers={"origin": origin}), origin)


@pytest.mark.parametrize("origin", [*LOOKALIKES, "https://app.example.org"])
async def test_development_still_refuses_every_other_origin(client, origin):
    check = await preflight(client, origin)
    assert check.status_code == 400 and "access-control-allow-origin" not in check.headers
    assert "access-control-allow-origin" not in (await post(client, "{ __typename }", headers={"origin": origin})).headers


async def test_production_is_closed_to_localhost_until_configured(settings):
    async with app_client(settings, ENVIRONMENT="production") as client:
        for origin in LOCAL_ORIGINS:
            assert not allowed(await preflight(client, origin), origin)
    async with app_client(settings, ENVIRONMENT="production", CORS_ORIGINS=["http://localhost:5173"]) as client:
        assert allowed(await preflight(client, "http://localhost:5173"), "http://localhost:5173")
        assert not allowed(await preflight(client, "http://localhost:3000"), "http://localhost:3000")
    async with app_client(settings, ENVIRONMENT="production", CORS_ALLOW_LOCALHOST=True) as client:
        assert allowed(await preflight(client, "http://localhost:3000"), "http://localhost:3000")


async def test_development_can_be_closed_too(settings):
    async with app_client(settings, CORS_ALLOW_LOCALHOST=False) as client:
        assert not allowed(await preflight(client, "http://localhost:5173"), "http://localhost:5173")


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (0, 128, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


async def upload(client, token: str, origin: str):
    operations = {"query": SET_IMAGE, "variables": {"input": {"image": None}}}
    return await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.image"]})},
        files={"0": ("me.png", png(), "image/png")},
        headers={"Authorization": f"Bearer {token}", "Apollo-Require-Preflight": "true", "Origin": origin},
    )


async def test_an_upload_from_a_localhost_dev_server_is_accepted_in_development_only(owner, client, settings):
    accepted = await upload(client, owner.token, "http://localhost:5173")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["data"]["setProfileImage"] == {"contact": {"profileImage": {"width": 40}}, "userErrors": []}
    assert (await upload(client, owner.token, "http://localhost.evil.example:5173")).status_code == 403
    async with app_client(settings, ENVIRONMENT="production") as production:
        assert (await upload(production, owner.token, "http://localhost:5173")).status_code == 403
