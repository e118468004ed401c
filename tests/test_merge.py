"""mergeContacts and mergeContactsPreview through GraphQL (SPEC 4): what the survivor
keeps, links moved without duplicates, old ids redirected, invites cancelled, the
audit entry, and who may merge."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from conftest import LOGIN, Actor, gql, make_active_owner
from merge_support import (
    CONTACT,
    MERGE,
    NODE,
    PREVIEW,
    add_job,
    add_lead,
    create_contact,
    custom_values,
    define_field,
    gid,
    job_owner_ids,
    lead_contact_ids,
    make_pending,
    merge,
    pk,
    read_contact,
    set_custom_value,
    table_rows,
)
from models import Invite
from repository.uow import UnitOfWork
from services.demo import DEMO_PASSWORD, seed

CONTACTS_TOTAL = "{ contacts(first: 50) { totalCount edges { node { id } } } }"


async def three_duplicates(app, builder):
    """Dana three times, as leads and jobs bring her in: the survivor first."""
    survivor = await create_contact(
        builder, firstName="Dana", lastName="Reyes", primaryEmail="dana@example.com",
        additionalEmails=["dana.work@example.com"],
    )
    second = await create_contact(
        builder, firstName="D.", phone="+1 555 010 2000", address={"city": "Springfield", "state": "IL"},
        primaryEmail="dana.reyes@example.org", additionalEmails=["DANA.WORK@example.com", "dr@example.net"],
    )
    third = await create_contact(
        builder, lastName="Reyes-Smith", cellPhone="555-010-3000", primaryEmail="Dana@Example.com",
    )
    return survivor, second, third


async def test_merge_keeps_survivor_values_fills_blanks_and_orders_emails(app, builder):
    survivor, second, third = await three_duplicates(app, builder)

    payload = await merge(builder, survivor, [second, third])

    assert payload["userErrors"] == []
    contact = payload["contact"]
    assert contact["id"] == survivor
    # Survivor's primary stays; its own additional first, then each merged contact's in order,
    # each email once whatever its case.
    assert contact["emails"] == [
        "dana@example.com", "dana.work@example.com", "dana.reyes@example.org", "dr@example.net",
    ]
    assert (contact["firstName"], contact["lastName"]) == ("Dana", "Reyes")  # survivor's values win
    assert contact["phone"] == "+1 555 010 2000"  # blanks filled in order
    assert contact["cellPhone"] == "555-010-3000"
    assert contact["address"] == {"street": None, "city": "Springfield", "state": "IL", "postalCode": None}
    assert payload["candidateEmails"] == ["dana.work@example.com", "dana.reyes@example.org", "dr@example.net"]
    assert payload["merge"]["mergedAt"]
    assert payload["merge"]["mergedContactIds"] == [second, third]
    assert await read_contact(builder, survivor) == {**contact, "merges": [payload["merge"]]}


async def test_merged_ids_resolve_to_the_survivor_and_disappear_from_lists(app, builder):
    survivor, second, third = await three_duplicates(app, builder)
    await merge(builder, survivor, [second, third])

    for old_id in (second, third):
        assert (await read_contact(builder, old_id))["id"] == survivor
        assert (await builder.gql(NODE, {"id": old_id}))["data"]["node"] == {"__typename": "Contact", "id": survivor}
    listed = (await builder.gql(CONTACTS_TOTAL))["data"]["contacts"]
    assert listed["totalCount"] == 1
    assert [e["node"]["id"] for e in listed["edges"]] == [survivor]


async def test_a_merge_into_a_merged_survivor_follows_the_chain(app, builder):
    first = await create_contact(builder, firstName="A")
    second = await create_contact(builder, firstName="B")
    third = await create_contact(builder, firstName="C")
    await merge(builder, second, [first])
    await merge(builder, third, [second])
    assert (await read_contact(builder, first))["id"] == third


async def test_custom_fields_keep_survivor_values_and_fill_blanks(app, builder):
    survivor, second, third = await three_duplicates(app, builder)
    lot, style, budget = [await define_field(app, builder, name) for name in ("Lot", "Style", "Budget")]
    await set_custom_value(app, survivor, lot, "12")
    await set_custom_value(app, second, lot, "99")
    await set_custom_value(app, second, style, "Craftsman")
    await set_custom_value(app, third, style, "Colonial")
    await set_custom_value(app, third, budget, "450000")

    await merge(builder, survivor, [second, third])

    assert await custom_values(app, survivor) == {lot: "12", style: "Craftsman", budget: "450000"}


async def test_job_and_lead_links_move_without_duplicates_and_keep_their_order(app, builder):
    survivor, second, third = await three_duplicates(app, builder)
    other = await create_contact(builder, firstName="Sam")
    both = await add_job(app, builder, "Both there", [other, second, survivor])
    moved = await add_job(app, builder, "Second only", [second, other])
    twice = await add_job(app, builder, "Second and third", [other, third, second])
    mine = await add_job(app, builder, "Survivor only", [survivor])
    lead = await add_lead(app, builder, "Kitchen", [third, other])

    payload = await merge(builder, survivor, [second, third])

    assert await job_owner_ids(builder, both) == [other, survivor]
    assert await job_owner_ids(builder, moved) == [survivor, other]
    assert await job_owner_ids(builder, twice) == [other, survivor]
    assert await job_owner_ids(builder, mine) == [survivor]
    assert await lead_contact_ids(builder, lead) == [survivor, other]
    assert sorted(j["id"] for j in payload["contact"]["jobs"]) == sorted([both, moved, twice, mine])
    assert payload["contact"]["leads"] == [{"id": lead}]


async def test_pending_invites_of_merged_contacts_are_cancelled(app, builder):
    survivor = await create_contact(builder, firstName="Dana", primaryEmail="dana@example.com")
    pending = await create_contact(builder, firstName="Dana", primaryEmail="dana.old@example.com")
    invite_id = await make_pending(app, pending)

    payload = await merge(builder, survivor, [pending])

    assert payload["userErrors"] == []
    assert payload["contact"]["activationStatus"] == "INACTIVE"
    async with app.state.session_factory() as session:
        invite = (await session.execute(select(Invite).where(Invite.id == invite_id))).scalar_one()
    assert invite.revoked_at is not None


async def test_an_active_survivor_keeps_its_locked_info_but_gains_emails(app, client, builder):
    _, owner_id = await make_active_owner(app, client, builder, first_name="Olive", email="olive@example.com")
    survivor = gid("Contact", owner_id)
    duplicate = await create_contact(
        builder, firstName="Olivia", phone="555 0100", primaryEmail="olive.home@example.com"
    )

    payload = await merge(builder, survivor, [duplicate])

    assert payload["userErrors"] == []
    contact = payload["contact"]
    assert contact["activationStatus"] == "ACTIVE"
    assert (contact["firstName"], contact["phone"]) == ("Olive", None)  # SPEC 2: an active owner's info is locked
    assert contact["emails"] == ["olive@example.com", "olive.home@example.com"]


async def test_a_survivor_without_primary_takes_the_first_merged_primary(app, builder):
    survivor = await create_contact(builder, firstName="Dana")
    first = await create_contact(builder, firstName="D", primaryEmail="first@example.com")
    second = await create_contact(builder, firstName="D", primaryEmail="second@example.com")

    payload = await merge(builder, survivor, [first, second])

    assert payload["contact"]["emails"] == ["first@example.com", "second@example.com"]
    assert payload["merge"]["kept"]["filledFields"] == ["primaryEmail"]


async def test_the_audit_entry_says_who_when_which_and_what_was_kept(app, builder):
    survivor, second, third = await three_duplicates(app, builder)
    payload = await merge(builder, survivor, [second, third], ["dr@example.net", "dana.work@example.com"])

    assert payload["userErrors"] == []
    entry = (await read_contact(builder, survivor))["merges"][0]
    assert entry["mergedBy"] == builder.username
    assert entry["mergedContactIds"] == [second, third]
    assert entry["survivor"] == {"id": survivor}
    assert entry["undoneAt"] is None
    assert entry["kept"] == {
        "primaryEmail": "dana@example.com",
        "additionalEmails": ["dr@example.net", "dana.work@example.com"],
        "droppedEmails": ["dana.reyes@example.org"],
        "filledFields": ["phone", "cellPhone", "city", "state"],
    }
    assert (await builder.gql(NODE, {"id": entry["id"]}))["data"]["node"] == {"__typename": "ContactMerge", "id": entry["id"]}


async def test_merges_are_builder_only(app, builder, other_builder, owner):
    survivor, second, _ = await three_duplicates(app, builder)
    payload = await merge(builder, survivor, [second])
    merge_id = payload["merge"]["id"]

    assert (await other_builder.gql(NODE, {"id": merge_id}))["data"]["node"] is None
    assert (await owner.gql(NODE, {"id": merge_id}))["data"]["node"] is None
    own = await read_contact(owner, gid("Contact", owner.contact_id))
    assert own["merges"] == []


async def test_owners_and_anonymous_cannot_merge_or_preview(app, builder, owner, anonymous):
    survivor, second, _ = await three_duplicates(app, builder)
    before = await table_rows(app)
    variables = {"input": {"survivorId": survivor, "mergedIds": [second]}}
    for actor, code in ((owner, "FORBIDDEN"), (anonymous, "UNAUTHENTICATED")):
        for document in (MERGE, PREVIEW):
            body = await actor.gql(document, variables, expect_errors=True)
            # The refused root field is null; the answer keeps its data entry.
            assert list(body["data"].values()) == [None]
            assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    assert await table_rows(app) == before


async def test_preview_shows_the_survivor_as_it_would_be_and_writes_nothing(app, builder):
    survivor, second, third = await three_duplicates(app, builder)
    await add_job(app, builder, "Shared", [second, survivor])
    await add_job(app, builder, "Theirs", [third])
    await add_lead(app, builder, "Kitchen", [third, second])
    before = await table_rows(app)
    variables = {"input": {"survivorId": survivor, "mergedIds": [second, third]}}

    preview = (await builder.gql(PREVIEW, variables))["data"]["mergeContactsPreview"]

    assert await table_rows(app) == before
    assert preview["userErrors"] == []
    merged = await merge(builder, survivor, [second, third])
    # The same contact, as a ContactPreview: its survivor's id under `survivorId`, no `id`.
    shown = dict(preview["contact"])
    assert shown.pop("__typename") == "ContactPreview" and "id" not in shown
    assert shown.pop("survivorId") == survivor
    assert shown == {key: value for key, value in merged["contact"].items() if key != "id"}
    assert len(preview["contact"]["jobs"]) == 2 and len(preview["contact"]["leads"]) == 1
    assert preview["candidateEmails"] == merged["candidateEmails"]


async def test_preview_reports_errors_next_to_the_candidates(app, builder):
    survivor = await create_contact(
        builder, firstName="A", primaryEmail="a@example.com", additionalEmails=[f"a{i}@example.com" for i in range(4)]
    )
    other = await create_contact(builder, firstName="B", primaryEmail="b@example.com", additionalEmails=["b1@example.com"])
    before = await table_rows(app)

    preview = (await builder.gql(PREVIEW, {"input": {"survivorId": survivor, "mergedIds": [other]}}))["data"][
        "mergeContactsPreview"
    ]

    assert [(e["code"], e["field"]) for e in preview["userErrors"]] == [("EMAIL_LIMIT_EXCEEDED", ["additionalEmails"])]
    assert preview["candidateEmails"] == [*(f"a{i}@example.com" for i in range(4)), "b@example.com", "b1@example.com"]
    assert preview["contact"]["additionalEmails"] == preview["candidateEmails"][:5]
    assert await table_rows(app) == before


async def test_the_demo_data_has_duplicates_to_merge(app, client):
    async with UnitOfWork(app.state.session_factory) as uow:
        await seed(uow, app.state.password_hashing, app_url="https://app.example.test", invite_ttl=timedelta(days=7))
        await uow.commit()
    login = await gql(client, LOGIN, {"input": {"username": "cedar-admin", "password": DEMO_PASSWORD}})
    demo_admin = Actor(client, login["data"]["login"]["token"], "cedar-admin")
    listed = (await demo_admin.gql("{ contacts(first: 100) { edges { node { id primaryEmail } } } }"))["data"]
    by_email: dict[str, list[str]] = {}
    for edge in listed["contacts"]["edges"]:
        by_email.setdefault(edge["node"]["primaryEmail"], []).append(edge["node"]["id"])
    survivor, duplicate = next(ids for ids in by_email.values() if len(ids) == 2)

    preview = (await demo_admin.gql(PREVIEW, {"input": {"survivorId": survivor, "mergedIds": [duplicate]}}))
    assert preview["data"]["mergeContactsPreview"]["userErrors"] == []
    assert (await merge(demo_admin, survivor, [duplicate]))["userErrors"] == []


MERGES_ON_A_LIST = """
{ contacts(first: 50) { edges { node { id merges { id mergedAt mergedBy mergedContactIds kept { primaryEmail } } } } } }
"""


async def test_merges_on_a_contact_list_cost_a_constant_number_of_statements(app, builder, sql_counter):
    async def statements() -> int:
        with sql_counter:
            await builder.gql(MERGES_ON_A_LIST)
        return sql_counter.count

    async def merged_pair(n: int) -> None:
        survivor = await create_contact(builder, firstName=f"S{n}")
        assert (await merge(builder, survivor, [await create_contact(builder, firstName=f"M{n}")]))["userErrors"] == []

    await merged_pair(0)
    one = await statements()
    for n in range(1, 6):
        await merged_pair(n)
    assert await statements() == one
