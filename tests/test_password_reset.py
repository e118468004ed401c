"""requestPasswordReset, resetPassword and changePassword (SPEC 3;
SECURITY-CASES 23, 24)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from activation_support import (  # noqa: F401 - fixtures
    CHANGE_PASSWORD,
    DEACTIVATE_OWNER,
    ME,
    OWNER_PASSWORD,
    REQUEST_RESET,
    RESET_PASSWORD,
    accept,
    clock,
    create_contact,
    deliver,
    fresh_rate_limits,
    invite_token,
    link_token,
    smtp,
    text_of,
)
from conftest import ADMIN_PASSWORD, LOGIN, gql
from models import OutboxMessage, PasswordReset

DANA = "dana@example.com"
NEW_PASSWORD = "a brand new kitchen window"


@pytest.fixture
async def dana(builder, anonymous, deliver, smtp, settings):
    """An owner activated through the invite, with one additional email."""
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA,
                                      additionalEmails=["dana.work@example.com"])
    token = await invite_token(builder, contact_id, deliver, smtp, settings, DANA)
    accepted = await accept(anonymous.client, token, "dana")
    assert accepted["userErrors"] == []
    return contact_id, accepted["token"]


async def _raw_reset(client, login: str, host: str = "testserver") -> bytes:
    response = await client.post(
        "/graphql", json={"query": REQUEST_RESET, "variables": {"login": login}}, headers={"Host": host}
    )
    assert response.status_code == 200
    return response.content


async def _login(client, password: str) -> str | None:
    body = await gql(client, LOGIN, {"input": {"username": "dana", "password": password}})
    return body["data"]["login"]["token"]


async def test_reset_through_the_primary_email_works_and_the_link_host_is_app_url(
    app, anonymous, dana, deliver, smtp, settings
):
    _, old_session = dana
    answer = await _raw_reset(anonymous.client, " DANA@example.com ", host="evil.example")
    assert await deliver() == 1
    [mail] = [m for m in smtp.inbox.to(DANA) if "reset" in m["Subject"].lower()]
    assert "evil.example" not in text_of(mail)
    token = link_token(mail, settings.APP_URL, "reset-password")

    reset = (await gql(anonymous.client, RESET_PASSWORD, {"token": token, "password": NEW_PASSWORD}))["data"]
    assert reset["resetPassword"]["userErrors"] == []
    assert reset["resetPassword"]["viewer"]["__typename"] == "OwnerUser"
    assert (await gql(anonymous.client, ME, token=reset["resetPassword"]["token"]))["data"]["me"]["username"] == "dana"
    assert (await gql(anonymous.client, ME, token=old_session))["data"]["me"] is None, "other sessions end"
    assert await _login(anonymous.client, OWNER_PASSWORD) is None
    assert await _login(anonymous.client, NEW_PASSWORD)

    again = (await gql(anonymous.client, RESET_PASSWORD, {"token": token, "password": "yet another long one"}))
    assert [e["code"] for e in again["data"]["resetPassword"]["userErrors"]] == ["INVALID_TOKEN"]
    assert await _login(anonymous.client, NEW_PASSWORD)
    assert answer == b'{"data":{"requestPasswordReset":{"ok":true,"userErrors":[]}}}'


async def test_reset_by_username_goes_to_the_primary_email(anonymous, dana, deliver, smtp):
    await _raw_reset(anonymous.client, "Dana")
    assert await deliver() == 1
    assert [m["To"] for m in smtp.inbox.messages if "reset" in m["Subject"].lower()] == [DANA]


async def test_additional_email_unknown_login_and_deactivated_owner_answer_the_same_and_get_no_mail(
    app, builder, anonymous, dana, deliver, smtp
):
    contact_id, _ = dana
    await deliver()
    matched = await _raw_reset(anonymous.client, DANA)
    async with app.state.session_factory() as session:
        queued = (await session.execute(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None)))).all()
    assert len(queued) == 1
    await deliver()
    delivered_before = len(smtp.inbox.messages)

    answers = [
        await _raw_reset(anonymous.client, "dana.work@example.com"),
        await _raw_reset(anonymous.client, "nobody@example.com"),
        await _raw_reset(anonymous.client, "no-such-user"),
    ]
    assert (await builder.gql(DEACTIVATE_OWNER, {"id": contact_id}))["data"]["deactivateOwner"]["userErrors"] == []
    answers += [await _raw_reset(anonymous.client, DANA), await _raw_reset(anonymous.client, "dana")]

    assert set(answers) == {matched}
    assert await deliver() == 0
    assert len(smtp.inbox.messages) == delivered_before


async def test_a_builder_login_gets_the_same_answer_and_no_mail(builder, anonymous, deliver):
    answer = await _raw_reset(anonymous.client, builder.username)
    assert answer == b'{"data":{"requestPasswordReset":{"ok":true,"userErrors":[]}}}'
    assert await deliver() == 0


async def test_an_expired_reset_link_is_invalid(anonymous, dana, deliver, smtp, settings, clock):
    clock.freeze()
    await _raw_reset(anonymous.client, DANA)
    await deliver()
    token = link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "reset-password")
    clock.advance(timedelta(minutes=settings.RESET_TTL_MINUTES, seconds=1))
    refused = await gql(anonymous.client, RESET_PASSWORD, {"token": token, "password": NEW_PASSWORD})
    assert [e["code"] for e in refused["data"]["resetPassword"]["userErrors"]] == ["INVALID_TOKEN"]
    assert await _login(anonymous.client, OWNER_PASSWORD)


async def test_a_deactivated_owners_reset_link_dies(app, builder, anonymous, dana, deliver, smtp, settings):
    contact_id, _ = dana
    await _raw_reset(anonymous.client, DANA)
    await deliver()
    token = link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "reset-password")
    await builder.gql(DEACTIVATE_OWNER, {"id": contact_id})
    refused = await gql(anonymous.client, RESET_PASSWORD, {"token": token, "password": NEW_PASSWORD})
    assert [e["code"] for e in refused["data"]["resetPassword"]["userErrors"]] == ["INVALID_TOKEN"]


async def test_a_weak_new_password_keeps_the_link_usable(app, anonymous, dana, deliver, smtp, settings):
    await _raw_reset(anonymous.client, DANA)
    await deliver()
    token = link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "reset-password")
    weak = await gql(anonymous.client, RESET_PASSWORD, {"token": token, "password": "dana.work@example.com"})
    assert [(e["code"], e["field"]) for e in weak["data"]["resetPassword"]["userErrors"]] == [
        ("WEAK_PASSWORD", ["newPassword"])
    ]
    async with app.state.session_factory() as session:
        assert (await session.execute(select(PasswordReset.used_at))).scalar_one() is None
    ok = await gql(anonymous.client, RESET_PASSWORD, {"token": token, "password": NEW_PASSWORD})
    assert ok["data"]["resetPassword"]["userErrors"] == []


async def test_change_password_keeps_this_session_and_ends_the_others(anonymous, dana):
    _, first_session = dana
    other_session = await _login(anonymous.client, OWNER_PASSWORD)
    wrong = await gql(anonymous.client, CHANGE_PASSWORD, {"current": "not my password", "new": NEW_PASSWORD},
                      token=first_session)
    assert [(e["code"], e["field"]) for e in wrong["data"]["changePassword"]["userErrors"]] == [
        ("INVALID_INPUT", ["currentPassword"])
    ]
    weak = await gql(anonymous.client, CHANGE_PASSWORD, {"current": OWNER_PASSWORD, "new": "password123"},
                     token=first_session)
    assert [e["code"] for e in weak["data"]["changePassword"]["userErrors"]] == ["WEAK_PASSWORD"]

    changed = await gql(anonymous.client, CHANGE_PASSWORD, {"current": OWNER_PASSWORD, "new": NEW_PASSWORD},
                        token=first_session)
    assert changed["data"]["changePassword"] == {"ok": True, "userErrors": []}
    assert (await gql(anonymous.client, ME, token=first_session))["data"]["me"]["username"] == "dana"
    assert (await gql(anonymous.client, ME, token=other_session))["data"]["me"] is None
    assert await _login(anonymous.client, NEW_PASSWORD)


async def test_change_password_needs_a_session_and_a_builder_changes_only_their_own(app, builder, anonymous, dana):
    refused = await anonymous.gql(CHANGE_PASSWORD, {"current": "x", "new": NEW_PASSWORD}, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    changed = await builder.gql(CHANGE_PASSWORD, {"current": ADMIN_PASSWORD, "new": NEW_PASSWORD})
    assert changed["data"]["changePassword"]["ok"] is True
    assert await _login(anonymous.client, OWNER_PASSWORD), "the owner's password is untouched"
    builder_login = await gql(anonymous.client, LOGIN, {"input": {"username": builder.username, "password": NEW_PASSWORD}})
    assert builder_login["data"]["login"]["token"]


async def test_a_successful_reset_ends_the_failed_login_lock(app, anonymous, dana, deliver, smtp, settings):
    limiter = app.state.rate_limiter
    for _ in range(100):
        await limiter.record_failed_login("dana")
    codes = await gql(anonymous.client, LOGIN, {"input": {"username": "dana", "password": OWNER_PASSWORD}})
    assert [e["code"] for e in codes["data"]["login"]["userErrors"]] == ["RATE_LIMITED"]

    await _raw_reset(anonymous.client, "dana")
    assert await deliver() == 1
    [mail] = [m for m in smtp.inbox.to(DANA) if "reset" in m["Subject"].lower()]
    token = link_token(mail, settings.APP_URL, "reset-password")
    reset = await gql(anonymous.client, RESET_PASSWORD, {"token": token, "password": NEW_PASSWORD})
    assert reset["data"]["resetPassword"]["userErrors"] == []
    assert await _login(anonymous.client, NEW_PASSWORD), "the lock ended with the reset"
