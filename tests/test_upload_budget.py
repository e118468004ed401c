"""Image decoding under a process-wide budget (issue 13: parallel uploads of a
small PNG declaring 25 megapixels took the server to 1.9 GB). Uploads reserve
their declared pixels before decoding; while the budget is taken they wait, and
past the wait they get `RATE_LIMITED`, with nothing stored. Peak memory under a
flood is measured by bench/memory_floods.py, not here."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from conftest import make_active_owner
from hardening_support import app_client
from test_profile_images import CSRF, SET_IMAGE, multipart_fields


def png(side: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


async def upload(client, token: str, data: bytes) -> dict:
    response = await client.post(
        "/graphql", data=multipart_fields(SET_IMAGE), files={"0": ("a.png", data, "image/png")},
        headers={**CSRF, "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["setProfileImage"]


@pytest.fixture
async def budget_client(settings):
    """An app whose budget is two 600 x 600 images, decoding two at a time."""
    async with app_client(settings, IMAGE_DECODE_PIXELS=720_000, IMAGE_DECODE_SLOTS=2,
                          IMAGE_DECODE_WAIT_SECONDS=30.0) as client:
        yield client


async def test_parallel_uploads_never_decode_more_than_the_budget_at_once(budget_client, builder):
    app = budget_client.app
    owners = [await make_active_owner(app, budget_client, builder, first_name=f"Owner{i}") for i in range(6)]
    answers = await asyncio.gather(*(upload(budget_client, owner.token, png(600)) for owner, _ in owners))
    assert all(answer["userErrors"] == [] and answer["contact"]["profileImage"] for answer in answers)
    budget = app.state.decode_budget
    assert budget.peak_pixels == 720_000, "two decodes at once, never three"
    assert budget.peak_decoding == 2


async def test_an_upload_that_waits_too_long_for_the_budget_is_rate_limited(settings, builder):
    async with app_client(settings, IMAGE_DECODE_WAIT_SECONDS=0.2) as client:
        app = client.app
        owner, contact_id = await make_active_owner(app, client, builder)
        # Another upload holds the whole budget for longer than this one may wait.
        async with app.state.decode_budget.reserve(app.state.settings.IMAGE_DECODE_PIXELS):
            refused = await upload(client, owner.token, png(64))
        assert refused["contact"] is None
        assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("RATE_LIMITED", ["image"])]
        accepted = await upload(client, owner.token, png(64))
        assert accepted["userErrors"] == [] and accepted["contact"]["profileImage"]
