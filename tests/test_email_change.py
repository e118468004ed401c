"""An active owner's new primary email proves itself before it manages the
account (SPEC 12; issue 20): pending until the link mailed to it is used, a
notice to the current address, confirmation ends the sessions and reset links,
every refusal changes nothing. Through GraphQL, with a real SMTP server."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from activation_support import (  # noqa: F401 - fixtures
    DEACTIVATE_OWNER,
    ME,
    REQUEST_RESET,
    RESET_PASSWORD,
    accept,
    clock,
    contact_rows,
    create_contact,
    deliver,
    fresh_rate_limits,
    html_of,
    invite_token,
    link_token,
    smtp,
    text_of,
)
from conftest import LOGIN, gql
from models import AuthSession, EmailChange, OutboxMessage, PasswordReset

DANA = "dana@example.com"
DANA_WORK = "dana.work@example.com"
NEW = "dana.reyes@example.org"
PASSWORD = "a porch swing in the rain"

OWN_CONTACT = """
  id primaryEmail additionalEmails phone
  pendingPrimaryEmail { email expiresAt }
"""
CONTACT_PAYLOAD = "contact { %s } conflictingContact { id } userErrors { code message field }" % OWN_CONTACT
UPDATE_INFO = "mutation($input: UpdateContactInfoInput!) { updateContactInfo(input: $input) { %s } }" % CONTACT_PAYLOAD
PROMOTE = "mutation($input: PromoteAdditionalEmailInput!) { promoteAdditionalEmail(input: $input) { %s } }" % (
    CONTACT_PAYLOAD
)
CANCEL = "mutation { cancelEmailChange { %s } }" % CONTACT_PAYLOAD
CONFIRM = """
mutation($token: String!) {
  confirmEmailChange(input: {token: $token}) { ok primaryEmail userErrors { code message field } }
}
"""
CONTACT = "query($id: ID!) { contact(id: $id) { %s } }" % OWN_CONTACT
MY_PENDING = "{ me { ... on OwnerUser { contact { primaryEmail pendingPrimaryEmail { email } } } } }"


@pytest.fixture
async def dana(builder, anonymous, deliver, smtp, settings):
    """An owner activated through the invite, with one additional email and two
    sessions; the invite mail is already delivered."""
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA, additionalEmails=[DANA_WORK])
    token = await invite_token(builder, contact_id, deliver, smtp, settings, DANA)
    accepted = await accept(anonymous.client, token, "dana", PASSWORD)
    assert accepted["userErrors"] == []
    other = (await gql(anonymous.client, LOGIN, {"input": {"username": "dana", "password": PASSWORD}}))
    return contact_id, accepted["token"], other["data"]["login"]["token"]


async def ask_primary(client, session: str, contact_id: str, email: str, **more) -> dict:
    body = await gql(client, UPDATE_INFO, {"input": {"contactId": contact_id, "primaryEmail": email, **more}},
                     token=session)
    return body["data"]["updateContactInfo"]


async def confirm(client, token: str) -> dict:
    return (await gql(client, CONFIRM, {"token": token}))["data"]["confirmEmailChange"]


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def confirmation_token(deliver, smtp, settings, to: str) -> str:
    await deliver()
    mails = [m for m in smtp.inbox.to(to) if "confirm" in m["Subject"].lower()]
    return link_token(mails[-1], settings.APP_URL, "confirm-email")


async def is_signed_in(client, session: str) -> bool:
    return (await gql(client, ME, token=session))["data"]["me"] is not None


async def everything(app) -> tuple:
    """Contacts, email changes, sessions and reset links, to prove a refusal changed nothing."""
    async with app.state.session_factory() as session:
        changes = (await session.execute(select(EmailChange.id, EmailChange.confirmed_at, EmailChange.revoked_at)
                                         .order_by(EmailChange.id))).all()
        sessions = (await session.execute(select(AuthSession.id, AuthSession.revoked_at).order_by(AuthSession.id))).all()
        resets = (await session.execute(select(PasswordReset.id, PasswordReset.used_at).order_by(PasswordReset.id))).all()
    return await contact_rows(app), changes, sessions, resets


async def test_the_change_waits_for_the_new_address_then_switches_and_signs_everyone_out(
    app, builder, anonymous, dana, deliver, smtp, settings, clock
):
    contact_id, session, other_session = dana
    asked_at = clock.freeze()
    await gql(anonymous.client, REQUEST_RESET, {"login": "dana"})  # a reset link that must die
    await deliver()
    reset_token = link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "reset-password")

    asked = await ask_primary(anonymous.client, session, contact_id, f"  {NEW} ", phone="555 0100")
    assert asked["userErrors"] == []
    assert asked["contact"]["primaryEmail"] == DANA, "the primary stays until the new address proves itself"
    assert asked["contact"]["phone"] == "555 0100", "the other fields apply at once"
    pending = asked["contact"]["pendingPrimaryEmail"]
    assert pending["email"] == NEW
    assert pending["expiresAt"].startswith((asked_at + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%S"))

    assert await deliver() == 2
    [confirmation] = smtp.inbox.to(NEW)
    [notice] = [m for m in smtp.inbox.to(DANA) if "about to change" in m["Subject"]]
    token = link_token(confirmation, settings.APP_URL, "confirm-email")
    for mail, other_address, masked in ((confirmation, DANA, "d***@example.com"), (notice, NEW, "d***@example.org")):
        for part in (text_of(mail), html_of(mail)):
            assert other_address not in part, "neither mail carries the other address in full"
            assert masked in part
    assert token not in text_of(notice)
    assert f"{asked_at.day} {asked_at:%B %Y} at {asked_at:%H:%M} UTC" in text_of(notice), "when it was asked"
    assert "password reset" in text_of(notice) and "cancel" in text_of(notice), "how to secure the account"

    me = (await gql(anonymous.client, MY_PENDING, token=other_session))["data"]["me"]["contact"]
    assert me == {"primaryEmail": DANA, "pendingPrimaryEmail": {"email": NEW}}, "the mobile profile query shows it too"
    builder_view = (await builder.gql(CONTACT, {"id": contact_id}))["data"]["contact"]
    assert builder_view["primaryEmail"] == DANA and builder_view["pendingPrimaryEmail"] is None
    await gql(anonymous.client, REQUEST_RESET, {"login": NEW})
    assert await deliver() == 0, "the unconfirmed address manages nothing yet"

    confirmed = await confirm(anonymous.client, token)
    assert confirmed == {"ok": True, "primaryEmail": NEW, "userErrors": []}
    assert not await is_signed_in(anonymous.client, session) and not await is_signed_in(anonymous.client, other_session)
    dead_reset = await gql(anonymous.client, RESET_PASSWORD, {"token": reset_token, "password": "a brand new window"})
    assert codes(dead_reset["data"]["resetPassword"]) == ["INVALID_TOKEN"]

    login = await gql(anonymous.client, LOGIN, {"input": {"username": "dana", "password": PASSWORD}})
    fresh = login["data"]["login"]["token"]
    mine = (await gql(anonymous.client, CONTACT, {"id": contact_id}, token=fresh))["data"]["contact"]
    assert mine == {"id": contact_id, "primaryEmail": NEW, "additionalEmails": [DANA_WORK], "phone": "555 0100",
                    "pendingPrimaryEmail": None}
    await gql(anonymous.client, REQUEST_RESET, {"login": NEW})
    assert await deliver() == 1 and smtp.inbox.to(NEW)[-1]["Subject"].lower().startswith("reset")

    before = await everything(app)
    again = await confirm(anonymous.client, token)
    assert again["ok"] is False and codes(again) == ["INVALID_TOKEN"] and again["primaryEmail"] is None
    assert await everything(app) == before
    assert await is_signed_in(anonymous.client, fresh)


async def test_an_owners_promotion_waits_too_then_swaps(app, anonymous, dana, deliver, smtp, settings):
    contact_id, session, _ = dana
    body = await gql(anonymous.client, PROMOTE, {"input": {"contactId": contact_id, "email": DANA_WORK.upper()}},
                     token=session)
    payload = body["data"]["promoteAdditionalEmail"]
    assert payload["userErrors"] == []
    assert (payload["contact"]["primaryEmail"], payload["contact"]["additionalEmails"]) == (DANA, [DANA_WORK])
    assert payload["contact"]["pendingPrimaryEmail"]["email"] == DANA_WORK
    token = await confirmation_token(deliver, smtp, settings, DANA_WORK)
    assert [m["Subject"] for m in smtp.inbox.to(DANA)][-1].endswith("about to change")

    assert (await confirm(anonymous.client, token))["primaryEmail"] == DANA_WORK
    login = await gql(anonymous.client, LOGIN, {"input": {"username": "dana", "password": PASSWORD}})
    mine = (await gql(anonymous.client, CONTACT, {"id": contact_id}, token=login["data"]["login"]["token"]))
    assert (mine["data"]["contact"]["primaryEmail"], mine["data"]["contact"]["additionalEmails"]) == (DANA_WORK, [DANA])


async def test_superseded_expired_and_cancelled_links_are_invalid_and_change_nothing(
    app, anonymous, dana, deliver, smtp, settings, clock
):
    contact_id, session, _ = dana
    clock.freeze()
    await ask_primary(anonymous.client, session, contact_id, "first@example.org")
    first = await confirmation_token(deliver, smtp, settings, "first@example.org")
    asked = await ask_primary(anonymous.client, session, contact_id, "second@example.org")
    assert asked["contact"]["pendingPrimaryEmail"]["email"] == "second@example.org", "one pending change at a time"
    second = await confirmation_token(deliver, smtp, settings, "second@example.org")

    before = await everything(app)
    assert codes(await confirm(anonymous.client, first)) == ["INVALID_TOKEN"], "superseded"
    assert await everything(app) == before

    clock.advance(timedelta(hours=24, seconds=1))
    assert codes(await confirm(anonymous.client, second)) == ["INVALID_TOKEN"], "expired"
    assert await everything(app) == before
    mine = (await gql(anonymous.client, CONTACT, {"id": contact_id}, token=session))["data"]["contact"]
    assert mine["pendingPrimaryEmail"] is None and mine["primaryEmail"] == DANA

    await ask_primary(anonymous.client, session, contact_id, "third@example.org")
    third = await confirmation_token(deliver, smtp, settings, "third@example.org")
    cancelled = (await gql(anonymous.client, CANCEL, token=session))["data"]["cancelEmailChange"]
    assert cancelled["userErrors"] == [] and cancelled["contact"]["pendingPrimaryEmail"] is None
    before = await everything(app)
    assert codes(await confirm(anonymous.client, third)) == ["INVALID_TOKEN"], "cancelled"
    assert codes(await confirm(anonymous.client, "not-a-token")) == ["INVALID_TOKEN"]
    assert await everything(app) == before
    again = (await gql(anonymous.client, CANCEL, token=session))["data"]["cancelEmailChange"]
    assert again["userErrors"] == [] and again["contact"]["primaryEmail"] == DANA, "nothing pending is no error"
    assert await is_signed_in(anonymous.client, session)


async def test_uniqueness_is_checked_when_asked_and_again_when_confirmed(
    app, builder, anonymous, dana, deliver, smtp, settings
):
    contact_id, session, _ = dana
    await create_contact(builder, firstName="Neighbour", primaryEmail="taken@example.org")
    await deliver()
    refused = await ask_primary(anonymous.client, session, contact_id, "TAKEN@example.org")
    assert codes(refused) == ["EMAIL_IN_USE"] and refused["contact"] is None
    assert await deliver() == 0

    await ask_primary(anonymous.client, session, contact_id, NEW)
    token = await confirmation_token(deliver, smtp, settings, NEW)
    await create_contact(builder, firstName="Latecomer", primaryEmail=NEW)
    before = await everything(app)
    late = await confirm(anonymous.client, token)
    assert codes(late) == ["EMAIL_IN_USE"] and late["ok"] is False
    message = late["userErrors"][0]["message"]
    assert "builder" in message and "Latecomer" not in message and NEW not in message
    assert await everything(app) == before
    assert await is_signed_in(anonymous.client, session)


async def test_two_confirmations_of_one_link_at_once_exactly_one_wins(app, anonymous, dana, deliver, smtp, settings):
    contact_id, session, _ = dana
    await ask_primary(anonymous.client, session, contact_id, NEW)
    token = await confirmation_token(deliver, smtp, settings, NEW)
    answers = await asyncio.gather(*(confirm(anonymous.client, token) for _ in range(4)))
    assert sorted(a["ok"] for a in answers) == [False, False, False, True]
    assert all(codes(a) == ["INVALID_TOKEN"] for a in answers if not a["ok"])


async def test_requests_share_the_accounts_reset_limit(app, anonymous, dana, deliver, smtp, settings):
    contact_id, session, _ = dana
    for _ in range(3):
        await gql(anonymous.client, REQUEST_RESET, {"login": "dana"})
    unchanged = await ask_primary(anonymous.client, session, contact_id, DANA.upper(), phone="555 0101")
    assert unchanged["userErrors"] == [] and unchanged["contact"]["pendingPrimaryEmail"] is None, (
        "the same address in another spelling is no change, and does not count"
    )
    assert unchanged["contact"]["primaryEmail"] == "DANA@example.com"  # the spelling given, its domain normalised (SPEC 12)
    for address in ("one@example.org", "two@example.org"):
        assert (await ask_primary(anonymous.client, session, contact_id, address))["userErrors"] == []
    await deliver()

    before = await everything(app)
    over = await ask_primary(anonymous.client, session, contact_id, "three@example.org", phone="555 0199")
    assert codes(over) == ["RATE_LIMITED"] and over["contact"] is None
    assert await everything(app) == before, "the refused request wrote nothing, not even the phone"
    assert await deliver() == 0
    reset = await gql(anonymous.client, REQUEST_RESET, {"login": "dana"})
    assert codes(reset["data"]["requestPasswordReset"]) == ["RATE_LIMITED"], "resets share the count"
    mine = (await gql(anonymous.client, CONTACT, {"id": contact_id}, token=session))["data"]["contact"]
    assert mine["pendingPrimaryEmail"]["email"] == "two@example.org"


async def test_a_password_reset_or_a_deactivation_ends_a_pending_change(
    app, builder, anonymous, dana, deliver, smtp, settings
):
    contact_id, session, _ = dana
    await ask_primary(anonymous.client, session, contact_id, NEW)
    token = await confirmation_token(deliver, smtp, settings, NEW)
    await gql(anonymous.client, REQUEST_RESET, {"login": DANA})
    await deliver()
    reset_token = link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "reset-password")
    reset = await gql(anonymous.client, RESET_PASSWORD, {"token": reset_token, "password": "a brand new window"})
    fresh = reset["data"]["resetPassword"]["token"]
    assert codes(await confirm(anonymous.client, token)) == ["INVALID_TOKEN"], "the reset proved the old address"
    assert (await gql(anonymous.client, CONTACT, {"id": contact_id}, token=fresh))["data"]["contact"][
        "pendingPrimaryEmail"] is None

    await ask_primary(anonymous.client, fresh, contact_id, NEW)
    token = await confirmation_token(deliver, smtp, settings, NEW)
    assert (await builder.gql(DEACTIVATE_OWNER, {"id": contact_id}))["data"]["deactivateOwner"]["userErrors"] == []
    before = await everything(app)
    assert codes(await confirm(anonymous.client, token)) == ["INVALID_TOKEN"]
    assert await everything(app) == before


async def test_builders_change_an_inactive_contact_at_once_and_cannot_cancel(app, builder, anonymous, deliver):
    contact_id = await create_contact(builder, firstName="Lee", primaryEmail="lee@example.com",
                                      additionalEmails=["lee.work@example.com"])
    changed = (await builder.gql(UPDATE_INFO, {"input": {"contactId": contact_id, "primaryEmail": "lee@example.org"}}))
    contact = changed["data"]["updateContactInfo"]["contact"]
    assert (contact["primaryEmail"], contact["pendingPrimaryEmail"]) == ("lee@example.org", None)
    promoted = await builder.gql(PROMOTE, {"input": {"contactId": contact_id, "email": "lee.work@example.com"}})
    contact = promoted["data"]["promoteAdditionalEmail"]["contact"]
    assert (contact["primaryEmail"], contact["additionalEmails"]) == ("lee.work@example.com", ["lee@example.org"])
    assert await deliver() == 0, "no confirmation: the invite proves the address when it is accepted"
    async with app.state.session_factory() as session:
        assert (await session.execute(select(EmailChange.id))).first() is None
        assert (await session.execute(select(OutboxMessage.id))).first() is None

    for actor, code in ((builder, "FORBIDDEN"), (anonymous, "UNAUTHENTICATED")):
        refused = await actor.gql(CANCEL, expect_errors=True)
        assert refused["errors"][0]["extensions"]["code"] == code
        assert refused["data"] == {"cancelEmailChange": None}
