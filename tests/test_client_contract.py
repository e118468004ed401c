"""The shapes normalised client caches rely on (SPEC 12): nullable root fields, a
merge preview with no object identity, ids on every cached entity, `nodes(ids:)`
and `deletedContactId`. Through GraphQL over HTTP, as Apollo, Relay and urql send it."""

from __future__ import annotations

from merge_support import PREVIEW, create_contact, gid, make_active, merge, pk, read_contact

from conftest import make_active_owner

ME_AND_CONTACTS = "{ me { __typename } contacts(first: 1) { totalCount } }"

UPDATE_INFO = """
mutation($input: UpdateContactInfoInput!) {
  updateContactInfo(input: $input) { contact { id firstName } userErrors { code } }
}
"""

ME_IDS = """
{
  me {
    __typename
    ... on BuilderUser { id username builderAccount { id name } }
    ... on OwnerUser { id username builderAccount { id name } contact { id } }
  }
}
"""

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on BuilderUser { username }
    ... on OwnerUser { username contact { id } }
    ... on BuilderAccount { name }
  }
}
"""

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"

DELETE = """
mutation($input: ContactIdInput!) {
  deleteContact(input: $input) { ok deletedContactId userErrors { code } }
}
"""

PREVIEW_TYPE = """
{
  __type(name: "ContactPreview") { fields { name } interfaces { name } }
  payload: __type(name: "MergeContactsPreviewPayload") { fields { name type { name } } }
}
"""


def _codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


# -- Nullability ---------------------------------------------------------------


async def test_a_refused_root_field_leaves_its_siblings_data(owner):
    body = await owner.gql(ME_AND_CONTACTS, expect_errors=True)

    assert body["data"] == {"me": {"__typename": "OwnerUser"}, "contacts": None}
    assert _codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["contacts"]


async def test_a_contact_locked_mutation_answers_data_with_the_field_null(app, builder):
    contact_id = await create_contact(builder, firstName="Ann", primaryEmail="ann@example.com")
    await make_active(app, contact_id)

    body = await builder.gql(
        UPDATE_INFO, {"input": {"contactId": contact_id, "firstName": "Changed"}}, expect_errors=True
    )

    assert body["data"] == {"updateContactInfo": None}
    assert _codes(body) == ["CONTACT_LOCKED"]
    assert (await read_contact(builder, contact_id))["firstName"] == "Ann"


async def test_root_and_mutation_fields_are_nullable_and_user_errors_are_not(builder):
    body = await builder.gql("""{
      query: __type(name: "Query") { fields { name type { kind } } }
      mutation: __type(name: "Mutation") { fields { name type { kind name } } }
    }""")
    data = body["data"]

    assert [f["name"] for f in data["query"]["fields"] if f["type"]["kind"] == "NON_NULL"] == []
    assert [f["name"] for f in data["mutation"]["fields"] if f["type"]["kind"] == "NON_NULL"] == []
    for field in data["mutation"]["fields"]:
        payload = (await builder.gql(
            "query($name: String!) { __type(name: $name) { fields { name type { kind ofType { kind } } } } }",
            {"name": field["type"]["name"]},
        ))["data"]["__type"]
        user_errors = next(f for f in payload["fields"] if f["name"] == "userErrors")
        assert user_errors["type"] == {"kind": "NON_NULL", "ofType": {"kind": "LIST"}}, field["name"]


# -- The merge preview -----------------------------------------------------------


async def test_the_merge_preview_has_no_object_identity(builder):
    survivor = await create_contact(builder, firstName="Sam", primaryEmail="sam@example.com")
    other = await create_contact(builder, firstName="Sammy", primaryEmail="sammy@example.com")

    preview = (await builder.gql(PREVIEW, {"input": {"survivorId": survivor, "mergedIds": [other]}}))["data"][
        "mergeContactsPreview"
    ]["contact"]
    shape = (await builder.gql(PREVIEW_TYPE))["data"]

    assert preview["__typename"] == "ContactPreview" and preview["survivorId"] == survivor
    assert "sammy@example.com" in preview["additionalEmails"]
    names = {field["name"] for field in shape["__type"]["fields"]}
    assert "id" not in names and "survivorId" in names
    assert shape["__type"]["interfaces"] == []
    assert {f["name"]: f["type"]["name"] for f in shape["payload"]["fields"]}["contact"] == "ContactPreview"
    # The real contact is untouched by the preview.
    assert (await read_contact(builder, survivor))["additionalEmails"] == []


# -- Ids on users and accounts ------------------------------------------------------


async def test_a_builders_user_and_account_have_ids_that_node_resolves(builder, other_builder):
    me = (await builder.gql(ME_IDS))["data"]["me"]
    account = me["builderAccount"]

    assert me["id"] == gid("BuilderUser", pk(me["id"]))
    assert account["id"] == gid("BuilderAccount", builder.builder_account_id)
    found = (await builder.gql(NODE, {"id": me["id"]}))["data"]["node"]
    assert found == {"__typename": "BuilderUser", "id": me["id"], "username": builder.username}
    found = (await builder.gql(NODE, {"id": account["id"]}))["data"]["node"]
    assert found == {"__typename": "BuilderAccount", "id": account["id"], "name": account["name"]}
    # Another account's user and account answer exactly like missing ones.
    for global_id in (me["id"], account["id"], gid("BuilderUser", 10**9), gid("BuilderAccount", 10**9)):
        assert (await other_builder.gql(NODE, {"id": global_id}))["data"]["node"] is None


async def test_an_owner_finds_only_their_own_user_and_account(app, client, builder, owner):
    me = (await owner.gql(ME_IDS))["data"]["me"]
    builder_me = (await builder.gql(ME_IDS))["data"]["me"]
    second_owner, _ = await make_active_owner(app, client, builder, first_name="Other")
    second_me = (await second_owner.gql(ME_IDS))["data"]["me"]

    assert me["__typename"] == "OwnerUser" and me["contact"]["id"] == gid("Contact", owner.contact_id)
    found = (await owner.gql(NODE, {"id": me["id"]}))["data"]["node"]
    assert found == {"__typename": "OwnerUser", "id": me["id"], "username": owner.username, "contact": me["contact"]}
    assert (await owner.gql(NODE, {"id": me["builderAccount"]["id"]}))["data"]["node"]["name"] == (
        builder_me["builderAccount"]["name"]
    )
    # Not the builder's staff, not another owner; and staff do not look owners' users up.
    assert (await owner.gql(NODE, {"id": builder_me["id"]}))["data"]["node"] is None
    assert (await owner.gql(NODE, {"id": second_me["id"]}))["data"]["node"] is None
    assert (await builder.gql(NODE, {"id": me["id"]}))["data"]["node"] is None
    # A user's id under the other user type is no way round.
    assert (await owner.gql(NODE, {"id": gid("BuilderUser", pk(me["id"]))}))["data"]["node"] is None


async def test_anonymous_finds_no_user_or_account(builder, anonymous):
    me = (await builder.gql(ME_IDS))["data"]["me"]

    for global_id in (me["id"], me["builderAccount"]["id"]):
        assert (await anonymous.gql(NODE, {"id": global_id}))["data"]["node"] is None


# -- nodes(ids:) -------------------------------------------------------------------


async def test_nodes_answers_each_id_in_order_with_null_for_missing_and_foreign(builder, other_builder):
    first = await create_contact(builder, firstName="First")
    second = await create_contact(builder, firstName="Second")
    foreign = await create_contact(other_builder, firstName="Foreign")
    me = (await builder.gql(ME_IDS))["data"]["me"]
    unknown_type = gid("Nonsense", 1)

    ids = [second, foreign, me["id"], gid("Contact", 10**9), unknown_type, first, second]
    found = (await builder.gql(NODES, {"ids": ids}))["data"]["nodes"]

    assert found == [
        {"__typename": "Contact", "id": second},
        None,
        {"__typename": "BuilderUser", "id": me["id"]},
        None,
        None,
        {"__typename": "Contact", "id": first},
        {"__typename": "Contact", "id": second},
    ]


async def test_nodes_reads_any_number_of_contacts_in_the_same_statements(builder, sql_counter):
    """Merged ids follow their redirects level by level, not id by id (STYLE 4: no N+1)."""
    contacts = [await create_contact(builder, firstName=f"Many{number}") for number in range(8)]
    survivor = contacts[0]
    assert (await merge(builder, survivor, contacts[1:3]))["userErrors"] == []

    with sql_counter:
        await builder.gql(NODES, {"ids": [contacts[1], contacts[3]]})
    two = sql_counter.count
    with sql_counter:
        found = (await builder.gql(NODES, {"ids": contacts[1:]}))["data"]["nodes"]

    assert sql_counter.count == two
    assert [node["id"] for node in found] == [survivor, survivor, *contacts[3:]]


async def test_nodes_takes_at_most_100_ids(builder):
    body = await builder.gql(NODES, {"ids": [gid("Contact", i) for i in range(101)]}, expect_errors=True)

    assert body["data"] == {"nodes": None}
    assert _codes(body) == ["INVALID_INPUT"]


# -- deleteContact -----------------------------------------------------------------


async def test_delete_contact_names_the_deleted_contact(builder):
    contact_id = await create_contact(builder, firstName="Gone")

    payload = (await builder.gql(DELETE, {"input": {"contactId": contact_id}}))["data"]["deleteContact"]

    assert payload == {"ok": True, "deletedContactId": contact_id, "userErrors": []}
    assert await read_contact(builder, contact_id) is None


async def test_a_refused_delete_names_no_contact(builder):
    payload = (await builder.gql(DELETE, {"input": {"contactId": gid("Contact", 10**9)}}))["data"]["deleteContact"]

    assert payload == {"ok": False, "deletedContactId": None, "userErrors": [{"code": "NOT_FOUND"}]}
