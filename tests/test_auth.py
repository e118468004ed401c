"""Sign-in (SPEC 1): login, me, logout, bearer tokens."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from conftest import ADMIN_PASSWORD, LOGIN, TEST_HASHING, gql
from domain.passwords import PRODUCTION_PARAMETERS, HashParameters, hash_password, verify_password
from domain.tokens import hash_token
from models import AuthSession, User, utcnow
from repository.accounts import AccountRepository
from repository.uow import UnitOfWork
from server import create_app, dispose_engines

# Parameters other than the suite's, as after an operator's change of them.
OTHER_HASHING = HashParameters(time_cost=2, memory_kib=16, parallelism=1)


ME = "{ me { __typename ... on BuilderUser { username role builderAccount { name } } } }"


async def test_login_returns_a_session_and_me_answers(builder):
    body = await builder.gql(ME)
    assert body["data"]["me"] == {
        "__typename": "BuilderUser",
        "username": builder.username,
        "role": "ADMIN",
        "builderAccount": {"name": "Acme Homes"},
    }


async def test_me_is_null_for_anonymous(anonymous):
    assert (await anonymous.gql(ME))["data"]["me"] is None


async def test_username_is_case_insensitive_and_wrong_password_refused(builder, client):
    ok = await gql(client, LOGIN, {"input": {"username": builder.username.upper(), "password": ADMIN_PASSWORD}})
    assert ok["data"]["login"]["token"]
    bad = await gql(client, LOGIN, {"input": {"username": builder.username, "password": "wrong password!"}})
    assert bad["data"]["login"]["token"] is None
    assert bad["data"]["login"]["userErrors"][0]["message"] == "The username or password is not correct."
    unknown = await gql(client, LOGIN, {"input": {"username": "nobody-here", "password": "wrong password!"}})
    assert unknown["data"]["login"]["userErrors"] == bad["data"]["login"]["userErrors"]


async def test_only_the_token_hash_is_stored(app, builder):
    async with app.state.session_factory() as session:
        hashes = (await session.execute(select(AuthSession.token_hash))).scalars().all()
    assert hash_token(builder.token) in hashes
    assert builder.token not in hashes
    assert len(builder.token) >= 43  # 32 random bytes, base64url


async def test_logout_revokes_the_session(builder):
    assert (await builder.gql("mutation { logout { ok } }"))["data"]["logout"]["ok"] is True
    assert (await builder.gql(ME))["data"]["me"] is None


async def test_expired_token_is_anonymous(app, builder):
    async with app.state.session_factory() as session:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == hash_token(builder.token))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    assert (await builder.gql(ME))["data"]["me"] is None


async def test_garbage_token_is_anonymous(client):
    body = await gql(client, ME, token="not-a-real-token")
    assert body["data"]["me"] is None


async def _stored_hash(app) -> str:
    async with app.state.session_factory() as session:
        return (await session.execute(select(User.password_hash))).scalar_one()


async def test_stored_password_hash_is_argon2id(app, builder):
    assert (await _stored_hash(app)).startswith("$argon2id$")


async def test_a_server_built_with_the_defaults_hashes_with_rfc_9106_low_memory(app, settings, builder):
    """The production parameters, asserted once (the suite hashes cheaply): a login
    on a default server replaces the suite's cheap hash with one of t=3, 64 MiB, p=4."""
    assert PRODUCTION_PARAMETERS == HashParameters(time_cost=3, memory_kib=65536, parallelism=4)
    assert (await _stored_hash(app)).startswith("$argon2id$v=19$m=8,t=1,p=1$")
    production = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=production)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            body = await gql(client, LOGIN, {"input": {"username": builder.username, "password": ADMIN_PASSWORD}})
    finally:
        await dispose_engines(production)
    assert body["data"]["login"]["token"]
    stored = await _stored_hash(app)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(stored, ADMIN_PASSWORD)


async def test_a_login_keeps_a_hash_made_with_the_current_parameters(app, client, builder):
    before = await _stored_hash(app)
    body = await gql(client, LOGIN, {"input": {"username": builder.username, "password": ADMIN_PASSWORD}})
    assert body["data"]["login"]["token"]
    assert await _stored_hash(app) == before


async def test_a_failed_login_replaces_no_hash(app, client, builder):
    async with UnitOfWork(app.state.session_factory) as uow:
        await uow.session.execute(update(User).values(password_hash=hash_password(ADMIN_PASSWORD, OTHER_HASHING)))
        await uow.commit()
    before = await _stored_hash(app)
    body = await gql(client, LOGIN, {"input": {"username": builder.username, "password": "not the password"}})
    assert body["data"]["login"]["token"] is None
    assert await _stored_hash(app) == before


async def test_an_upgraded_hash_never_overwrites_a_password_changed_meanwhile(app, builder):
    """The login read the old hash; a password change committed before the login's
    write wins, so the old password does not come back."""
    old = hash_password(ADMIN_PASSWORD, OTHER_HASHING)
    changed = hash_password("a newer password of mine", TEST_HASHING)
    async with UnitOfWork(app.state.session_factory) as uow:
        await uow.session.execute(update(User).values(password_hash=changed))
        user_id = (await uow.session.execute(select(User.id))).scalar_one()
        await AccountRepository(uow.session).replace_password_hash(
            user_id, old, hash_password(ADMIN_PASSWORD, TEST_HASHING)
        )
        await uow.commit()
    assert await _stored_hash(app) == changed


async def test_a_login_upgrades_a_hash_made_with_other_parameters(app, client, builder):
    async with UnitOfWork(app.state.session_factory) as uow:
        await uow.session.execute(update(User).values(password_hash=hash_password(ADMIN_PASSWORD, OTHER_HASHING)))
        await uow.commit()
    body = await gql(client, LOGIN, {"input": {"username": builder.username, "password": ADMIN_PASSWORD}})
    assert body["data"]["login"]["token"]
    stored = await _stored_hash(app)
    assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert verify_password(stored, ADMIN_PASSWORD)
