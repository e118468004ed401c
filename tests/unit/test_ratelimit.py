"""Rate limits for the anonymous auth calls (SPEC 3, SECURITY-CASES 25)."""

import uuid

import pytest
import redis.asyncio

from ratelimit import AuthRateLimiter

REDIS_URL = "redis://127.0.0.1:6379/0"
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.9"


@pytest.mark.asyncio
async def test_100_failed_logins_lock_the_account_and_no_other():
    limiter = AuthRateLimiter()  # default limits: 100 failed logins an hour
    for _ in range(100):
        assert not await limiter.login_locked("alice")
        await limiter.record_failed_login("alice")

    assert await limiter.login_locked("alice")
    assert await limiter.login_locked("alice"), "checking does not consume or unlock"
    assert not await limiter.login_locked("bob")


@pytest.mark.asyncio
async def test_per_client_limit_refuses_the_call_over_it():
    limiter = AuthRateLimiter(per_client="5/hour")
    actions = ["login", "acceptInvite", "login", "login", "acceptInvite"]
    for action in actions:
        assert await limiter.allow_call(action, CLIENT, "alice")

    assert not await limiter.allow_call("login", CLIENT, "alice")
    assert not await limiter.allow_call("acceptInvite", CLIENT, None)
    assert await limiter.allow_call("login", OTHER_CLIENT, "alice")


@pytest.mark.asyncio
async def test_aliases_count_one_call_each():
    limiter = AuthRateLimiter(per_client="50/hour")
    # 50 aliased logins in one request: the resolver asks once per alias.
    allowed = [await limiter.allow_call("login", CLIENT, f"user{i}") for i in range(51)]
    assert allowed == [True] * 50 + [False]


@pytest.mark.asyncio
async def test_burned_login_bucket_never_blocks_the_reset_path():
    limiter = AuthRateLimiter(per_client="5/hour", failed_logins_per_account="3/hour")
    for _ in range(5):
        assert await limiter.allow_call("login", CLIENT, "alice")
        await limiter.record_failed_login("alice")
    assert not await limiter.allow_call("login", CLIENT, "alice")
    assert await limiter.login_locked("alice")

    assert await limiter.allow_call("requestPasswordReset", CLIENT, "alice")
    assert await limiter.allow_call("resetPassword", CLIENT, None)


@pytest.mark.asyncio
async def test_reset_path_has_its_own_per_client_bucket():
    limiter = AuthRateLimiter(per_client="3/hour")
    for _ in range(3):
        assert await limiter.allow_call("resetPassword", CLIENT, None)
    assert not await limiter.allow_call("resetPassword", CLIENT, None)
    assert not await limiter.allow_call("requestPasswordReset", CLIENT, "alice")
    assert await limiter.allow_call("login", CLIENT, "alice")


@pytest.mark.asyncio
async def test_password_reset_requests_are_limited_per_login_name():
    limiter = AuthRateLimiter(password_resets_per_account="5/hour")
    for i in range(5):
        assert await limiter.allow_call("requestPasswordReset", f"10.0.0.{i}", "alice")

    assert not await limiter.allow_call("requestPasswordReset", "10.0.0.99", "alice")
    assert await limiter.allow_call("requestPasswordReset", "10.0.0.99", "bob")


@pytest.mark.asyncio
async def test_email_change_requests_share_the_per_login_reset_count():
    limiter = AuthRateLimiter(password_resets_per_account="4/hour")
    for action in ("requestPasswordReset", "requestEmailChange", "requestPasswordReset", "requestEmailChange"):
        assert await limiter.allow_call(action, CLIENT, "alice")

    assert not await limiter.allow_call("requestEmailChange", CLIENT, "alice")
    assert not await limiter.allow_call("requestPasswordReset", CLIENT, "alice")
    assert await limiter.allow_call("confirmEmailChange", CLIENT, None), "confirming mails nobody"


@pytest.mark.asyncio
async def test_login_names_differing_in_case_and_spaces_share_a_bucket():
    limiter = AuthRateLimiter(failed_logins_per_account="3/hour")
    for name in ["Alice", " alice", "ALICE "]:
        await limiter.record_failed_login(name)

    assert await limiter.login_locked("  aLiCe\t")


@pytest.mark.asyncio
async def test_unknown_action_is_a_bug():
    with pytest.raises(ValueError):
        await AuthRateLimiter().allow_call("createContact", CLIENT, None)


@pytest.mark.asyncio
async def test_reset_clears_every_count():
    limiter = AuthRateLimiter(per_client="1/hour", failed_logins_per_account="1/hour")
    await limiter.record_failed_login("alice")
    assert await limiter.allow_call("login", CLIENT, "alice")
    assert await limiter.ping()

    await limiter.reset()

    assert not await limiter.login_locked("alice")
    assert await limiter.allow_call("login", CLIENT, "alice")


# Redis: several server processes share the counts. Redis must be running; an
# unreachable Redis fails these tests instead of skipping them.


@pytest.fixture
def namespace():
    return f"ownerhub-test-{uuid.uuid4().hex}"


async def _keys(namespace: str) -> list[bytes]:
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    try:
        return await client.keys(f"{namespace}:*")
    finally:
        await client.aclose()


async def _redis_limiter(namespace: str, **limits: str) -> AuthRateLimiter:
    limiter = AuthRateLimiter(f"async+{REDIS_URL}", namespace=namespace, **limits)
    assert await limiter.ping(), f"Redis is not reachable at {REDIS_URL}"
    return limiter


@pytest.mark.asyncio
async def test_redis_100_failed_logins_lock_the_account(namespace):
    limiter = await _redis_limiter(namespace)
    try:
        for _ in range(100):
            await limiter.record_failed_login("alice")

        assert await limiter.login_locked("alice")
        assert not await limiter.login_locked("bob")
        assert await _keys(namespace), "the counts live in Redis under the namespace"
        assert all(b"alice" not in key for key in await _keys(namespace))
    finally:
        await limiter.reset()
        await limiter.aclose()
    assert await _keys(namespace) == []


@pytest.mark.asyncio
async def test_redis_two_processes_share_the_counts(namespace):
    first = await _redis_limiter(namespace, per_client="4/hour")
    second = await _redis_limiter(namespace, per_client="4/hour")
    try:
        for _ in range(50):
            await first.record_failed_login("alice")
            await second.record_failed_login(" Alice ")
        assert await first.login_locked("alice")
        assert await second.login_locked("alice")

        assert await first.allow_call("login", CLIENT, "alice")
        assert await second.allow_call("login", CLIENT, "alice")
        assert await first.allow_call("acceptInvite", CLIENT, None)
        assert await second.allow_call("login", CLIENT, "alice")
        assert not await first.allow_call("login", CLIENT, "alice")
        assert await second.allow_call("resetPassword", CLIENT, None)
    finally:
        await first.reset()
        await first.aclose()
        await second.aclose()
    assert await _keys(namespace) == []


@pytest.mark.asyncio
async def test_redis_reset_leaves_other_namespaces_alone(namespace):
    mine = await _redis_limiter(namespace)
    other = await _redis_limiter(namespace + "-other")
    try:
        await mine.record_failed_login("alice")
        await other.record_failed_login("alice")

        await mine.reset()

        assert await _keys(namespace) == []
        assert len(await _keys(namespace + "-other")) == 1
    finally:
        await other.reset()
        await mine.aclose()
        await other.aclose()
