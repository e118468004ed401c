"""Jobs (SPEC 5): ordered owners with no upper bound, edits, lookups and the
`jobs` connection, all scoped to the builder account."""

from __future__ import annotations

from strawberry.relay import to_base64

from jobs_leads_support import ADD_JOB_OWNER, CREATE_JOB, add_owner, new_contact, new_job

UPDATE_JOB = """
mutation($input: UpdateJobInput!) {
  updateJob(input: $input) { job { id name address { street city state postalCode } } userErrors { field code message } }
}
"""

REMOVE_JOB_OWNER = """
mutation($input: JobOwnerInput!) {
  removeJobOwner(input: $input) { job { owners { displayName } } userErrors { field code message } }
}
"""

JOB = "query($id: ID!) { job(id: $id) { id name owners { displayName emails } } }"

JOBS = """
query($first: Int!, $after: String, $search: String) {
  jobs(first: $first, after: $after, search: $search) {
    totalCount
    edges { cursor node { name } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

OWNER_NAMES = ["Ana", "Ben", "Cleo", "Dev"]


async def _job_with_owners(builder, names):
    job_id = await new_job(builder, "Lakeside build")
    contact_ids = [await new_contact(builder, name) for name in names]
    for contact_id in contact_ids:
        payload = await add_owner(builder, job_id, contact_id)
        assert payload["userErrors"] == []
    return job_id, contact_ids


async def test_four_owners_keep_the_order_they_were_added_in(builder):
    job_id, _ = await _job_with_owners(builder, OWNER_NAMES)
    owners = (await builder.gql(JOB, {"id": job_id}))["data"]["job"]["owners"]
    assert [o["displayName"] for o in owners] == [f"{n} Client" for n in OWNER_NAMES]


async def test_removing_an_owner_keeps_the_others_in_order(builder):
    job_id, contact_ids = await _job_with_owners(builder, OWNER_NAMES)
    body = await builder.gql(REMOVE_JOB_OWNER, {"input": {"jobId": job_id, "contactId": contact_ids[1]}})
    assert body["data"]["removeJobOwner"]["userErrors"] == []
    assert [o["displayName"] for o in body["data"]["removeJobOwner"]["job"]["owners"]] == [
        "Ana Client", "Cleo Client", "Dev Client"
    ]
    # Added back, it goes to the end.
    payload = await add_owner(builder, job_id, contact_ids[1])
    assert [o["displayName"] for o in payload["job"]["owners"]][-1] == "Ben Client"


async def test_removing_a_contact_that_is_not_an_owner_is_not_found(builder):
    job_id, _ = await _job_with_owners(builder, ["Ana"])
    stranger = await new_contact(builder, "Zed")
    body = await builder.gql(REMOVE_JOB_OWNER, {"input": {"jobId": job_id, "contactId": stranger}})
    assert body["data"]["removeJobOwner"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_adding_an_owner_twice_lists_them_once(builder):
    job_id, contact_ids = await _job_with_owners(builder, ["Ana", "Ben"])
    payload = await add_owner(builder, job_id, contact_ids[0])
    assert payload["userErrors"] == []
    assert [o["displayName"] for o in payload["job"]["owners"]] == ["Ana Client", "Ben Client"]


async def test_a_job_has_no_upper_bound_on_owners(builder):
    names = [f"Owner{n:02d}" for n in range(12)]
    job_id, _ = await _job_with_owners(builder, names)
    owners = (await builder.gql(JOB, {"id": job_id}))["data"]["job"]["owners"]
    assert [o["displayName"] for o in owners] == [f"{n} Client" for n in names]


async def test_create_and_update_a_job(builder):
    body = await builder.gql(
        CREATE_JOB, {"input": {"name": "  Porch  ", "address": {"street": "1 Elm St", "city": "Salem"}}}
    )
    job = body["data"]["createJob"]["job"]
    assert job["name"] == "Porch"
    assert job["address"] == {"street": "1 Elm St", "city": "Salem"}

    renamed = await builder.gql(UPDATE_JOB, {"input": {"jobId": job["id"], "name": "Front porch"}})
    assert renamed["data"]["updateJob"]["job"]["name"] == "Front porch"
    # An absent address stays as it was.
    assert renamed["data"]["updateJob"]["job"]["address"]["street"] == "1 Elm St"

    moved = await builder.gql(UPDATE_JOB, {"input": {"jobId": job["id"], "address": {"city": "Lynn"}}})
    assert moved["data"]["updateJob"]["job"]["address"] == {
        "street": "1 Elm St", "city": "Lynn", "state": None, "postalCode": None
    }
    cleared = await builder.gql(UPDATE_JOB, {"input": {"jobId": job["id"], "address": None}})
    assert cleared["data"]["updateJob"]["job"]["address"] is None


async def test_a_job_needs_a_name(builder):
    body = await builder.gql(CREATE_JOB, {"input": {"name": "   "}})
    assert body["data"]["createJob"] == {
        "job": None, "userErrors": [{"field": ["name"], "code": "INVALID_INPUT", "message": "This can't be blank."}]
    }
    job_id = await new_job(builder)
    body = await builder.gql(UPDATE_JOB, {"input": {"jobId": job_id, "name": ""}})
    assert body["data"]["updateJob"]["userErrors"][0]["field"] == ["name"]


async def test_another_builders_job_and_contact_are_not_found(builder, other_builder):
    theirs = await new_job(other_builder, "Their job")
    their_contact = await new_contact(other_builder, "Theirs")
    mine = await new_job(builder)
    my_contact = await new_contact(builder, "Mine")

    assert (await builder.gql(JOB, {"id": theirs}))["data"]["job"] is None
    for job_id, contact_id, path in ((theirs, my_contact, "jobId"), (mine, their_contact, "contactId")):
        body = await builder.gql(ADD_JOB_OWNER, {"input": {"jobId": job_id, "contactId": contact_id}})
        assert body["data"]["addJobOwner"]["userErrors"][0]["code"] == "NOT_FOUND"
        assert body["data"]["addJobOwner"]["userErrors"][0]["field"] == [path]
    body = await builder.gql(UPDATE_JOB, {"input": {"jobId": theirs, "name": "Mine now"}})
    assert body["data"]["updateJob"]["userErrors"][0]["code"] == "NOT_FOUND"
    their_list = await other_builder.gql(JOBS, {"first": 10})
    assert [e["node"]["name"] for e in their_list["data"]["jobs"]["edges"]] == ["Their job"]


async def test_a_wrong_kind_of_id_is_not_found(builder):
    job_id = await new_job(builder)
    contact_id = await new_contact(builder, "Ana")
    body = await builder.gql(ADD_JOB_OWNER, {"input": {"jobId": contact_id, "contactId": job_id}})
    assert body["data"]["addJobOwner"]["userErrors"][0] == {
        "field": ["jobId"], "code": "NOT_FOUND", "message": "No job with this id."
    }
    assert (await builder.gql(JOB, {"id": contact_id}))["data"]["job"] is None
    assert (await builder.gql(JOB, {"id": to_base64("Job", 987654)}))["data"]["job"] is None


async def test_jobs_connection_pages_by_name_and_searches(builder):
    for name in ["Deck", "attic", "Basement", "Carport", "Basement 2"]:
        await new_job(builder, name)
    first = (await builder.gql(JOBS, {"first": 2}))["data"]["jobs"]
    assert first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] is True
    seen = [e["node"]["name"] for e in first["edges"]]
    after = first["pageInfo"]["endCursor"]
    while after:
        page = (await builder.gql(JOBS, {"first": 2, "after": after}))["data"]["jobs"]
        seen += [e["node"]["name"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert sorted(seen) == sorted(["Deck", "attic", "Basement", "Carport", "Basement 2"])
    assert len(seen) == len(set(seen))

    found = (await builder.gql(JOBS, {"first": 10, "search": "BASE"}))["data"]["jobs"]
    assert found["totalCount"] == 2
    assert [e["node"]["name"] for e in found["edges"]] == ["Basement", "Basement 2"]


async def test_page_size_is_bounded(builder):
    for first in (0, 101):
        body = await builder.gql(JOBS, {"first": first}, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_owners_and_anonymous_cannot_change_jobs(builder, owner, anonymous):
    job_id = await new_job(builder)
    for actor, code in ((owner, "FORBIDDEN"), (anonymous, "UNAUTHENTICATED")):
        body = await actor.gql(CREATE_JOB, {"input": {"name": "Sneaky"}}, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == code
        body = await actor.gql(UPDATE_JOB, {"input": {"jobId": job_id, "name": "Sneaky"}}, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == code
    assert [e["node"]["name"] for e in (await builder.gql(JOBS, {"first": 5}))["data"]["jobs"]["edges"]] == [
        "Kitchen remodel"
    ]
