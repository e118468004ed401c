"""Custom fields (SPEC 8): builder admins define them, builders set values at any
activation status, values are checked against the type, owners read only the
fields marked visible and change none."""

from __future__ import annotations

import pytest

from jobs_leads_support import DEFINE_FIELD, SET_VALUES, contact_gid, define_field, make_staff, new_contact

DEFINITIONS = "{ customFieldDefinitions { id name type options visibleToOwner } }"
OWN_FIELDS = "{ me { ... on OwnerUser { contact { customFields { field { name type } value } } } } }"
CONTACT_FIELDS = "query($id: ID!) { contact(id: $id) { customFields { field { name } value } } }"
FIELD_NODE = "query($id: ID!) { node(id: $id) { ... on CustomField { name } } }"


async def _set(actor, contact_id, values, **kwargs):
    return await actor.gql(SET_VALUES, {"input": {"contactId": contact_id, "values": values}}, **kwargs)


async def test_admin_defines_fields_of_every_type(builder):
    await define_field(builder, "Budget", "NUMBER")
    await define_field(builder, "Move-in", "DATE", visible=True)
    await define_field(builder, "Has pets", "BOOLEAN")
    await define_field(builder, "Notes", "TEXT")
    await define_field(builder, "Finish", "SELECT", options=[" Oak ", "Walnut"], visible=True)
    fields = (await builder.gql(DEFINITIONS))["data"]["customFieldDefinitions"]
    assert [(f["name"], f["type"], f["options"], f["visibleToOwner"]) for f in fields] == [
        ("Budget", "NUMBER", [], False),
        ("Move-in", "DATE", [], True),
        ("Has pets", "BOOLEAN", [], False),
        ("Notes", "TEXT", [], False),
        ("Finish", "SELECT", ["Oak", "Walnut"], True),
    ]


@pytest.mark.parametrize(
    "field_input, path",
    [
        ({"name": " ", "type": "TEXT"}, ["name"]),
        ({"name": "Finish", "type": "SELECT", "options": []}, ["options"]),
        ({"name": "Finish", "type": "SELECT", "options": ["Oak", "oak"]}, ["options", "1"]),
        ({"name": "Budget", "type": "NUMBER", "options": ["1"]}, ["options"]),
    ],
)
async def test_malformed_definitions_are_refused(builder, field_input, path):
    body = await builder.gql(DEFINE_FIELD, {"input": field_input})
    payload = body["data"]["defineCustomField"]
    assert payload["customField"] is None
    assert payload["userErrors"][0]["field"] == path
    assert payload["userErrors"][0]["code"] == "INVALID_INPUT"


async def test_field_names_are_unique_per_account_regardless_of_case(builder, other_builder):
    await define_field(builder, "Budget", "NUMBER")
    body = await builder.gql(DEFINE_FIELD, {"input": {"name": "BUDGET", "type": "TEXT"}})
    assert body["data"]["defineCustomField"]["userErrors"] == [
        {"field": ["name"], "code": "INVALID_INPUT", "message": "A custom field with this name already exists."}
    ]
    await define_field(other_builder, "Budget", "NUMBER")
    assert len((await other_builder.gql(DEFINITIONS))["data"]["customFieldDefinitions"]) == 1


async def test_only_builder_admins_define_fields(app, client, builder, owner, anonymous):
    staff = await make_staff(app, client, builder)
    for actor, code in ((staff, "FORBIDDEN"), (owner, "FORBIDDEN"), (anonymous, "UNAUTHENTICATED")):
        body = await actor.gql(DEFINE_FIELD, {"input": {"name": "Sneaky", "type": "TEXT"}}, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == code
    assert (await builder.gql(DEFINITIONS))["data"]["customFieldDefinitions"] == []


@pytest.mark.parametrize(
    "type_, options, value, message",
    [
        ("NUMBER", None, "12 apples", '"Field" needs a number, such as 42 or 42.5.'),
        ("NUMBER", None, "1e5", '"Field" needs a number, such as 42 or 42.5.'),
        ("DATE", None, "2026-02-30", '"Field" needs a date written YYYY-MM-DD, such as 2026-03-01.'),
        ("DATE", None, "03/01/2026", '"Field" needs a date written YYYY-MM-DD, such as 2026-03-01.'),
        ("BOOLEAN", None, "yes", '"Field" needs true or false.'),
        ("SELECT", ["Oak", "Walnut"], "Pine", '"Field" needs one of: Oak, Walnut.'),
        ("TEXT", None, "x" * 1001, '"Field" takes at most 1000 characters.'),
    ],
)
async def test_values_of_the_wrong_type_are_refused_naming_the_field(builder, type_, options, value, message):
    field_id = await define_field(builder, "Field", type_, options=options)
    contact_id = await new_contact(builder, "Ana")
    payload = (await _set(builder, contact_id, [{"fieldId": field_id, "value": value}]))["data"]["setCustomFieldValues"]
    assert payload == {
        "contact": None,
        "userErrors": [{"field": ["values", "0", "value"], "code": "INVALID_INPUT", "message": message}],
    }
    assert (await builder.gql(CONTACT_FIELDS, {"id": contact_id}))["data"]["contact"]["customFields"] == []


async def test_values_are_stored_in_one_spelling_and_cleared_with_null(builder):
    ids = [
        await define_field(builder, "Budget", "NUMBER"),
        await define_field(builder, "Move-in", "DATE"),
        await define_field(builder, "Has pets", "BOOLEAN"),
        await define_field(builder, "Finish", "SELECT", options=["Oak", "Walnut"]),
        await define_field(builder, "Notes", "TEXT"),
    ]
    contact_id = await new_contact(builder, "Ana")
    raw = ["+42.5", " 2026-03-01 ", "TRUE", "walnut", "Side gate code is with the neighbour"]
    payload = (await _set(builder, contact_id, [{"fieldId": f, "value": v} for f, v in zip(ids, raw)]))["data"][
        "setCustomFieldValues"
    ]
    assert payload["userErrors"] == []
    assert [(v["field"]["type"], v["value"]) for v in payload["contact"]["customFields"]] == [
        ("NUMBER", "42.5"), ("DATE", "2026-03-01"), ("BOOLEAN", "true"), ("SELECT", "Walnut"),
        ("TEXT", "Side gate code is with the neighbour"),
    ]
    # Fields not listed keep their values; null clears one.
    payload = (await _set(builder, contact_id, [{"fieldId": ids[0], "value": None}]))["data"]["setCustomFieldValues"]
    assert [v["field"]["name"] for v in payload["contact"]["customFields"]] == [
        "Move-in", "Has pets", "Finish", "Notes"
    ]


async def test_unknown_and_repeated_fields_are_refused(builder, other_builder):
    theirs = await define_field(other_builder, "Theirs", "TEXT")
    mine = await define_field(builder, "Mine", "TEXT")
    contact_id = await new_contact(builder, "Ana")
    payload = (
        await _set(builder, contact_id, [
            {"fieldId": theirs, "value": "a"}, {"fieldId": mine, "value": "b"}, {"fieldId": mine, "value": "c"},
        ])
    )["data"]["setCustomFieldValues"]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["values", "0", "fieldId"], "NOT_FOUND"), (["values", "2", "fieldId"], "INVALID_INPUT"),
    ]


async def test_builders_set_values_at_any_activation_status(app, client, builder, owner):
    staff = await make_staff(app, client, builder)
    field_id = await define_field(builder, "Lot", "NUMBER", visible=True)
    payload = (await _set(staff, contact_gid(owner.contact_id), [{"fieldId": field_id, "value": "17"}]))["data"][
        "setCustomFieldValues"
    ]
    assert payload["userErrors"] == []
    assert payload["contact"]["customFields"][0]["value"] == "17"


async def test_owner_reads_only_visible_fields_and_sets_none(builder, owner):
    visible = await define_field(builder, "Move-in", "DATE", visible=True)
    hidden = await define_field(builder, "Margin", "NUMBER")
    own = contact_gid(owner.contact_id)
    await _set(builder, own, [{"fieldId": visible, "value": "2026-03-01"}, {"fieldId": hidden, "value": "18"}])

    fields = (await owner.gql(OWN_FIELDS))["data"]["me"]["contact"]["customFields"]
    assert fields == [{"field": {"name": "Move-in", "type": "DATE"}, "value": "2026-03-01"}]
    definitions = (await owner.gql(DEFINITIONS))["data"]["customFieldDefinitions"]
    assert [d["name"] for d in definitions] == ["Move-in"]
    assert (await owner.gql(FIELD_NODE, {"id": hidden}))["data"]["node"] is None
    assert (await owner.gql(FIELD_NODE, {"id": visible}))["data"]["node"] == {"name": "Move-in"}

    for field_id in (visible, hidden):
        body = await _set(owner, own, [{"fieldId": field_id, "value": "2027-01-01"}], expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    all_values = (await builder.gql(CONTACT_FIELDS, {"id": own}))["data"]["contact"]["customFields"]
    assert [(v["field"]["name"], v["value"]) for v in all_values] == [("Move-in", "2026-03-01"), ("Margin", "18")]


async def test_another_accounts_contact_is_not_found(builder, other_builder):
    field_id = await define_field(builder, "Lot", "NUMBER")
    theirs = await new_contact(other_builder, "Theirs")
    payload = (await _set(builder, theirs, [{"fieldId": field_id, "value": "1"}]))["data"]["setCustomFieldValues"]
    assert payload["userErrors"][0]["code"] == "NOT_FOUND"
