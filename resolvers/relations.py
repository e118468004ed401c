"""Resolvers of the relation fields inside objects (Contact.jobs, Job.owners, ...).

A relation prefetched by the root resolver (resolvers/prefetch.py) is returned
as it is, synchronously: a plain value, no task per item. Otherwise it is
batched through the per-request DataLoaders (the resolver then returns the
awaitable, which GraphQL execution awaits)."""

from __future__ import annotations

from strawberry.types import Info

import schema.custom_field_types as field_types
import schema.types as types
from permissions.policy import sees_by_name_only, sees_leads
from resolvers import loaders


async def _linked(loader, root) -> list:
    """The jobs (or leads) of a contact; for a merge preview, with those of the
    contacts merging into it, each once, in id order as for any contact."""
    if not root._merging_ids:
        return await loader.load(root.id)
    found = {row.id: row for rows in await loader.load_many([root.id, *root._merging_ids]) for row in rows}
    return [found[key] for key in sorted(found)]


def contact_jobs(root, info: Info) -> list[types.Job]:
    if sees_by_name_only(info.context.actor, root.id):
        return []
    if root._jobs is not None:
        return root._jobs
    return _load_contact_jobs(root, info)


async def _load_contact_jobs(root, info: Info) -> list[types.Job]:
    rows = await _linked(loaders.jobs_by_contact(info.context), root)
    return [types.Job.from_model(row) for row in rows]


async def contact_leads(root, info: Info) -> list[types.Lead]:
    if not sees_leads(info.context.actor):
        return []
    rows = await _linked(loaders.leads_by_contact(info.context), root)
    return [types.Lead.from_model(row) for row in rows]


def job_owners(root, info: Info) -> list[types.Contact]:
    if root._owners is not None:
        return root._owners
    return _load_job_owners(root.id, info)


async def _load_job_owners(job_id: int, info: Info) -> list[types.Contact]:
    bundles = await loaders.owners_by_job(info.context).load(job_id)
    return [types.Contact.from_model(b.contact, b.additional_emails, info) for b in bundles]


async def lead_contacts(root, info: Info) -> list[types.Contact]:
    bundles = await loaders.contacts_by_lead(info.context).load(root.id)
    return [types.Contact.from_model(b.contact, b.additional_emails, info) for b in bundles]


async def contact_custom_fields(root, info: Info) -> list[field_types.CustomFieldValue]:
    # The loader itself keeps an owner to the fields marked visibleToOwner.
    if sees_by_name_only(info.context.actor, root.id):
        return []
    pairs = await loaders.custom_values_by_contact(info.context).load(root.id)
    return [
        field_types.CustomFieldValue(field=field_types.CustomField.from_model(definition), value=value)
        for definition, value in pairs
    ]
