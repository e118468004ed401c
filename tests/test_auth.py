"""Sign-in (SPEC 1): login, me, logout, bearer tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from conftest import ADMIN_PASSWORD, LOGIN, gql
from domain.tokens import hash_token
from models import AuthSession, User, utcnow

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


async def test_stored_password_hash_is_argon2id(app, builder):
    async with app.state.session_factory() as session:
        stored = (await session.execute(select(User.password_hash))).scalar_one()
    assert stored.startswith("$argon2id$")
