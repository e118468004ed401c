"""A mutation's payload reads its contact back the way a query reads one (issue 15):
the contact from what the mutation's unit of work holds, and the relations the
payload asks of it with the prefetch statement of the planned reads (the jobs with
their owners and the owners' emails: one statement, whatever the number of jobs
and owners), as the viewer's read scope allows."""

from __future__ import annotations

import pytest

from jobs_leads_support import add_owner, contact_gid, new_contact, new_job

WITH_JOBS = "contact { id emails jobs { name owners { id displayName phone emails } } }"
SET_EMAILS = f"""
mutation($input: SetAdditionalEmailsInput!) {{
  setAdditionalEmails(input: $input) {{ {WITH_JOBS} userErrors {{ code }} }}
}}
"""
PREFERENCES = f"""
mutation($input: UpdateNotificationPreferencesInput!) {{
  updateNotificationPreferences(input: $input) {{ {WITH_JOBS} userErrors {{ code }} }}
}}
"""
READ = f"query($id: ID!) {{ {WITH_JOBS.replace('contact {', 'contact(id: $id) {', 1)} }}"

# setAdditionalEmails: the session lookup; the contact with its emails under lock; its
# version; the emails replaced (DELETE, one INSERT); the timeline entries. Then the
# read-back: the jobs with their owners and the owners' emails, one statement.
SET_EMAILS_STATEMENTS = 6 + 1


async def _jobs(builder, contact: str, count: int) -> None:
    for number in range(count):
        job_id = await new_job(builder, f"Job {number}")
        for owner in (contact, await new_contact(builder, f"Co{number}", primaryEmail=f"co{number}@example.net", additionalEmails=[f"co{number}@example.org"])):
            assert (await add_owner(builder, job_id, owner))["userErrors"] == []


@pytest.mark.parametrize("job_count", [1, 3])
async def test_the_payload_reads_its_relations_in_one_statement_as_a_query_reads_them(
    builder, sql_counter, job_count
):
    contact = await new_contact(builder, "Wendy", primaryEmail="wendy@example.net")
    await _jobs(builder, contact, job_count)
    with sql_counter:
        body = await builder.gql(SET_EMAILS, {"input": {"contactId": contact, "emails": ["w@example.org"]}})
    payload = body["data"]["setAdditionalEmails"]
    assert payload["userErrors"] == [], payload
    assert sql_counter.count == SET_EMAILS_STATEMENTS
    assert [len(job["owners"]) for job in payload["contact"]["jobs"]] == [2] * job_count
    assert payload["contact"] == (await builder.gql(READ, {"id": contact}))["data"]["contact"]


async def test_an_owners_payload_shows_co_owners_by_name_only(builder, owner):
    await _jobs(builder, contact_gid(owner.contact_id), 1)
    body = await owner.gql(PREFERENCES, {"input": {"smsOptIn": True}})
    [job] = body["data"]["updateNotificationPreferences"]["contact"]["jobs"]
    own, co_owner = job["owners"]
    assert own["id"] == contact_gid(owner.contact_id) and own["emails"] != []
    assert co_owner["displayName"] == "Co0 Client"
    assert (co_owner["phone"], co_owner["emails"]) == (None, [])


UNDO = """
mutation($input: UndoMergeInput!) {
  undoMerge(input: $input) {
    contact { id jobs { name } }
    restoredContacts { id jobs { name owners { displayName } } }
    userErrors { code }
  }
}
"""
MERGE = """
mutation($input: MergeContactsInput!) {
  mergeContacts(input: $input) { contact { jobs { name owners { displayName emails } } } merge { id } userErrors { code } }
}
"""


def read_back(statements: list[str]) -> list[str]:
    """The statements after the request's last write."""
    writes = [i for i, q in enumerate(statements) if q.split(None, 1)[0] in {"INSERT", "UPDATE", "DELETE"}]
    return statements[writes[-1] + 1:]


async def test_a_merge_and_its_undo_read_the_jobs_of_every_contact_they_answer_in_one_statement(
    builder, sql_counter
):
    survivor = await new_contact(builder, "Sam", primaryEmail="sam@example.net")
    merged = await new_contact(builder, "Mia", primaryEmail="mia@example.net")
    await _jobs(builder, survivor, 1)
    await _jobs(builder, merged, 2)
    with sql_counter:
        body = await builder.gql(MERGE, {"input": {"survivorId": survivor, "mergedIds": [merged]}})
    merged_into = body["data"]["mergeContacts"]
    assert [len(job["owners"]) for job in merged_into["contact"]["jobs"]] == [2, 2, 2]
    # The merge redirects (1), the survivor (1), its emails (1); its jobs with their owners
    # and the owners' emails (1); the merge (1).
    assert len(read_back(sql_counter.statements)) == 5, read_back(sql_counter.statements)
    merge_id = merged_into["merge"]["id"]
    with sql_counter:
        body = await builder.gql(UNDO, {"input": {"mergeId": merge_id}})
    undone = body["data"]["undoMerge"]
    assert undone["userErrors"] == []
    assert [job["name"] for job in undone["contact"]["jobs"]] == ["Job 0"]
    [restored] = undone["restoredContacts"]
    assert [(job["name"], len(job["owners"])) for job in restored["jobs"]] == [("Job 0", 2), ("Job 1", 2)]
    # The contacts with their emails (2); the jobs of both with their owners and the
    # owners' emails (1); the merge (1).
    assert len(read_back(sql_counter.statements)) == 4, read_back(sql_counter.statements)
