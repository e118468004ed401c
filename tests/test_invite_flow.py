"""The invite flow end to end (SPEC 2.1, 3): the mail is caught by a real SMTP
server and the test follows its link, as an owner would."""

from __future__ import annotations

from sqlalchemy import select

from activation_support import (  # noqa: F401 - fixtures
    CANCEL_INVITE,
    CONTACT,
    INVITE_DETAILS,
    ME,
    SEND_INVITE,
    UPDATE_INFO,
    accept,
    contact_rows,
    create_contact,
    deliver,
    fresh_rate_limits,
    global_id,
    html_of,
    invite_token,
    link_token,
    send_invite,
    smtp,
    text_of,
)
from conftest import gql
from domain.tokens import hash_token
from models import Invite, OutboxMessage

DANA = "dana@example.com"


async def test_invite_details_twice_then_accept_then_the_owner_sees_themself(builder, anonymous, deliver, smtp, settings):
    contact_id = await create_contact(builder, firstName="Dana", lastName="Reyes", primaryEmail=DANA)
    payload = await send_invite(builder, contact_id)
    assert payload["contact"]["activationStatus"] == "PENDING"
    assert payload["contact"]["pendingInvite"]["sentTo"] == DANA
    assert payload["contact"]["pendingInvite"]["expired"] is False

    assert await deliver() == 1
    [mail] = smtp.inbox.to(DANA)
    assert "Acme Homes" in mail["Subject"]
    assert "Acme Homes" in text_of(mail) and "Acme Homes" in html_of(mail)
    token = link_token(mail, settings.APP_URL, "accept-invite")

    # A mail scanner or link preview opening the page burns nothing.
    for _ in range(2):
        details = (await anonymous.gql(INVITE_DETAILS, {"token": token}))["data"]["inviteDetails"]
        assert details["valid"] is True
        assert details["builderName"] == "Acme Homes"
        assert details["firstName"] == "Dana"
        assert details["expiresAt"] == payload["contact"]["pendingInvite"]["expiresAt"]

    accepted = await accept(anonymous.client, token, "dana.reyes")
    assert accepted["userErrors"] == []
    assert accepted["viewer"] == {
        "__typename": "OwnerUser",
        "username": "dana.reyes",
        "contact": {"id": contact_id, "activationStatus": "ACTIVE"},
    }
    me = await gql(anonymous.client, ME, token=accepted["token"])
    assert me["data"]["me"]["contact"] == {"id": contact_id, "firstName": "Dana", "activationStatus": "ACTIVE"}

    contact = (await builder.gql(CONTACT, {"id": contact_id}))["data"]["contact"]
    assert contact["activationStatus"] == "ACTIVE"
    assert contact["pendingInvite"] is None
    assert contact["viewerCan"]["deactivate"] is True


async def test_the_invite_goes_to_the_primary_email_only(builder, deliver, smtp, settings):
    contact_id = await create_contact(
        builder, firstName="Dana", primaryEmail=DANA, additionalEmails=["dana.work@example.com", "d@example.org"]
    )
    await send_invite(builder, contact_id)
    assert await deliver() == 1
    assert [m["To"] for m in smtp.inbox.messages] == [DANA]


async def test_the_api_never_returns_the_token_and_only_its_hash_is_stored(app, builder, deliver, smtp, settings):
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    response = await builder.client.post(
        "/graphql", json={"query": SEND_INVITE, "variables": {"id": contact_id}},
        headers={"Authorization": f"Bearer {builder.token}"},
    )
    await deliver()
    token = link_token(smtp.inbox.to(DANA)[0], settings.APP_URL, "accept-invite")
    assert token not in response.text
    async with app.state.session_factory() as session:
        [stored] = (await session.execute(select(Invite.token_hash))).scalars().all()
    assert stored == hash_token(token)


async def test_resend_kills_the_old_token(builder, anonymous, deliver, smtp, settings):
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    first = await invite_token(builder, contact_id, deliver, smtp, settings, DANA)
    second = await invite_token(builder, contact_id, deliver, smtp, settings, DANA)
    assert first != second

    assert (await anonymous.gql(INVITE_DETAILS, {"token": first}))["data"]["inviteDetails"] == {
        "valid": False, "builderName": None, "firstName": None, "expiresAt": None,
    }
    refused = await accept(anonymous.client, first, "dana")
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_TOKEN"]
    assert refused["token"] is None
    assert (await accept(anonymous.client, second, "dana"))["userErrors"] == []


async def test_pending_edit_refused_then_cancel_edit_resend(app, builder, anonymous, deliver, smtp, settings):
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    old_token = await invite_token(builder, contact_id, deliver, smtp, settings, DANA)

    before = await contact_rows(app)
    refused = await builder.gql(
        UPDATE_INFO, {"input": {"contactId": contact_id, "primaryEmail": "dana@new.example"}}, expect_errors=True
    )
    assert refused["errors"][0]["extensions"]["code"] == "CONTACT_LOCKED"
    assert "Cancel the invite" in refused["errors"][0]["message"]
    assert await contact_rows(app) == before

    cancelled = (await builder.gql(CANCEL_INVITE, {"id": contact_id}))["data"]["cancelInvite"]
    assert cancelled["userErrors"] == []
    assert cancelled["contact"]["activationStatus"] == "INACTIVE"
    assert cancelled["contact"]["pendingInvite"] is None
    assert (await accept(anonymous.client, old_token, "dana"))["userErrors"][0]["code"] == "INVALID_TOKEN"

    edited = (await builder.gql(UPDATE_INFO, {"input": {"contactId": contact_id, "primaryEmail": "dana@new.example"}}))
    assert edited["data"]["updateContactInfo"]["userErrors"] == []

    new_token = await invite_token(builder, contact_id, deliver, smtp, settings, "dana@new.example")
    assert (await accept(anonymous.client, new_token, "dana"))["userErrors"] == []


async def test_owner_and_other_builder_see_no_pending_invite_details(app, builder, other_builder, owner, deliver):
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    await send_invite(builder, contact_id)
    assert (await other_builder.gql(CONTACT, {"id": contact_id}))["data"]["contact"] is None
    # The owner of another contact cannot read this one at all.
    assert (await owner.gql(CONTACT, {"id": contact_id}))["data"]["contact"] is None
    own = (await owner.gql(ME.replace("firstName", "firstName pendingInvite { sentTo }")))["data"]["me"]
    assert own["contact"]["pendingInvite"] is None


async def test_status_rules_refuse_with_invalid_status_and_write_nothing(app, builder, owner):
    inactive = await create_contact(builder, firstName="Ina", primaryEmail="ina@example.com")
    active_id = global_id(owner.contact_id)
    before = await contact_rows(app)
    async with app.state.session_factory() as session:
        queued = (await session.execute(select(OutboxMessage.id))).all()

    cases = [
        (SEND_INVITE, "sendInvite", active_id, "INVALID_STATUS"),
        (CANCEL_INVITE, "cancelInvite", inactive, "INVALID_STATUS"),
        (CANCEL_INVITE, "cancelInvite", active_id, "INVALID_STATUS"),
    ]
    for document, name, contact_id, code in cases:
        payload = (await builder.gql(document, {"id": contact_id}))["data"][name]
        assert [e["code"] for e in payload["userErrors"]] == [code], (name, payload)
        assert payload["contact"] is None
    no_email = await create_contact(builder, firstName="Nemo")
    refused = (await builder.gql(SEND_INVITE, {"id": no_email}))["data"]["sendInvite"]
    assert [e["code"] for e in refused["userErrors"]] == ["PRIMARY_EMAIL_REQUIRED"]

    after = await contact_rows(app)
    assert {k: v for k, v in after.items() if k in before} == before
    async with app.state.session_factory() as session:
        assert (await session.execute(select(OutboxMessage.id))).all() == queued
