"""Rate limits of login, acceptInvite, requestPasswordReset and resetPassword
(SPEC 3, SECURITY-CASES 25), through GraphQL. Counts that would take minutes of
Argon2 work to reach are filled through the app's own limiter first."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from activation_support import (  # noqa: F401 - fixtures
    REQUEST_RESET,
    accept,
    client_at,
    create_contact,
    deliver,
    fresh_rate_limits,
    invite_token,
    smtp,
)
from conftest import ADMIN_PASSWORD, LOGIN, TEST_HASHING, gql
from models import OutboxMessage
from server import create_app, dispose_engines

WRONG = "not the password at all"


def _aliased_logins(count: int) -> str:
    fields = "\n".join(
        f"a{n}: login(input: {{username: $username, password: $password}}) {{ token userErrors {{ code }} }}"
        for n in range(count)
    )
    return "mutation($username: String!, $password: String!) {\n%s\n}" % fields


async def _login_codes(client, username: str, password: str) -> list[str]:
    body = await gql(client, LOGIN, {"input": {"username": username, "password": password}})
    return [e["code"] for e in body["data"]["login"]["userErrors"]]


async def test_100_failed_logins_lock_the_account_even_for_the_right_password(app, builder, anonymous):
    limiter = app.state.rate_limiter
    for _ in range(99):
        await limiter.record_failed_login(builder.username)
    assert await _login_codes(anonymous.client, builder.username, WRONG) == ["INVALID_INPUT"]  # the 100th
    assert await _login_codes(anonymous.client, builder.username, ADMIN_PASSWORD) == ["RATE_LIMITED"]
    other = await _login_codes(anonymous.client, "someone-else", WRONG)
    assert other == ["INVALID_INPUT"], "other accounts are not affected"


async def test_aliased_logins_in_one_request_count_one_attempt_each(app, builder, anonymous):
    limiter = app.state.rate_limiter
    for _ in range(95):
        await limiter.record_failed_login(builder.username)
    body = await gql(anonymous.client, _aliased_logins(5), {"username": builder.username, "password": WRONG})
    assert [body["data"][f"a{n}"]["userErrors"][0]["code"] for n in range(5)] == ["INVALID_INPUT"] * 5
    assert await _login_codes(anonymous.client, builder.username, ADMIN_PASSWORD) == ["RATE_LIMITED"]


async def test_four_aliased_failures_do_not_reach_the_limit(app, builder, anonymous):
    limiter = app.state.rate_limiter
    for _ in range(95):
        await limiter.record_failed_login(builder.username)
    await gql(anonymous.client, _aliased_logins(4), {"username": builder.username, "password": WRONG})
    assert await _login_codes(anonymous.client, builder.username, ADMIN_PASSWORD) == []


async def test_each_alias_of_a_reset_request_counts(anonymous):
    fields = "\n".join(f"r{n}: requestPasswordReset(input: {{login: \"dana\"}}) {{ ok userErrors {{ code }} }}"
                       for n in range(6))
    body = await anonymous.gql("mutation {\n%s\n}" % fields)
    answers = [body["data"][f"r{n}"] for n in range(6)]
    assert answers[:5] == [{"ok": True, "userErrors": []}] * 5
    assert answers[5] == {"ok": False, "userErrors": [{"code": "RATE_LIMITED"}]}


async def test_a_client_over_its_limit_is_refused_and_the_reset_path_stays_open(
    app, builder, deliver, smtp, settings
):
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail="dana@example.com")
    token = await invite_token(builder, contact_id, deliver, smtp, settings, "dana@example.com")
    address = "203.0.113.50"
    for _ in range(300):
        assert await app.state.rate_limiter.allow_call("login", address, None)
    for _ in range(99):
        await app.state.rate_limiter.record_failed_login("dana")

    async with client_at(app, address) as office:
        assert await _login_codes(office, builder.username, ADMIN_PASSWORD) == ["RATE_LIMITED"]
        refused = await accept(office, token, "dana")
        assert [e["code"] for e in refused["userErrors"]] == ["RATE_LIMITED"]
        async with client_at(app, "198.51.100.7") as elsewhere:
            assert (await accept(elsewhere, token, "dana"))["userErrors"] == []
            assert await _login_codes(elsewhere, "dana", WRONG) == ["INVALID_INPUT"]  # the 100th failure
            assert await _login_codes(elsewhere, "dana", "a porch swing in the rain") == ["RATE_LIMITED"]

        # Logins from this address are blocked and the account is locked, yet
        # the owner can still ask for a reset from here.
        reset = await gql(office, REQUEST_RESET, {"login": "dana"})
        assert reset["data"]["requestPasswordReset"] == {"ok": True, "userErrors": []}
    async with app.state.session_factory() as session:
        recipients = (await session.execute(select(OutboxMessage.recipient).where(OutboxMessage.sent_at.is_(None)))).all()
    assert recipients == [("dana@example.com",)]


async def test_with_redis_two_server_processes_share_the_counts(settings, builder):
    """REDIS_URL switches the limiter to Redis: what one app counted, another sees."""
    shared = settings.model_copy(update={"REDIS_URL": "redis://127.0.0.1:6379/0"})
    first, second = create_app(shared, password_hashing=TEST_HASHING), create_app(shared, password_hashing=TEST_HASHING)
    address = f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    try:
        for _ in range(300):
            await first.state.rate_limiter.allow_call("login", address, None)
        async with client_at(second, address) as client:
            assert await _login_codes(client, builder.username, ADMIN_PASSWORD) == ["RATE_LIMITED"]
    finally:
        for application in (first, second):
            await application.state.rate_limiter.aclose()
            await dispose_engines(application)


async def _aliased_calls_then_one_more(app, address: str, already: int) -> list[str]:
    """`already` login-path calls from `address`, then 15 aliased logins of a locked
    account in one request (15: the most aliases a request may carry), then one
    login of another account."""
    limiter = app.state.rate_limiter
    for _ in range(already):
        await limiter.allow_call("login", address, None)
    for _ in range(100):
        await limiter.record_failed_login("locked-account")
    async with client_at(app, address) as client:
        body = await gql(client, _aliased_logins(15), {"username": "locked-account", "password": WRONG})
        assert {body["data"][f"a{n}"]["userErrors"][0]["code"] for n in range(15)} == {"RATE_LIMITED"}
        return await _login_codes(client, "someone-else", WRONG)


async def test_aliases_count_against_the_client_address_one_each(app):
    assert await _aliased_calls_then_one_more(app, "203.0.113.60", 285) == ["RATE_LIMITED"]  # 285 + 15 = 300


async def test_under_the_client_limit_a_login_goes_through(app):
    assert await _aliased_calls_then_one_more(app, "203.0.113.61", 284) == ["INVALID_INPUT"]  # the 300th call
