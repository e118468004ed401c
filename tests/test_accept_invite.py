"""acceptInvite (SPEC 3, SECURITY-CASES 22 and 26): the token works once, while
live; a refused accept changes nothing; the owner's password meets the policy."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from activation_support import (  # noqa: F401 - fixtures
    CANCEL_INVITE,
    CONTACT,
    INVITE_DETAILS,
    SEND_INVITE,
    accept,
    clock,
    contact_rows,
    create_contact,
    deliver,
    fresh_rate_limits,
    invite_token,
    link_token,
    smtp,
)
from conftest import LOGIN, gql
from models import Invite, User

DANA = "dana@example.com"


@pytest.fixture
async def invited(builder, deliver, smtp, settings):
    """A PENDING contact and the token from its invite mail."""
    contact_id = await create_contact(builder, firstName="Dana", lastName="Reyes", primaryEmail=DANA,
                                      additionalEmails=["dana.work@example.com"])
    token = await invite_token(builder, contact_id, deliver, smtp, settings, DANA)
    return contact_id, token


async def _invites(app) -> list[tuple]:
    async with app.state.session_factory() as session:
        rows = (await session.execute(select(Invite).order_by(Invite.id))).scalars()
        return [(i.id, i.used_at, i.revoked_at) for i in rows]


async def _users(app) -> list[tuple]:
    async with app.state.session_factory() as session:
        rows = (await session.execute(select(User).order_by(User.id))).scalars()
        return [(u.id, u.username, u.password_hash, u.is_enabled) for u in rows]


async def test_a_token_works_once(anonymous, invited):
    _, token = invited
    assert (await accept(anonymous.client, token, "dana"))["userErrors"] == []
    again = await accept(anonymous.client, token, "dana2")
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_TOKEN"]
    assert again["userErrors"][0]["field"] == ["token"]
    assert (await anonymous.gql(INVITE_DETAILS, {"token": token}))["data"]["inviteDetails"]["valid"] is False


async def test_unknown_token_is_invalid(anonymous, invited):
    refused = await accept(anonymous.client, "x" * 43, "dana")
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_TOKEN"]


async def test_cancelled_token_is_invalid_and_nothing_changes(app, builder, anonymous, invited):
    contact_id, token = invited
    await builder.gql(CANCEL_INVITE, {"id": contact_id})
    before = (await contact_rows(app), await _users(app), await _invites(app))
    refused = await accept(anonymous.client, token, "dana")
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_TOKEN"]
    assert (await contact_rows(app), await _users(app), await _invites(app)) == before


async def test_expired_token_is_invalid_contact_stays_pending_and_a_resend_has_the_full_lifetime(
    app, builder, anonymous, deliver, smtp, settings, clock
):
    sent_at = clock.freeze()
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    token = await invite_token(builder, contact_id, deliver, smtp, settings, DANA)
    ttl = timedelta(hours=settings.INVITE_TTL_HOURS)

    clock.advance(ttl - timedelta(seconds=1))
    assert (await anonymous.gql(INVITE_DETAILS, {"token": token}))["data"]["inviteDetails"]["valid"] is True

    clock.advance(timedelta(seconds=2))  # TTL + 1 s after sending
    assert (await anonymous.gql(INVITE_DETAILS, {"token": token}))["data"]["inviteDetails"]["valid"] is False
    before = (await contact_rows(app), await _users(app), await _invites(app))
    refused = await accept(anonymous.client, token, "dana")
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_TOKEN"]
    assert (await contact_rows(app), await _users(app), await _invites(app)) == before

    contact = (await builder.gql(CONTACT, {"id": contact_id}))["data"]["contact"]
    assert contact["activationStatus"] == "PENDING"
    assert contact["pendingInvite"]["expired"] is True
    assert contact["viewerCan"]["invite"] is True and contact["viewerCan"]["cancelInvite"] is True

    resent = (await builder.gql(SEND_INVITE, {"id": contact_id}))["data"]["sendInvite"]["contact"]["pendingInvite"]
    assert resent["expired"] is False
    assert resent["expiresAt"] == (clock() + ttl).isoformat()
    assert clock() == sent_at + ttl + timedelta(seconds=1)
    await deliver()
    fresh = link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "accept-invite")
    assert (await accept(anonymous.client, fresh, "dana"))["userErrors"] == []


async def test_two_concurrent_accepts_of_one_token_exactly_one_wins(app, anonymous, invited):
    contact_id, token = invited
    results = await asyncio.gather(
        accept(anonymous.client, token, "dana-one"), accept(anonymous.client, token, "dana-two")
    )
    winners = [r for r in results if not r["userErrors"]]
    losers = [r for r in results if r["userErrors"]]
    assert len(winners) == 1 and len(losers) == 1
    assert [e["code"] for e in losers[0]["userErrors"]] == ["INVALID_TOKEN"]
    owners = [u for u in await _users(app) if u[1].startswith("dana-")]
    assert [u[1] for u in owners] == [winners[0]["viewer"]["username"]]


async def test_a_taken_username_is_refused_and_the_token_stays_usable(app, builder, anonymous, invited):
    _, token = invited
    before = (await contact_rows(app), await _users(app), await _invites(app))
    refused = await accept(anonymous.client, token, builder.username.upper())
    assert [e["code"] for e in refused["userErrors"]] == ["USERNAME_TAKEN"]
    assert (await contact_rows(app), await _users(app), await _invites(app)) == before
    assert (await accept(anonymous.client, token, "dana"))["userErrors"] == []


@pytest.mark.parametrize(
    "password, why",
    [
        ("ninechars", "9 characters"),
        ("x" * 129, "129 characters"),
        ("password123", "a common password"),
        ("dana.reyes.home", "the username"),
        ("DANA@example.com", "the primary email"),
        ("dana.work@example.com", "an additional email"),
    ],
)
async def test_weak_passwords_are_refused_and_nothing_changes(app, anonymous, invited, password, why):
    _, token = invited
    before = (await contact_rows(app), await _users(app), await _invites(app))
    refused = await accept(anonymous.client, token, "dana.reyes.home", password)
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("WEAK_PASSWORD", ["password"])], why
    assert (await contact_rows(app), await _users(app), await _invites(app)) == before


async def test_128_unicode_characters_are_kept_whole_and_hashed_with_argon2id(app, anonymous, invited):
    _, token = invited
    password = "ü" * 126 + "ñ" + "Z"  # 128 characters; the 128th matters
    assert (await accept(anonymous.client, token, "dana", password))["userErrors"] == []
    async with app.state.session_factory() as session:
        stored = (await session.execute(select(User.password_hash).where(User.username == "dana"))).scalar_one()
    assert stored.startswith("$argon2id$")

    wrong_last = await gql(anonymous.client, LOGIN, {"input": {"username": "dana", "password": password[:127] + "Y"}})
    assert wrong_last["data"]["login"]["token"] is None
    truncated = await gql(anonymous.client, LOGIN, {"input": {"username": "dana", "password": password[:127]}})
    assert truncated["data"]["login"]["token"] is None
    right = await gql(anonymous.client, LOGIN, {"input": {"username": "dana", "password": password}})
    assert right["data"]["login"]["token"]
