"""Resolvers of the relation fields inside objects (Contact.jobs, Job.owners, ...),
batched through per-request DataLoaders."""

from __future__ import annotations

from strawberry.types import Info

import schema.custom_field_types as field_types
import schema.types as types
from permissions.policy import ActorKind
from resolvers import loaders


def _owner_of_other_contact(info: Info, contact_id: int) -> bool:
    actor = info.context.actor
    return actor.kind is ActorKind.OWNER and actor.contact_id != contact_id


async def _linked(loader, root) -> list:
    """The jobs (or leads) of a contact; for a merge preview, with those of the
    contacts merging into it, each once, in id order as for any contact."""
    if not root._merging_ids:
        return await loader.load(root.id)
    found = {row.id: row for rows in await loader.load_many([root.id, *root._merging_ids]) for row in rows}
    return [found[key] for key in sorted(found)]


async def contact_jobs(root, info: Info) -> list[types.Job]:
    # An owner sees only their own jobs, never a co-owner's other jobs.
    if _owner_of_other_contact(info, root.id):
        return []
    rows = await _linked(loaders.jobs_by_contact(info.context), root)
    return [types.Job.from_model(row) for row in rows]


async def contact_leads(root, info: Info) -> list[types.Lead]:
    if info.context.actor.kind is not ActorKind.BUILDER:
        return []
    rows = await _linked(loaders.leads_by_contact(info.context), root)
    return [types.Lead.from_model(row) for row in rows]


async def job_owners(root, info: Info) -> list[types.Contact]:
    bundles = await loaders.owners_by_job(info.context).load(root.id)
    return [types.Contact.from_model(b.contact, b.additional_emails, info) for b in bundles]


async def lead_contacts(root, info: Info) -> list[types.Contact]:
    bundles = await loaders.contacts_by_lead(info.context).load(root.id)
    return [types.Contact.from_model(b.contact, b.additional_emails, info) for b in bundles]


async def contact_custom_fields(root, info: Info) -> list[field_types.CustomFieldValue]:
    # A co-owner is shown to an owner by name only (Contact.from_model); the
    # loader itself keeps an owner to the fields marked visibleToOwner.
    if _owner_of_other_contact(info, root.id):
        return []
    pairs = await loaders.custom_values_by_contact(info.context).load(root.id)
    return [
        field_types.CustomFieldValue(field=field_types.CustomField.from_model(definition), value=value)
        for definition, value in pairs
    ]
