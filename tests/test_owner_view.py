"""The owner's own view (SPEC 5, 9): their contact and the jobs they are an owner
of, co-owners by name only, and nothing else: no contacts, leads, other contacts
or other jobs."""

from __future__ import annotations

import pytest

from conftest import Actor
from hardening_support import app_client
from jobs_leads_support import add_owner, contact_gid, new_contact, new_job

PROFILE = """
{
  me {
    ... on OwnerUser {
      username
      contact {
        id displayName firstName lastName emails phone cellPhone smsOptIn activationStatus
        address { street city state postalCode }
        profileImage { url(size: MEDIUM) width height updatedAt }
        jobs { name address { street city } owners { displayName emails phone jobs { name } customFields { value } } }
      }
    }
  }
}
"""

CONTACT = "query($id: ID!) { contact(id: $id) { id displayName } }"
JOB = "query($id: ID!) { job(id: $id) { name } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
MY_JOBS = "{ jobs(first: 10) { totalCount edges { node { name } } } }"
PREFERENCES = """
mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { contact { smsOptIn } userErrors { code message } }
}
"""


async def _shared_job(builder, owner):
    job_id = await new_job(builder, "Lakeside build", address={"street": "9 Shore Rd", "city": "Salem"})
    co_owner = await new_contact(builder, "Ben", primaryEmail="ben@example.com", phone="555 0101")
    for contact_id in (contact_gid(owner.contact_id), co_owner):
        assert (await add_owner(builder, job_id, contact_id))["userErrors"] == []
    other_job = await new_job(builder, "Someone else's barn")
    assert (await add_owner(builder, other_job, co_owner))["userErrors"] == []
    return job_id, co_owner, other_job


async def test_the_mobile_profile_shows_own_jobs_and_co_owners_by_name_only(builder, owner):
    await _shared_job(builder, owner)
    contact = (await owner.gql(PROFILE))["data"]["me"]["contact"]
    assert contact["id"] == contact_gid(owner.contact_id)
    assert contact["displayName"] == "Olive Owner"
    assert contact["activationStatus"] == "ACTIVE"
    assert contact["smsOptIn"] is False
    assert contact["profileImage"] is None
    assert contact["jobs"] == [
        {
            "name": "Lakeside build",
            "address": {"street": "9 Shore Rd", "city": "Salem"},
            "owners": [
                {"displayName": "Olive Owner", "emails": contact["emails"], "phone": None,
                 "jobs": [{"name": "Lakeside build"}], "customFields": []},
                {"displayName": "Ben Client", "emails": [], "phone": None, "jobs": [], "customFields": []},
            ],
        }
    ]


CO_OWNERS = """
query($id: ID!) {
  me { ... on OwnerUser { contact { jobs { name owners { id displayName phone emails address { city } jobs { name } } } } } }
  contact(id: $id) { id }
  node(id: $id) { id }
}
"""


@pytest.mark.parametrize("planned", [True, False], ids=["planned", "graphql-core"])
async def test_co_owners_come_by_name_only_and_are_not_found_by_id_through_both_paths(settings, builder, owner, planned):
    """The statements answer the owner's scope (permissions/policy.read_scope), by
    the plan and on graphql-core alike."""
    job_id, co_owner, _other_job = await _shared_job(builder, owner)
    async with app_client(settings, PLANNED_READS=planned) as client:
        data = (await Actor(client, owner.token, owner.username).gql(CO_OWNERS, {"id": co_owner}))["data"]
    assert data["contact"] is None and data["node"] is None
    [job] = data["me"]["contact"]["jobs"]
    assert job["name"] == "Lakeside build"
    own, other = job["owners"]
    assert own["id"] == contact_gid(owner.contact_id) and own["jobs"] == [{"name": "Lakeside build"}]
    assert other == {"id": co_owner, "displayName": "Ben Client", "phone": None, "emails": [], "address": None,
                     "jobs": []}


async def test_an_owner_is_denied_contacts_other_contacts_and_other_jobs(builder, owner):
    job_id, co_owner, other_job = await _shared_job(builder, owner)

    body = await owner.gql("{ contacts(first: 5) { totalCount } }", expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await owner.gql(CONTACT, {"id": co_owner}))["data"]["contact"] is None
    assert (await owner.gql(NODE, {"id": co_owner}))["data"]["node"] is None
    assert (await owner.gql(JOB, {"id": other_job}))["data"]["job"] is None
    assert (await owner.gql(NODE, {"id": other_job}))["data"]["node"] is None

    assert (await owner.gql(JOB, {"id": job_id}))["data"]["job"] == {"name": "Lakeside build"}
    assert (await owner.gql(CONTACT, {"id": contact_gid(owner.contact_id)}))["data"]["contact"]["displayName"] == (
        "Olive Owner"
    )
    assert (await owner.gql(MY_JOBS))["data"]["jobs"] == {
        "totalCount": 1, "edges": [{"node": {"name": "Lakeside build"}}]
    }


async def test_the_active_owner_sets_their_own_sms_preference(owner):
    body = await owner.gql(PREFERENCES, {"input": {"smsOptIn": True}})
    assert body["data"]["updateNotificationPreferences"] == {"contact": {"smsOptIn": True}, "userErrors": []}
    assert (await owner.gql(PROFILE))["data"]["me"]["contact"]["smsOptIn"] is True
    body = await owner.gql(PREFERENCES, {"input": {"smsOptIn": False}})
    assert body["data"]["updateNotificationPreferences"]["contact"]["smsOptIn"] is False


async def test_nobody_else_sets_an_owners_sms_preference(builder, owner, anonymous):
    for actor, code in ((builder, "FORBIDDEN"), (anonymous, "UNAUTHENTICATED")):
        body = await actor.gql(PREFERENCES, {"input": {"smsOptIn": True}}, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == code
    assert (await owner.gql(PROFILE))["data"]["me"]["contact"]["smsOptIn"] is False
