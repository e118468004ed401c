"""Helpers for the job, lead, custom field and notification tests: GraphQL
documents the tests share, and short ways to set up records through the API."""

from __future__ import annotations

import uuid

from conftest import LOGIN, Actor, gql
from repository.accounts import AccountRepository
from repository.uow import UnitOfWork
from services.accounts import create_user

STAFF_PASSWORD = "staff member passphrase"

CREATE_CONTACT = """
mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code field message } }
}
"""

CREATE_JOB = """
mutation($input: CreateJobInput!) {
  createJob(input: $input) { job { id name address { street city } } userErrors { field code message } }
}
"""

ADD_JOB_OWNER = """
mutation($input: JobOwnerInput!) {
  addJobOwner(input: $input) { job { id owners { id displayName } } userErrors { field code message } }
}
"""

CREATE_LEAD = """
mutation($input: CreateLeadInput!) {
  createLead(input: $input) { lead { id title contacts { id displayName } } userErrors { field code message } }
}
"""

UPDATE_CONTACT_INFO = """
mutation($input: UpdateContactInfoInput!) {
  updateContactInfo(input: $input) { contact { id displayName } userErrors { code field message } }
}
"""

DEFINE_FIELD = """
mutation($input: DefineCustomFieldInput!) {
  defineCustomField(input: $input) {
    customField { id name type options visibleToOwner }
    userErrors { field code message }
  }
}
"""

SET_VALUES = """
mutation($input: SetCustomFieldValuesInput!) {
  setCustomFieldValues(input: $input) {
    contact { id customFields { field { id name type } value } }
    userErrors { field code message }
  }
}
"""


def contact_gid(contact_id: int) -> str:
    from strawberry.relay import to_base64

    return to_base64("Contact", contact_id)


async def new_contact(builder: Actor, first_name: str, **fields) -> str:
    body = await builder.gql(CREATE_CONTACT, {"input": {"firstName": first_name, "lastName": "Client", **fields}})
    payload = body["data"]["createContact"]
    assert payload["userErrors"] == []
    return payload["contact"]["id"]


async def new_job(builder: Actor, name: str = "Kitchen remodel", **fields) -> str:
    body = await builder.gql(CREATE_JOB, {"input": {"name": name, **fields}})
    payload = body["data"]["createJob"]
    assert payload["userErrors"] == []
    return payload["job"]["id"]


async def add_owner(builder: Actor, job_id: str, contact_id: str) -> dict:
    body = await builder.gql(ADD_JOB_OWNER, {"input": {"jobId": job_id, "contactId": contact_id}})
    return body["data"]["addJobOwner"]


async def new_lead(builder: Actor, title: str, contact_ids: list[str]) -> str:
    body = await builder.gql(CREATE_LEAD, {"input": {"title": title, "contactIds": contact_ids}})
    payload = body["data"]["createLead"]
    assert payload["userErrors"] == []
    return payload["lead"]["id"]


async def define_field(builder: Actor, name: str, type_: str, *, options=None, visible: bool = False) -> str:
    body = await builder.gql(
        DEFINE_FIELD, {"input": {"name": name, "type": type_, "options": options, "visibleToOwner": visible}}
    )
    payload = body["data"]["defineCustomField"]
    assert payload["userErrors"] == []
    return payload["customField"]["id"]


async def make_staff(app, client, builder: Actor) -> Actor:
    """A STAFF (not ADMIN) user of the builder's account, signed in."""
    username = f"staff-{uuid.uuid4().hex[:8]}"
    async with UnitOfWork(app.state.session_factory) as uow:
        account = await AccountRepository(uow.session).builder(builder.builder_account_id)
        await create_user(uow, account, username, STAFF_PASSWORD, "STAFF", app.state.password_hashing)
        await uow.commit()
    body = await gql(client, LOGIN, {"input": {"username": username, "password": STAFF_PASSWORD}})
    return Actor(client, body["data"]["login"]["token"], username, builder.builder_account_id)
