"""One mailbox, one address (SPEC 12): every spelling of an email is normalised
before it is stored or compared (NFKC, trimmed, the domain lowercased in its IDNA
form), so full-width and punycode spellings of a claimed address meet
`EMAIL_IN_USE`; and a reset link stops working once the primary email it was
mailed to is no longer the owner's."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from activation_support import (  # noqa: F401 - fixtures
    REQUEST_RESET,
    RESET_PASSWORD,
    SEND_INVITE,
    UPDATE_INFO,
    accept,
    create_contact,
    deliver,
    fresh_rate_limits,
    global_id,
    invite_token,
    link_token,
    smtp,
)
from conftest import gql, make_active_owner
from models import Contact, ContactEmail, OutboxMessage
from test_email_change import ask_primary, confirm, confirmation_token

CREATE = """mutation($input: CreateContactInput!) {
  createContact(input: $input) {
    contact { id primaryEmail additionalEmails } conflictingContact { id } duplicateContacts { id }
    userErrors { code message field } } }"""
IN_USE = "This email is currently the Primary Email associated with another account."

NORM_SPELLINGS = [
    "ｎｏｒｍ@example.com",
    "norm@ｅｘａｍｐｌｅ．ｃｏｍ",
    "ｎｏｒｍ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    " NORM@Example.COM ",
    "norm@example。com",
]


@pytest.mark.parametrize("spelling", NORM_SPELLINGS)
async def test_a_spelling_of_an_active_owners_email_is_in_use(app, client, builder, spelling):
    _, owner_contact_id = await make_active_owner(app, client, builder, email="norm@example.com")
    payload = (await builder.gql(CREATE, {"input": {"firstName": "Mallory", "primaryEmail": spelling}}))["data"][
        "createContact"
    ]
    assert payload["userErrors"] == [{"code": "EMAIL_IN_USE", "message": IN_USE, "field": ["primaryEmail"]}]
    assert payload["conflictingContact"] == {"id": global_id(owner_contact_id)} and payload["contact"] is None
    async with app.state.session_factory() as session:
        names = (await session.execute(select(Contact.first_name))).scalars().all()
    assert names == ["Olive"], "nothing was written"


@pytest.mark.parametrize(("held", "spelling"), [
    ("anna@xn--bcher-kva.de", "anna@bücher.de"),
    ("anna@xn--bcher-kva.de", "anna@BÜCHER.de"),
    ("anna@xn--bcher-kva.de", "anna@ｂüｃｈｅｒ.de"),
])
async def test_a_unicode_domain_and_its_punycode_are_one_address(app, client, builder, held, spelling):
    await make_active_owner(app, client, builder, email=held)
    payload = (await builder.gql(CREATE, {"input": {"firstName": "Mallory", "primaryEmail": spelling}}))["data"][
        "createContact"
    ]
    assert [e["code"] for e in payload["userErrors"]] == ["EMAIL_IN_USE"]


async def test_the_stored_spelling_is_the_normalised_one(builder):
    payload = (await builder.gql(CREATE, {"input": {
        "firstName": "Anna", "primaryEmail": " Anna@Bücher.DE ", "additionalEmails": ["ｎｏｒｍ＠ｅｘａｍｐｌｅ．ｃｏｍ"],
    }}))["data"]["createContact"]
    assert payload["userErrors"] == []
    assert payload["contact"]["primaryEmail"] == "Anna@xn--bcher-kva.de"
    assert payload["contact"]["additionalEmails"] == ["norm@example.com"]


async def test_two_spellings_on_one_contact_are_one_address(builder):
    payload = (await builder.gql(CREATE, {"input": {
        "firstName": "Anna", "primaryEmail": "norm@example.com", "additionalEmails": ["ｎｏｒｍ@example.com"],
    }}))["data"]["createContact"]
    assert [e["code"] for e in payload["userErrors"]] == ["DUPLICATE_EMAIL"]


async def test_an_invite_is_refused_when_another_spelling_is_claimed(builder):
    first = await create_contact(builder, firstName="Dana", primaryEmail="norm@example.com")
    created = (await builder.gql(CREATE, {"input": {"firstName": "Sam", "primaryEmail": "ｎｏｒｍ@ｅｘａｍｐｌｅ．ｃｏｍ"}}))
    second = created["data"]["createContact"]
    assert second["duplicateContacts"] == [{"id": first}], "never-invited holders of one mailbox are duplicates"
    assert (await builder.gql(SEND_INVITE, {"id": first}))["data"]["sendInvite"]["userErrors"] == []
    refused = (await builder.gql(SEND_INVITE, {"id": second["contact"]["id"]}))["data"]["sendInvite"]
    assert [e["code"] for e in refused["userErrors"]] == ["EMAIL_IN_USE"]
    assert refused["conflictingContact"] == {"id": first, "displayName": "Dana"}


async def test_a_reset_asked_for_with_another_spelling_reaches_the_owner(app, client, builder, anonymous):
    await make_active_owner(app, client, builder, email="norm@example.com")
    answer = await gql(anonymous.client, REQUEST_RESET, {"login": "ｎｏｒｍ@ＥＸＡＭＰＬＥ.com"})
    assert answer["data"]["requestPasswordReset"]["ok"] is True
    async with app.state.session_factory() as session:
        recipients = (await session.execute(select(OutboxMessage.recipient))).scalars().all()
    assert recipients == ["norm@example.com"]


# -- A reset link is bound to its address ----------------------------------------


@pytest.fixture
async def dana(builder, anonymous, deliver, smtp, settings):
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail="dana@example.com",
                                      additionalEmails=["dana.work@example.com"])
    token = await invite_token(builder, contact_id, deliver, smtp, settings, "dana@example.com")
    accepted = await accept(anonymous.client, token, "dana")
    assert accepted["userErrors"] == []
    return contact_id, accepted["token"]


async def _reset_link(anonymous, deliver, smtp, settings) -> str:
    await gql(anonymous.client, REQUEST_RESET, {"login": "dana"})
    await deliver()
    [mail] = [m for m in smtp.inbox.to("dana@example.com") if "reset" in m["Subject"].lower()]
    return link_token(mail, settings.APP_URL, "reset-password")


async def test_a_reset_link_dies_when_the_primary_email_changes(app, anonymous, dana, deliver, smtp, settings):
    contact_id, owner_token = dana
    link = await _reset_link(anonymous, deliver, smtp, settings)
    asked = await ask_primary(anonymous.client, owner_token, contact_id, "dana.new@example.com")
    assert asked["userErrors"] == []
    assert (await confirm(anonymous.client, await confirmation_token(deliver, smtp, settings, "dana.new@example.com")))[
        "userErrors"] == []

    used = await gql(anonymous.client, RESET_PASSWORD, {"token": link, "password": "a brand new kitchen window"})
    assert [e["code"] for e in used["data"]["resetPassword"]["userErrors"]] == ["INVALID_TOKEN"]
    assert used["data"]["resetPassword"]["token"] is None


async def test_a_reset_link_is_bound_to_its_address_whatever_changes_the_primary(
    app, anonymous, dana, deliver, smtp, settings
):
    """The link records the address it was mailed to and is checked against the
    owner's primary email when used, so no path that changes the primary (here a
    change written straight to the database, as a data fix would) leaves it alive."""
    link = await _reset_link(anonymous, deliver, smtp, settings)
    async with app.state.session_factory() as session:
        await session.execute(update(Contact).values(primary_email="dana.new@example.com",
                                                     primary_email_key="dana.new@example.com"))
        await session.commit()
    used = await gql(anonymous.client, RESET_PASSWORD, {"token": link, "password": "a brand new kitchen window"})
    assert [e["code"] for e in used["data"]["resetPassword"]["userErrors"]] == ["INVALID_TOKEN"]


async def test_a_reset_link_works_while_the_primary_email_stays(anonymous, dana, deliver, smtp, settings):
    contact_id, owner_token = dana
    link = await _reset_link(anonymous, deliver, smtp, settings)
    renamed = await gql(anonymous.client, UPDATE_INFO, {"input": {"contactId": contact_id, "firstName": "Danielle"}},
                        token=owner_token)
    assert renamed["data"]["updateContactInfo"]["userErrors"] == []
    used = await gql(anonymous.client, RESET_PASSWORD, {"token": link, "password": "a brand new kitchen window"})
    assert used["data"]["resetPassword"]["userErrors"] == []
    assert used["data"]["resetPassword"]["token"]


async def test_stored_emails_are_compared_by_their_normalised_key(app, builder):
    await create_contact(builder, firstName="Anna", primaryEmail="anna@bücher.de",
                         additionalEmails=["Ａｎｎａ.Work@Example.com"])
    async with app.state.session_factory() as session:
        contact = (await session.execute(select(Contact))).scalar_one()
        extra = (await session.execute(select(ContactEmail))).scalar_one()
    assert (contact.primary_email, contact.primary_email_key) == ("anna@xn--bcher-kva.de", "anna@xn--bcher-kva.de")
    assert (extra.email, extra.email_key) == ("Anna.Work@example.com", "anna.work@example.com")
