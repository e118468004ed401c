"""Tenancy and schema shape through the hardened surface (SECURITY-CASES 16, 17,
20, 21): another builder account's objects read and write exactly like missing
ones, no input or output exposes internal fields, and an awaitable returned by
a plain permission check denies."""

from __future__ import annotations

import asyncio

import pytest
import strawberry
from sqlalchemy import select, text
from strawberry.permission import BasePermission

from models import Base, Job, JobOwner
from resolvers.root.build import schema

UNKNOWN_ID = "Q29udGFjdDo5OTk5OTk="  # Contact:999999
CREATE = """mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code } } }"""
READS = {
    "contact": "query($id: ID!) { contact(id: $id) { id displayName primaryEmail jobs { name owners { displayName } } } }",
    "node": "query($id: ID!) { node(id: $id) { id ... on Contact { displayName emails } } }",
}
SEARCH = "query($q: String) { contacts(first: 50, search: $q) { totalCount edges { node { id displayName } } } }"


async def all_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table: "unchanged, byte for byte"."""
    async with app.state.engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in (await connection.execute(select(table).order_by(*table.primary_key.columns))).all()]
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
async def their_contact(app, other_builder) -> str:
    """A contact of the other builder account, on one of its jobs."""
    body = await other_builder.gql(CREATE, {"input": {
        "firstName": "Rival", "lastName": "Secret", "primaryEmail": "rival.secret@example.com",
        "additionalEmails": ["rival.extra@example.com"]}})
    contact_id = body["data"]["createContact"]["contact"]["id"]
    from strawberry.relay import GlobalID

    async with app.state.session_factory() as session:
        job = Job(builder_account_id=other_builder.builder_account_id, name="Rival job")
        session.add(job)
        await session.flush()
        session.add(JobOwner(job_id=job.id, contact_id=int(GlobalID.from_id(contact_id).node_id), position=0))
        await session.commit()
    return contact_id


@pytest.mark.parametrize("field", sorted(READS))
async def test_case_16_another_builders_contact_reads_exactly_like_a_missing_one(builder, their_contact, field):
    theirs = await builder.gql(READS[field], {"id": their_contact}, expect_errors=True)
    missing = await builder.gql(READS[field], {"id": UNKNOWN_ID}, expect_errors=True)
    assert theirs == missing
    assert theirs["data"][field] is None


async def test_case_16_search_and_lists_never_show_another_builders_contacts(builder, their_contact):
    await builder.gql(CREATE, {"input": {"firstName": "Mine", "lastName": "Secretive"}})
    for term in ("Rival", "Secret", "rival.secret@example.com", "rival.extra", None):
        body = await builder.gql(SEARCH, {"q": term})
        names = [edge["node"]["displayName"] for edge in body["data"]["contacts"]["edges"]]
        assert all("Rival" not in name for name in names)
        assert "Rival" not in str(body)


def _mutations_in_schema() -> list[tuple[str, str, dict]]:
    """Every contact-targeting mutation the schema has (the list grows with the
    activation and merge work; each is tested once it exists)."""
    candidates = [
        ("updateContactInfo", "UpdateContactInfoInput", {"firstName": "Hacked"}),
        ("setAdditionalEmails", "SetAdditionalEmailsInput", {"emails": ["hacked@example.com"]}),
        ("promoteAdditionalEmail", "PromoteAdditionalEmailInput", {"email": "rival.extra@example.com"}),
        ("deleteContact", "ContactIdInput", {}),
        ("sendInvite", "ContactIdInput", {}),
        ("cancelInvite", "ContactIdInput", {}),
        ("deactivateOwner", "ContactIdInput", {}),
    ]
    fields = schema.get_type_by_name("Mutation").fields
    names = {schema.config.name_converter.get_graphql_name(f) for f in fields}
    return [c for c in candidates if c[0] in names]


@pytest.mark.parametrize(("field", "input_type", "extra"), _mutations_in_schema(), ids=lambda v: v if isinstance(v, str) else "")
async def test_case_17_changing_another_builders_contact_is_not_found_and_changes_nothing(
    app, builder, their_contact, field, input_type, extra
):
    argument = "input"
    document = f"mutation($input: {input_type}!) {{ {field}({argument}: $input) {{ userErrors {{ code }} }} }}"
    before = await all_rows(app)
    theirs = await builder.gql(document, {"input": {"contactId": their_contact, **extra}}, expect_errors=True)
    missing = await builder.gql(document, {"input": {"contactId": UNKNOWN_ID, **extra}}, expect_errors=True)
    assert theirs == missing
    assert [e["code"] for e in theirs["data"][field]["userErrors"]] == ["NOT_FOUND"]
    assert await all_rows(app) == before


async def test_case_17_merging_another_builders_contact_changes_nothing(app, builder, their_contact):
    if "mergeContacts" not in schema.as_str():
        # Merging arrives with the merge work; until then it cannot be reached at all.
        body = await builder.gql("mutation { mergeContacts { __typename } }", expect_errors=True)
        assert "Cannot query field 'mergeContacts'" in body["errors"][0]["message"]
        return
    mine = (await builder.gql(CREATE, {"input": {"firstName": "Mine"}}))["data"]["createContact"]["contact"]["id"]
    before = await all_rows(app)
    body = await builder.gql(
        "mutation($input: MergeContactsInput!) { mergeContacts(input: $input) { userErrors { code } } }",
        {"input": {"survivorId": mine, "mergedIds": [their_contact]}}, expect_errors=True,
    )
    assert "NOT_FOUND" in str(body)
    assert await all_rows(app) == before


FORBIDDEN_NAMES = {"activationstatus", "builderid", "builderaccountid", "passwordhash", "tokenhash", "password_hash", "version"}


def test_case_20_no_input_type_carries_internal_or_status_fields():
    for type_ in schema.graphql_schema.type_map.values():
        if type_.name.startswith("__") or not hasattr(type_, "fields") or type(type_).__name__ != "GraphQLInputObjectType":
            continue
        for name in type_.fields:
            assert name.lower() not in FORBIDDEN_NAMES, f"{type_.name}.{name}"


def test_case_20_no_output_type_exposes_secrets_or_tenant_ids():
    secrets = {"passwordhash", "tokenhash", "password", "token_hash", "builderid", "builderaccountid", "sessiontoken"}
    for type_ in schema.graphql_schema.type_map.values():
        if type_.name.startswith("__") or type(type_).__name__ not in ("GraphQLObjectType", "GraphQLInterfaceType"):
            continue
        for name in type_.fields:
            assert name.lower() not in secrets, f"{type_.name}.{name}"


@pytest.mark.parametrize(
    "extra",
    ['activationStatus: ACTIVE', 'builderId: "1"', 'passwordHash: "$argon2id$x"', 'builderAccountId: 2'],
)
async def test_case_20_inputs_with_internal_fields_are_schema_errors(app, builder, extra):
    body = await builder.gql(
        f'mutation {{ createContact(input: {{firstName: "Eve", {extra}}}) {{ contact {{ id }} }} }}', expect_errors=True
    )
    assert "data" not in body
    assert "not to include unknown field" in body["errors"][0]["message"]
    async with app.state.engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM contacts"))).scalar_one() == 0


async def test_case_21_a_plain_permission_check_returning_an_awaitable_denies():
    """Strawberry's advisory: a sync `has_permission` returning a coroutine was
    truthy, so it allowed. It must be awaited, and its False must deny."""

    async def deny() -> bool:
        await asyncio.sleep(0)
        return False

    class AwaitableDenial(BasePermission):
        message = "denied"

        def has_permission(self, source, info, **kwargs):  # plain function, awaitable result
            return deny()

    @strawberry.type
    class Query:
        @strawberry.field(permission_classes=[AwaitableDenial])
        async def secret(self) -> str:
            return "leaked"

        @strawberry.field(permission_classes=[AwaitableDenial])
        def sync_secret(self) -> str:
            return "leaked"

    test_schema = strawberry.Schema(query=Query)
    result = await test_schema.execute("{ secret }")
    assert result.data is None
    assert [e.message for e in result.errors] == ["denied"]
    # On a sync field the awaitable cannot be awaited: refused, never truthy.
    result = await test_schema.execute("{ syncSecret }")
    assert result.data is None and result.errors


async def test_case_21_our_permission_classes_deny_through_the_endpoint(client, owner):
    """Our permission checks are coroutines; through HTTP an owner is refused."""
    from permissions import classes

    for name in ("IsBuilder", "CanEditContactInfo", "CanDeleteContact"):
        assert asyncio.iscoroutinefunction(getattr(classes, name).has_permission)
    body = await owner.gql("{ contacts(first: 5) { totalCount } }", expect_errors=True)
    assert body["data"] == {"contacts": None}
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
