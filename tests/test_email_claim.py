"""The claimed primary email (SPEC 2.3 rules 2, 3 and 5): within a builder account
no two PENDING/ACTIVE contacts share a primary email, even under concurrent
requests; the refusals say what to do, and an owner learns nothing of the other
contact."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from activation_support import (  # noqa: F401 - fixtures
    SEND_INVITE,
    UPDATE_INFO,
    create_contact,
    fresh_rate_limits,
    global_id,
    send_invite,
)
from conftest import TEST_HASHING, gql, wait_until_ready
from domain.activation import ActivationStatus
from models import Contact, Invite, OutboxMessage
from server import create_app, dispose_engines

SHARED = "household@example.com"


async def test_invite_refused_when_another_contact_claimed_the_email(app, builder):
    first = await create_contact(builder, firstName="Dana", lastName="Reyes", primaryEmail=SHARED)
    second = await create_contact(builder, firstName="Sam", lastName="Reyes", primaryEmail=" HOUSEHOLD@example.com")
    await send_invite(builder, first)

    refused = (await builder.gql(SEND_INVITE, {"id": second}))["data"]["sendInvite"]
    assert [e["code"] for e in refused["userErrors"]] == ["EMAIL_IN_USE"]
    assert "Dana Reyes" in refused["userErrors"][0]["message"]
    assert refused["conflictingContact"] == {"id": first, "displayName": "Dana Reyes"}
    assert refused["contact"] is None
    async with app.state.session_factory() as session:
        statuses = dict((await session.execute(select(Contact.first_name, Contact.activation_status))).all())
        mails = (await session.execute(select(OutboxMessage.recipient))).scalars().all()
    assert statuses == {"Dana": ActivationStatus.PENDING, "Sam": ActivationStatus.INACTIVE}
    assert mails == [SHARED]


async def test_never_invited_holders_do_not_block_an_invite_and_are_listed_as_duplicates(builder):
    first = await create_contact(builder, firstName="Dana", primaryEmail=SHARED)
    second = await create_contact(builder, firstName="Sam", primaryEmail=SHARED)
    sent = await send_invite(builder, first)
    assert sent["duplicateContacts"] == [{"id": second}]


async def test_twenty_concurrent_invites_at_two_contacts_sharing_an_email(app, builder, settings):
    """Half the requests go through a second app (its own engine and pool), as
    through a second server process."""
    first = await create_contact(builder, firstName="Dana", primaryEmail=SHARED)
    second = await create_contact(builder, firstName="Sam", primaryEmail=SHARED)
    other_app = create_app(settings, password_hashing=TEST_HASHING)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other_app), base_url="http://other") as other:
            await wait_until_ready(other)  # a new server gets traffic once it is ready
            clients = [builder.client, other]
            answers = await asyncio.gather(*(
                gql(clients[n % 2], SEND_INVITE, {"id": (first, second)[(n // 2) % 2]}, token=builder.token,
                    expect_errors=True)
                for n in range(20)
            ))
    finally:
        await dispose_engines(other_app)

    assert all("errors" not in answer for answer in answers), answers
    payloads = [answer["data"]["sendInvite"] for answer in answers]
    sent = [p for p in payloads if not p["userErrors"]]
    refused = [p for p in payloads if p["userErrors"]]
    assert sent, "one contact got its invite"
    winner = {p["contact"]["id"] for p in sent}
    assert len(winner) == 1
    for p in refused:
        assert [e["code"] for e in p["userErrors"]] == ["EMAIL_IN_USE"]
        assert p["conflictingContact"]["id"] in winner
    assert len(sent) + len(refused) == 20

    async with app.state.session_factory() as session:
        statuses = (await session.execute(select(Contact.activation_status).order_by(Contact.id))).scalars().all()
        live = (await session.execute(
            select(Invite.contact_id).where(Invite.used_at.is_(None), Invite.revoked_at.is_(None))
        )).scalars().all()
        mails = (await session.execute(select(OutboxMessage.id))).scalars().all()
    assert sorted(statuses) == [ActivationStatus.INACTIVE, ActivationStatus.PENDING]
    assert len(live) == 1, "resends left exactly one live token"
    assert len(mails) == len(sent), "one mail per successful send, none for a refused one"


async def test_an_owner_taking_another_contacts_email_learns_nothing_about_it(builder, owner):
    await create_contact(builder, firstName="Secret", lastName="Neighbour", primaryEmail="neighbour@example.com")
    refused = await owner.gql(
        UPDATE_INFO, {"input": {"contactId": global_id(owner.contact_id), "primaryEmail": "neighbour@example.com"}}
    )
    payload = refused["data"]["updateContactInfo"]
    assert [e["code"] for e in payload["userErrors"]] == ["EMAIL_IN_USE"]
    message = payload["userErrors"][0]["message"]
    assert "builder" in message
    for secret in ("Secret", "Neighbour", "neighbour@"):
        assert secret not in message
    assert payload["conflictingContact"] is None and payload["contact"] is None
