"""Text fields are text (SPEC 12): names, addresses, job, lead and custom field
names refuse control characters and invisible formatting characters with
`INVALID_INPUT` naming the field, and store nothing; usernames are normalised
(NFKC, case-folded) and one that reads like an existing one is `USERNAME_TAKEN`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from activation_support import (  # noqa: F401 - fixtures
    accept,
    create_contact,
    deliver,
    fresh_rate_limits,
    invite_token,
    smtp,
)
from conftest import LOGIN, gql
from models import Contact, CustomFieldDefinition, Job, Lead, User

HIDDEN = {
    "BEL": "\x07",
    "CR": "\r",
    "LF": "\n",
    "TAB": "\t",
    "ESC": "\x1b",
    "RIGHT-TO-LEFT OVERRIDE": "\u202e",
    "LEFT-TO-RIGHT ISOLATE": "\u2066",
    "ZERO WIDTH SPACE": "\u200b",
    "ZERO WIDTH JOINER": "\u200d",
    "BYTE ORDER MARK": "\ufeff",
    "LINE SEPARATOR": "\u2028",
    "C1 NEXT LINE": "\x85",
}

CREATE_CONTACT = """mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code field message } } }"""
CREATE_JOB = """mutation($name: String!) { createJob(input: {name: $name}) { job { id } userErrors { code field message } } }"""
CREATE_LEAD = """mutation($title: String!) { createLead(input: {title: $title}) { lead { id } userErrors { code field message } } }"""
DEFINE_FIELD = """mutation($name: String!) {
  defineCustomField(input: {name: $name, type: TEXT}) { customField { id } userErrors { code field message } } }"""


async def count(app, model) -> int:
    async with app.state.session_factory() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
@pytest.mark.parametrize("field", ["firstName", "lastName", "address.street", "address.city"])
async def test_contact_text_with_a_hidden_character_is_refused_naming_the_field(app, builder, field, char):
    value = f"Ma{char}llory"
    contact_input = {"firstName": "Dana"}
    if field.startswith("address."):
        contact_input["address"] = {field.split(".")[1]: value}
    else:
        contact_input[field] = value
    payload = (await builder.gql(CREATE_CONTACT, {"input": contact_input}))["data"]["createContact"]
    assert payload["contact"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("INVALID_INPUT", field.split("."))]
    assert f"U+{ord(char):04X}" in payload["userErrors"][0]["message"]
    assert await count(app, Contact) == 0


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\n", "\x07"])
@pytest.mark.parametrize(("document", "root", "argument", "model"), [
    (CREATE_JOB, "createJob", "name", Job),
    (CREATE_LEAD, "createLead", "title", Lead),
    (DEFINE_FIELD, "defineCustomField", "name", CustomFieldDefinition),
])
async def test_job_lead_and_field_names_with_a_hidden_character_are_refused(
    app, builder, char, document, root, argument, model
):
    payload = (await builder.gql(document, {argument: f"Kitchen{char} remodel"}))["data"][root]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("INVALID_INPUT", [argument])]
    assert await count(app, model) == 0


async def test_an_email_with_a_bidi_override_is_refused(app, builder):
    payload = (await builder.gql(CREATE_CONTACT, {"input": {"firstName": "Dana", "primaryEmail": "ann\u202ea@example.com"}}))
    errors = payload["data"]["createContact"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_EMAIL", ["primaryEmail"])]
    assert await count(app, Contact) == 0


async def test_visible_unicode_is_welcome(builder):
    payload = (await builder.gql(CREATE_CONTACT, {"input": {
        "firstName": "Zoë", "lastName": "Þórsdóttir-王", "address": {"street": "Straße 5 🏠"}}}))
    assert payload["data"]["createContact"]["userErrors"] == []


# -- Usernames ---------------------------------------------------------------------


@pytest.fixture
async def two_invites(builder, anonymous, deliver, smtp, settings):
    """Dana holds the username `paul.smith`; Sam has an invite to accept."""
    dana = await create_contact(builder, firstName="Dana", primaryEmail="dana@example.com")
    dana_token = await invite_token(builder, dana, deliver, smtp, settings, "dana@example.com")
    assert (await accept(anonymous.client, dana_token, "paul.smith"))["userErrors"] == []
    sam = await create_contact(builder, firstName="Sam", primaryEmail="sam@example.com")
    return await invite_token(builder, sam, deliver, smtp, settings, "sam@example.com")


@pytest.mark.parametrize("lookalike", [
    "PAUL.SMITH",
    "ｐａｕｌ.ｓｍｉｔｈ",  # full-width
    "pаul.smith",  # Cyrillic а
    "paul.smіth",  # Ukrainian і
    "pau1.smith",  # digit one for l
    "paul.\u0455mith",  # Cyrillic dze for s
])
async def test_a_username_that_reads_like_an_existing_one_is_taken(app, anonymous, two_invites, lookalike):
    answer = await accept(anonymous.client, two_invites, lookalike)
    assert [(e["code"], e["field"]) for e in answer["userErrors"]] == [("USERNAME_TAKEN", ["username"])]
    assert await count(app, User) == 2, "the builder's admin and Dana: Sam got no login"


@pytest.mark.parametrize("char", ["\u200d", "\u200b", "\u202e", "\x07"])
async def test_a_username_with_an_invisible_character_is_refused(anonymous, two_invites, char):
    answer = await accept(anonymous.client, two_invites, f"paul{char}.smith")
    assert [(e["code"], e["field"]) for e in answer["userErrors"]] == [("INVALID_INPUT", ["username"])]


async def test_a_full_width_username_is_stored_normalised_and_signs_in_either_way(app, anonymous, two_invites):
    answer = await accept(anonymous.client, two_invites, "ｓａｍ.ｒｅｙｅｓ")
    assert answer["userErrors"] == []
    async with app.state.session_factory() as session:
        usernames = set((await session.execute(select(User.username))).scalars())
    assert "sam.reyes" in usernames
    for login in ("sam.reyes", "SAM.REYES", "ｓａｍ.ｒｅｙｅｓ"):
        body = await gql(anonymous.client, LOGIN, {"input": {"username": login, "password": "a porch swing in the rain"}})
        assert body["data"]["login"]["token"], login
