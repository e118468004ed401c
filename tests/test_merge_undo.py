"""undoMerge through GraphQL (SPEC 4): the merged contacts come back with their ids,
emails, custom fields, job and lead links, invites dead (INACTIVE), and the survivor
as it was; refused with MERGE_CONFLICT and the reason when it would be unsafe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from domain.activation import ActivationStatus
from merge_support import (
    NODE,
    add_job,
    add_lead,
    create_contact,
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
    undo,
)
from models import Contact, ContactEmail, ContactMerge, CustomFieldValue, Invite, JobOwner, LeadContact, utcnow

UPDATE_INFO = """
mutation($input: UpdateContactInfoInput!) { updateContactInfo(input: $input) { userErrors { code } } }
"""
# What an undo brings back exactly. Versions and timestamps of the rows it rewrites
# move on, and rewritten email rows get new surrogate ids.
RESTORED_TABLES = (Contact, ContactEmail, CustomFieldValue, JobOwner, LeadContact)
MOVING_COLUMNS = {"contacts": ("version", "updated_at"), "contact_emails": ("id",)}


async def restorable_rows(app) -> dict[str, list[dict]]:
    dump = {}
    async with app.state.session_factory() as session:
        for model in RESTORED_TABLES:
            table = model.__table__
            columns = [c for c in table.columns if c.key not in MOVING_COLUMNS.get(table.name, ())]
            rows = [dict(row._mapping) for row in await session.execute(select(*columns))]
            dump[table.name] = sorted(rows, key=repr)
    return dump


@pytest.fixture
async def merged(app, builder):
    """Dana merged from three contacts with emails, fields, a pending invite, jobs and a lead."""
    survivor = await create_contact(builder, firstName="Dana", primaryEmail="dana@example.com",
                                    additionalEmails=["dana.work@example.com"])
    second = await create_contact(builder, firstName="D.", phone="555 0100", primaryEmail="dana.reyes@example.org",
                                  additionalEmails=["dr@example.net"])
    third = await create_contact(builder, lastName="Reyes", primaryEmail="third@example.com")
    field = await define_field(app, builder, "Lot")
    await set_custom_value(app, second, field, "12")
    other = await create_contact(builder, firstName="Sam")
    jobs = [
        await add_job(app, builder, "Both", [other, second, survivor]),
        await add_job(app, builder, "Second", [second, other]),
        await add_job(app, builder, "Second and third", [third, other, second]),
    ]
    lead = await add_lead(app, builder, "Kitchen", [other, third])
    await make_pending(app, third)
    before = await restorable_rows(app)
    payload = await merge(builder, survivor, [second, third])
    assert payload["userErrors"] == []
    return {
        "survivor": survivor, "second": second, "third": third, "other": other, "jobs": jobs, "lead": lead,
        "before": before, "merge_id": payload["merge"]["id"],
    }


def codes(payload) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def test_undo_restores_every_row_as_it_was(app, builder, merged):
    payload = await undo(builder, merged["merge_id"])

    assert payload["userErrors"] == []
    assert payload["contact"]["id"] == merged["survivor"]
    assert payload["contact"]["emails"] == ["dana@example.com", "dana.work@example.com"]
    assert [c["id"] for c in payload["restoredContacts"]] == [merged["second"], merged["third"]]
    assert payload["merge"]["undoneAt"] is not None
    # The pending contact comes back INACTIVE: its invite died with the merge.
    assert [c["activationStatus"] for c in payload["restoredContacts"]] == ["INACTIVE", "INACTIVE"]
    expected = merged["before"]
    expected["contacts"] = [
        {**row, "activation_status": ActivationStatus.INACTIVE} if row["id"] == pk(merged["third"]) else row
        for row in expected["contacts"]
    ]
    assert await restorable_rows(app) == expected


async def test_undo_gives_each_contact_back_its_id_links_and_status(app, builder, merged):
    await undo(builder, merged["merge_id"])

    second = await read_contact(builder, merged["second"])
    assert second["id"] == merged["second"]
    assert second["emails"] == ["dana.reyes@example.org", "dr@example.net"]
    assert second["phone"] == "555 0100"
    third = await read_contact(builder, merged["third"])
    assert third["activationStatus"] == "INACTIVE"
    both, only_second, second_and_third = merged["jobs"]
    assert await job_owner_ids(builder, both) == [merged["other"], merged["second"], merged["survivor"]]
    assert await job_owner_ids(builder, only_second) == [merged["second"], merged["other"]]
    assert await job_owner_ids(builder, second_and_third) == [merged["third"], merged["other"], merged["second"]]
    assert await lead_contact_ids(builder, merged["lead"]) == [merged["other"], merged["third"]]
    survivor = await read_contact(builder, merged["survivor"])
    assert survivor["phone"] is None
    assert [(m["undoneAt"] is not None, m["undoneBy"]) for m in survivor["merges"]] == [(True, builder.username)]


async def test_invite_tokens_stay_dead_after_undo(app, builder, merged):
    await undo(builder, merged["merge_id"])
    async with app.state.session_factory() as session:
        invites = (await session.execute(Invite.__table__.select())).all()
    assert [invite.revoked_at is not None for invite in invites] == [True]


async def test_two_merges_into_one_survivor_undo_newest_first(app, builder):
    survivor = await create_contact(builder, firstName="A", primaryEmail="a@example.com")
    first = await create_contact(builder, firstName="B", primaryEmail="b@example.com")
    second = await create_contact(builder, firstName="C", primaryEmail="c@example.com")
    older = (await merge(builder, survivor, [first]))["merge"]["id"]
    newer = (await merge(builder, survivor, [second]))["merge"]["id"]
    before = await table_rows(app)

    refused = await undo(builder, older)
    assert codes(refused) == [("MERGE_CONFLICT", ["mergeId"])]
    assert "Undo that merge first" in refused["userErrors"][0]["message"]
    assert await table_rows(app) == before

    assert (await undo(builder, newer))["userErrors"] == []
    payload = await undo(builder, older)
    assert payload["userErrors"] == []
    assert payload["contact"]["emails"] == ["a@example.com"]


async def assert_refused(app, builder, merge_id: str, reason: str) -> dict:
    before = await table_rows(app)
    payload = await undo(builder, merge_id)
    assert codes(payload) == [("MERGE_CONFLICT", ["mergeId"])], payload
    assert reason in payload["userErrors"][0]["message"]
    assert payload["contact"] is None
    assert await table_rows(app) == before
    return payload


async def test_undo_twice_is_refused(app, builder, merged):
    await undo(builder, merged["merge_id"])
    await assert_refused(app, builder, merged["merge_id"], "already been undone")


async def test_undo_after_30_days_is_refused(app, builder, merged):
    async with app.state.session_factory() as session:
        await session.execute(update(ContactMerge).values(merged_at=utcnow() - timedelta(days=30, minutes=1)))
        await session.commit()
    await assert_refused(app, builder, merged["merge_id"], "more than 30 days old")


async def test_undo_when_the_survivor_was_merged_again_is_refused(app, builder, merged):
    newer = await create_contact(builder, firstName="Dana again")
    assert (await merge(builder, newer, [merged["survivor"]]))["userErrors"] == []
    await assert_refused(app, builder, merged["merge_id"], "merged into another contact")


async def test_undo_when_the_survivor_changed_is_refused(app, builder, merged):
    edit = {"input": {"contactId": merged["survivor"], "lastName": "Reyes-Smith"}}
    assert (await builder.gql(UPDATE_INFO, edit))["data"]["updateContactInfo"]["userErrors"] == []
    payload = await assert_refused(app, builder, merged["merge_id"], "changed after the merge")
    assert payload["conflictingContact"] == {"id": merged["survivor"]}


async def test_undo_when_a_restored_primary_is_claimed_is_refused(app, builder, merged):
    claimer = await create_contact(builder, firstName="Other Dana", primaryEmail="Dana.Reyes@example.org")
    await make_pending(app, claimer)
    payload = await assert_refused(app, builder, merged["merge_id"], "dana.reyes@example.org is now the primary email")
    assert payload["conflictingContact"] == {"id": claimer}


async def test_undo_of_an_unknown_or_foreign_merge_is_not_found(app, builder, other_builder, merged):
    for actor, merge_id in ((builder, gid("ContactMerge", 987654)), (other_builder, merged["merge_id"]),
                            (builder, merged["survivor"])):
        payload = await undo(actor, merge_id)
        assert codes(payload) == [("NOT_FOUND", ["mergeId"])]
    assert (await builder.gql(NODE, {"id": merged["second"]}))["data"]["node"]["id"] == merged["survivor"]


async def test_only_builders_undo(app, builder, owner, merged):
    before = await table_rows(app)
    body = await owner.gql(
        "mutation($input: UndoMergeInput!) { undoMerge(input: $input) { userErrors { code } } }",
        {"input": {"mergeId": merged["merge_id"]}},
        expect_errors=True,
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await table_rows(app) == before
