"""Leads (SPEC 5): a title and an ordered list of contacts, builders only; a
contact is one record wherever it appears."""

from __future__ import annotations

from jobs_leads_support import (
    CREATE_LEAD,
    UPDATE_CONTACT_INFO,
    add_owner,
    contact_gid,
    new_contact,
    new_job,
    new_lead,
)

ADD_LEAD_CONTACT = """
mutation($input: LeadContactInput!) {
  addLeadContact(input: $input) { lead { contacts { displayName } } userErrors { field code message } }
}
"""

REMOVE_LEAD_CONTACT = """
mutation($input: LeadContactInput!) {
  removeLeadContact(input: $input) { lead { contacts { displayName } } userErrors { field code message } }
}
"""

LEAD = "query($id: ID!) { lead(id: $id) { title contacts { displayName } } }"

LEADS = """
query($search: String) {
  leads(first: 10, search: $search) { totalCount edges { node { title contacts { displayName } } } }
}
"""

JOB_AND_LEAD = """
query($job: ID!, $lead: ID!) {
  job(id: $job) { owners { displayName firstName } }
  lead(id: $lead) { contacts { displayName firstName } }
}
"""


async def test_create_a_lead_with_contacts_in_order_and_change_them(builder):
    ana, ben, cleo = [await new_contact(builder, n) for n in ("Ana", "Ben", "Cleo")]
    body = await builder.gql(CREATE_LEAD, {"input": {"title": " Garage  addition ", "contactIds": [ben, ana, ben]}})
    lead = body["data"]["createLead"]["lead"]
    assert lead["title"] == "Garage addition"
    assert [c["displayName"] for c in lead["contacts"]] == ["Ben Client", "Ana Client"]

    added = await builder.gql(ADD_LEAD_CONTACT, {"input": {"leadId": lead["id"], "contactId": cleo}})
    assert [c["displayName"] for c in added["data"]["addLeadContact"]["lead"]["contacts"]] == [
        "Ben Client", "Ana Client", "Cleo Client"
    ]
    removed = await builder.gql(REMOVE_LEAD_CONTACT, {"input": {"leadId": lead["id"], "contactId": ben}})
    assert [c["displayName"] for c in removed["data"]["removeLeadContact"]["lead"]["contacts"]] == [
        "Ana Client", "Cleo Client"
    ]
    again = await builder.gql(REMOVE_LEAD_CONTACT, {"input": {"leadId": lead["id"], "contactId": ben}})
    assert again["data"]["removeLeadContact"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_a_lead_needs_a_title_and_known_contacts(builder, other_builder):
    theirs = await new_contact(other_builder, "Theirs")
    body = await builder.gql(CREATE_LEAD, {"input": {"title": "", "contactIds": []}})
    assert body["data"]["createLead"]["userErrors"][0]["field"] == ["title"]
    body = await builder.gql(CREATE_LEAD, {"input": {"title": "Pool", "contactIds": [theirs]}})
    assert body["data"]["createLead"]["userErrors"] == [
        {"field": ["contactIds", "0"], "code": "NOT_FOUND", "message": "No contact with this id."}
    ]
    assert (await builder.gql(LEADS))["data"]["leads"]["totalCount"] == 0


async def test_leads_connection_searches_titles_within_the_account(builder, other_builder):
    ana = await new_contact(builder, "Ana")
    await new_lead(builder, "Pool house", [ana])
    await new_lead(builder, "Sunroom", [])
    await new_lead(other_builder, "Pool for them", [])
    found = (await builder.gql(LEADS, {"search": "pool"}))["data"]["leads"]
    assert found == {"totalCount": 1, "edges": [{"node": {"title": "Pool house", "contacts": [{"displayName": "Ana Client"}]}}]}
    assert (await builder.gql(LEADS))["data"]["leads"]["totalCount"] == 2


async def test_an_owners_edit_shows_at_once_on_their_job_and_lead(builder, owner):
    job_id = await new_job(builder)
    payload = await add_owner(builder, job_id, contact_gid(owner.contact_id))
    assert payload["userErrors"] == []
    lead_id = await new_lead(builder, "Pool", [contact_gid(owner.contact_id)])

    body = await owner.gql(
        UPDATE_CONTACT_INFO, {"input": {"contactId": contact_gid(owner.contact_id), "firstName": "Olivia"}}
    )
    assert body["data"]["updateContactInfo"]["userErrors"] == []

    seen = (await builder.gql(JOB_AND_LEAD, {"job": job_id, "lead": lead_id}))["data"]
    assert seen["job"]["owners"] == [{"displayName": "Olivia Owner", "firstName": "Olivia"}]
    assert seen["lead"]["contacts"] == [{"displayName": "Olivia Owner", "firstName": "Olivia"}]


async def test_owners_never_see_or_change_leads(builder, owner):
    lead_id = await new_lead(builder, "Pool", [contact_gid(owner.contact_id)])
    body = await owner.gql(LEADS, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] == {"leads": None}
    assert (await owner.gql(LEAD, {"id": lead_id}))["data"]["lead"] is None
    node = await owner.gql("query($id: ID!) { node(id: $id) { id } }", {"id": lead_id})
    assert node["data"]["node"] is None
    own = await owner.gql("{ me { ... on OwnerUser { contact { leads { title } } } } }")
    assert own["data"]["me"]["contact"]["leads"] == []
    body = await owner.gql(
        ADD_LEAD_CONTACT, {"input": {"leadId": lead_id, "contactId": contact_gid(owner.contact_id)}},
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
