"""What the merge tests share: the GraphQL documents, contacts made through
`createContact`, and the rows other issues' mutations will write (pending invites,
jobs, leads, custom fields) written straight to the database, plus a dump of every
table a merge touches, to prove that a refused or failed request changed nothing."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from domain.activation import ActivationStatus
from domain.tokens import hash_token
from models import (
    Contact,
    ContactEmail,
    ContactMerge,
    CustomFieldDefinition,
    CustomFieldValue,
    Invite,
    Job,
    JobOwner,
    Lead,
    LeadContact,
    utcnow,
)

SHARED_CONTACT_FIELDS = """
  firstName lastName phone cellPhone primaryEmail additionalEmails emails activationStatus
  address { street city state postalCode }
  jobs { id } leads { id }
"""
CONTACT_FIELDS = "id " + SHARED_CONTACT_FIELDS
# A preview is a ContactPreview: the survivor's id is `survivorId`, never `id`.
PREVIEW_FIELDS = "__typename survivorId " + SHARED_CONTACT_FIELDS
MERGE_FIELDS = """
  id mergedAt mergedBy mergedContactIds undoneAt undoneBy
  kept { primaryEmail additionalEmails droppedEmails filledFields }
  survivor { id }
"""
MERGE = f"""
mutation($input: MergeContactsInput!) {{
  mergeContacts(input: $input) {{
    contact {{ {CONTACT_FIELDS} }}
    merge {{ {MERGE_FIELDS} }}
    candidateEmails
    userErrors {{ field code message }}
  }}
}}
"""
PREVIEW = f"""
query($input: MergeContactsInput!) {{
  mergeContactsPreview(input: $input) {{
    contact {{ {PREVIEW_FIELDS} }}
    candidateEmails
    userErrors {{ field code message }}
  }}
}}
"""
UNDO = f"""
mutation($input: UndoMergeInput!) {{
  undoMerge(input: $input) {{
    contact {{ {CONTACT_FIELDS} }}
    merge {{ {MERGE_FIELDS} }}
    restoredContacts {{ {CONTACT_FIELDS} }}
    conflictingContact {{ id }}
    userErrors {{ field code message }}
  }}
}}
"""
CREATE = """
mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code message } }
}
"""
CONTACT = f"query($id: ID!) {{ contact(id: $id) {{ {CONTACT_FIELDS} merges {{ {MERGE_FIELDS} }} }} }}"
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
JOB_OWNERS = "query($id: ID!) { node(id: $id) { ... on Job { owners { id } } } }"
LEAD_CONTACTS = "query($id: ID!) { node(id: $id) { ... on Lead { contacts { id } } } }"

# Every table a merge or an undo may write.
MERGE_TABLES = (Contact, ContactEmail, CustomFieldValue, Invite, JobOwner, LeadContact, ContactMerge)


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


async def create_contact(actor, **fields) -> str:
    """A contact made through GraphQL; returns its global id."""
    body = await actor.gql(CREATE, {"input": fields})
    payload = body["data"]["createContact"]
    assert payload["userErrors"] == [], payload
    return payload["contact"]["id"]


async def merge(actor, survivor: str, merged: list[str], additional_emails=None) -> dict:
    variables = {"input": {"survivorId": survivor, "mergedIds": merged}}
    if additional_emails is not None:
        variables["input"]["additionalEmails"] = additional_emails
    return (await actor.gql(MERGE, variables))["data"]["mergeContacts"]


async def undo(actor, merge_id: str) -> dict:
    return (await actor.gql(UNDO, {"input": {"mergeId": merge_id}}))["data"]["undoMerge"]


async def read_contact(actor, contact_id: str) -> dict | None:
    return (await actor.gql(CONTACT, {"id": contact_id}))["data"]["contact"]


async def make_pending(app, contact_id: str) -> int:
    """PENDING with a live invite, as `sendInvite` leaves a contact; returns the invite id."""
    async with app.state.session_factory() as session:
        contact = await session.get(Contact, pk(contact_id))
        invite = Invite(
            contact_id=contact.id, token_hash=hash_token(uuid.uuid4().hex), sent_to=contact.primary_email,
            expires_at=utcnow() + timedelta(days=7),
        )
        session.add(invite)
        await session.execute(update(Contact).where(Contact.id == contact.id).values(activation_status=ActivationStatus.PENDING))
        await session.commit()
        return invite.id


async def make_active(app, contact_id: str) -> None:
    """ACTIVE, without the owner's login: enough for the merge rules, and no password hashing."""
    async with app.state.session_factory() as session:
        await session.execute(update(Contact).where(Contact.id == pk(contact_id)).values(activation_status=ActivationStatus.ACTIVE))
        await session.commit()


async def add_job(app, builder, name: str, owner_ids: list[str]) -> str:
    """A job with its owners in this order (positions 0, 1, ...)."""
    async with app.state.session_factory() as session:
        job = Job(builder_account_id=builder.builder_account_id, name=name)
        session.add(job)
        await session.flush()
        session.add_all(JobOwner(job_id=job.id, contact_id=pk(c), position=i) for i, c in enumerate(owner_ids))
        await session.commit()
        return gid("Job", job.id)


async def add_lead(app, builder, title: str, contact_ids: list[str]) -> str:
    async with app.state.session_factory() as session:
        lead = Lead(builder_account_id=builder.builder_account_id, title=title)
        session.add(lead)
        await session.flush()
        session.add_all(LeadContact(lead_id=lead.id, contact_id=pk(c), position=i) for i, c in enumerate(contact_ids))
        await session.commit()
        return gid("Lead", lead.id)


async def define_field(app, builder, name: str) -> int:
    async with app.state.session_factory() as session:
        field = CustomFieldDefinition(
            builder_account_id=builder.builder_account_id, name=name, name_key=name.lower(), type="TEXT"
        )
        session.add(field)
        await session.commit()
        return field.id


async def set_custom_value(app, contact_id: str, field_id: int, value: str) -> None:
    async with app.state.session_factory() as session:
        session.add(CustomFieldValue(contact_id=pk(contact_id), field_id=field_id, value=value))
        await session.commit()


async def custom_values(app, contact_id: str) -> dict[int, str]:
    async with app.state.session_factory() as session:
        rows = await session.execute(
            select(CustomFieldValue.field_id, CustomFieldValue.value).where(CustomFieldValue.contact_id == pk(contact_id))
        )
        return dict(rows.all())


async def job_owner_ids(actor, job_id: str) -> list[str]:
    return [c["id"] for c in (await actor.gql(JOB_OWNERS, {"id": job_id}))["data"]["node"]["owners"]]


async def lead_contact_ids(actor, lead_id: str) -> list[str]:
    return [c["id"] for c in (await actor.gql(LEAD_CONTACTS, {"id": lead_id}))["data"]["node"]["contacts"]]


async def table_rows(app, tables=MERGE_TABLES) -> dict[str, list[tuple]]:
    """Every row of these tables, ordered, to compare before and after a request."""
    dump = {}
    async with app.state.session_factory() as session:
        for model in tables:
            table = model.__table__
            rows = await session.execute(select(table).order_by(*table.primary_key.columns))
            dump[model.__tablename__] = [tuple(row) for row in rows]
    return dump
