"""An active owner's info is theirs; the builder deactivates to correct it, and
the owner accepts a new invite (SPEC 2.1, 3; SECURITY-CASES 27)."""

from __future__ import annotations

from sqlalchemy import select

from activation_support import (  # noqa: F401 - fixtures
    DEACTIVATE_OWNER,
    ME,
    SET_ADDITIONAL,
    UPDATE_INFO,
    accept,
    contact_rows,
    create_contact,
    deliver,
    fresh_rate_limits,
    global_id,
    invite_token,
    smtp,
)
from conftest import LOGIN, gql
from models import AuthSession, User

DANA = "dana@example.com"
PASSWORD = "a porch swing in the rain"


async def test_active_locked_then_deactivate_kills_sessions_then_edit_reinvite_accept(
    app, builder, anonymous, deliver, smtp, settings
):
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    token = await invite_token(builder, contact_id, deliver, smtp, settings, DANA)
    session_token = (await accept(anonymous.client, token, "dana"))["token"]
    second_session = (await gql(anonymous.client, LOGIN, {"input": {"username": "dana", "password": PASSWORD}}))[
        "data"]["login"]["token"]

    before = await contact_rows(app)
    locked = await builder.gql(UPDATE_INFO, {"input": {"contactId": contact_id, "firstName": "Dina"}}, expect_errors=True)
    assert locked["errors"][0]["extensions"]["code"] == "CONTACT_LOCKED"
    assert "deactivate the owner" in locked["errors"][0]["message"]
    assert await contact_rows(app) == before
    extra = await builder.gql(SET_ADDITIONAL, {"id": contact_id, "emails": ["dana.work@example.com"]})
    assert extra["data"]["setAdditionalEmails"]["contact"]["additionalEmails"] == ["dana.work@example.com"]

    deactivated = (await builder.gql(DEACTIVATE_OWNER, {"id": contact_id}))["data"]["deactivateOwner"]
    assert deactivated["userErrors"] == []
    assert deactivated["contact"]["activationStatus"] == "INACTIVE"
    for dead in (session_token, second_session):
        assert (await gql(anonymous.client, ME, token=dead))["data"]["me"] is None
        refused = await gql(anonymous.client, "mutation { logout { ok } }", token=dead, expect_errors=True)
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    login = await gql(anonymous.client, LOGIN, {"input": {"username": "dana", "password": PASSWORD}})
    assert login["data"]["login"]["token"] is None
    async with app.state.session_factory() as session:
        user = (await session.execute(select(User).where(User.username == "dana"))).scalar_one()
        assert user.is_enabled is False
        live = (await session.execute(
            select(AuthSession.id).where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        )).all()
    assert live == []

    edited = await builder.gql(UPDATE_INFO, {"input": {"contactId": contact_id, "firstName": "Dina"}})
    assert edited["data"]["updateContactInfo"]["contact"]["firstName"] == "Dina"

    token = await invite_token(builder, contact_id, deliver, smtp, settings, DANA)
    again = await accept(anonymous.client, token, "Dana", "a new porch swing in the rain")
    assert again["userErrors"] == []
    assert again["viewer"]["username"] == "Dana"
    async with app.state.session_factory() as session:
        same_row = (await session.execute(select(User.id).where(User.username_key == "dana"))).scalar_one()
    assert same_row == user.id, "the owner's user row is kept and reused"
    # Reactivation does not revive the old sessions.
    for dead in (session_token, second_session):
        assert (await gql(anonymous.client, ME, token=dead))["data"]["me"] is None
    assert (await gql(anonymous.client, ME, token=again["token"]))["data"]["me"]["username"] == "Dana"


async def test_an_owner_cannot_deactivate_or_invite(owner):
    own = global_id(owner.contact_id)
    for document in (DEACTIVATE_OWNER, DEACTIVATE_OWNER.replace("deactivateOwner", "sendInvite")):
        refused = await owner.gql(document, {"id": own}, expect_errors=True)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await owner.gql(ME))["data"]["me"]["contact"]["activationStatus"] == "ACTIVE"


async def test_another_builder_gets_not_found_and_nothing_changes(app, builder, other_builder, owner):
    own = global_id(owner.contact_id)
    before = await contact_rows(app)
    for name in ("deactivateOwner", "sendInvite", "cancelInvite"):
        payload = (await other_builder.gql(DEACTIVATE_OWNER.replace("deactivateOwner", name), {"id": own}))["data"][name]
        assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
        assert payload["contact"] is None
    assert await contact_rows(app) == before
    assert (await owner.gql(ME))["data"]["me"]["contact"]["activationStatus"] == "ACTIVE"
