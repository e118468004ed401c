"""No N+1 (STYLE 4): the mobile profile query, the job list with owners and the
lead list with contacts cost a fixed number of SQL statements, whatever the
number of rows. (The contacts connection: tests/test_bench.py, tests/test_contacts.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from conftest import counted_engines, gql
from jobs_leads_support import SET_VALUES, add_owner, contact_gid, define_field, new_contact, new_job, new_lead

PROFILE = """
{
  me {
    ... on OwnerUser {
      contact {
        id displayName firstName lastName emails phone cellPhone smsOptIn
        address { street city state postalCode }
        profileImage { url(size: MEDIUM) width height updatedAt }
        customFields { field { id name type } value }
        jobs { name address { street city } owners { displayName } }
      }
    }
  }
}
"""

JOBS_WITH_OWNERS = "{ jobs(first: 50) { edges { node { owners { emails } } } } }"

# The session lookup with the viewer's contact and its emails (planner/roots.me), the
# contact's jobs with their co-owners, and the custom field values.
PROFILE_STATEMENTS = 3
# Planned (planner/jobs_leads.py): the session lookup, the page of jobs, their owners with their emails.
JOB_LIST_STATEMENTS = 3
# Planned: the session lookup, the page of leads, their contacts with their emails, the total count.
LEAD_LIST_STATEMENTS = 4


async def _jobs(builder, count: int, owners: list[str]) -> list[str]:
    ids = []
    for number in range(count):
        job_id = await new_job(builder, f"Job {number:02d}")
        for contact_id in owners:
            assert (await add_owner(builder, job_id, contact_id))["userErrors"] == []
        ids.append(job_id)
    return ids


@pytest.mark.parametrize("job_count", [1, 5])
async def test_owner_profile_query_costs_a_fixed_number_of_statements(builder, owner, sql_counter, job_count):
    co_owners = [await new_contact(builder, name, additionalEmails=[]) for name in ("Ben", "Cleo", "Dev")]
    await _jobs(builder, job_count, [contact_gid(owner.contact_id), *co_owners])
    field_id = await define_field(builder, "Move-in", "DATE", visible=True)
    await builder.gql(SET_VALUES, {"input": {"contactId": contact_gid(owner.contact_id),
                                             "values": [{"fieldId": field_id, "value": "2026-03-01"}]}})
    with sql_counter:
        body = await owner.gql(PROFILE)
    jobs = body["data"]["me"]["contact"]["jobs"]
    assert len(jobs) == job_count and all(len(job["owners"]) == 4 for job in jobs)
    assert sql_counter.count == PROFILE_STATEMENTS, sql_counter.statements


@pytest.mark.parametrize("job_count", [5, 50])
async def test_job_list_with_owner_emails_costs_a_fixed_number_of_statements(builder, sql_counter, job_count):
    owners = [
        await new_contact(builder, name, primaryEmail=f"{name.lower()}@example.com",
                          additionalEmails=[f"{name.lower()}.work@example.com"])
        for name in ("Ana", "Ben")
    ]
    await _jobs(builder, job_count, owners)
    with sql_counter:
        body = await builder.gql(JOBS_WITH_OWNERS)
    edges = body["data"]["jobs"]["edges"]
    assert len(edges) == job_count
    assert all(len(e["node"]["owners"]) == 2 and len(e["node"]["owners"][0]["emails"]) == 2 for e in edges)
    assert sql_counter.count == JOB_LIST_STATEMENTS, sql_counter.statements


LEADS_WITH_CONTACTS = "{ leads(first: 50) { totalCount edges { cursor node { title contacts { displayName emails } } } } }"


@pytest.mark.parametrize("lead_count", [2, 20])
async def test_lead_list_with_contacts_costs_a_fixed_number_of_statements(builder, sql_counter, lead_count):
    contacts = [
        await new_contact(builder, name, primaryEmail=f"{name.lower()}@example.com",
                          additionalEmails=[f"{name.lower()}@example.org"])
        for name in ("Ana", "Ben")
    ]
    for number in range(lead_count):
        await new_lead(builder, f"Lead {number:02d}", contacts)
    with sql_counter:
        body = await builder.gql(LEADS_WITH_CONTACTS)
    leads = body["data"]["leads"]
    assert leads["totalCount"] == lead_count and len(leads["edges"]) == lead_count
    assert all(len(e["node"]["contacts"]) == 2 for e in leads["edges"])
    assert sql_counter.count == LEAD_LIST_STATEMENTS, sql_counter.statements


class CheckoutCounter:
    """Counts the connections the app takes from its pools."""

    def __init__(self, app):
        self.count = 0
        self._pools = list(dict.fromkeys(engine.sync_engine.pool for engine in counted_engines(app)))

    def _checkout(self, *_args):
        self.count += 1

    def __enter__(self):
        for pool in self._pools:
            event.listen(pool, "checkout", self._checkout)
        return self

    def __exit__(self, *exc):
        for pool in self._pools:
            event.remove(pool, "checkout", self._checkout)


ME_ONLY = "{ __typename me { ... on OwnerUser { username contact { jobs { owners { displayName phone } } } } } }"


async def test_a_query_of_me_alone_reads_on_one_connection(app, builder, owner):
    """The session lookup runs on the connection `me` reads the profile with; any
    other root field brings the lookup back before execution, on its own connection."""
    co_owner = await new_contact(builder, "Ben", primaryEmail="ben@example.com", phone="555-0100")
    await _jobs(builder, 1, [contact_gid(owner.contact_id), co_owner])
    with CheckoutCounter(app) as checkouts:
        body = await owner.gql(ME_ONLY)
    assert checkouts.count == 1
    contact = body["data"]["me"]["contact"]
    # The rules below `me` saw the viewer: the co-owner shows by name only, no phone.
    assert {"displayName": "Ben Client", "phone": None} in contact["jobs"][0]["owners"]

    # Planned, each root field reads on its own connection, the first with the session lookup.
    with CheckoutCounter(app) as checkouts:
        both = await builder.gql("{ me { ... on BuilderUser { username } } jobs(first: 1) { edges { node { name } } } }")
    assert both["data"]["me"]["username"] == builder.username and checkouts.count == 2

    with CheckoutCounter(app) as checkouts:
        anonymous = await gql(owner.client, "{ me { __typename } }")
    assert anonymous["data"]["me"] is None and checkouts.count == 0


BY_IDS = """query($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on Job { name owners { displayName emails } }
    ... on Lead { title contacts { displayName emails } }
    ... on Contact { displayName emails jobs { name owners { displayName } } }
  }
}"""
# The session lookup; for the jobs, their rows and their owners with emails; for the
# leads, the same; for the contacts, their rows with emails and their jobs with owners.
NODES_STATEMENTS = 7


@pytest.mark.parametrize("count", [1, 6])
async def test_nodes_of_several_types_cost_a_fixed_number_of_statements(builder, sql_counter, count):
    contacts = [await new_contact(builder, f"Name{n}", primaryEmail=f"n{n}@example.com",
                                  additionalEmails=[f"n{n}@example.org"]) for n in range(2)]
    ids = [*await _jobs(builder, count, contacts), *contacts]
    for number in range(count):
        ids.append(await new_lead(builder, f"Lead {number:02d}", contacts))
    with sql_counter:
        body = await builder.gql(BY_IDS, {"ids": ids})
    found = body["data"]["nodes"]
    assert len(found) == 2 * count + 2 and all(node is not None for node in found)
    assert all(len(node.get("owners", node.get("contacts", [1, 2]))) == 2 for node in found)
    assert sql_counter.count == NODES_STATEMENTS, sql_counter.statements
