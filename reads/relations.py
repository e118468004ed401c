"""The relations of a contact, a job or a lead, as the viewer may read them.

Each reads through the request's batches (reads/loaders.py), so a relation reads
the same way whether a prefetch primed it or not. The batches' statements answer
only what the viewer may read (the read scope of permissions/policy.py, in the
SQL); what depends on the viewer alone (merges and invites are the builder's,
a pending email change the owner's) is asked of the policy here, once. Each
answers rows, or an awaitable of them (`loaders.then` builds on either)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.activation import ActivationStatus
from permissions.policy import sees_invites, sees_merge_audit, sees_pending_email_change
from reads import loaders

NOTHING: list = []


def _linked(batch: loaders.Batch, contact_id: int, merging_ids: Sequence[int]) -> Any:
    """The jobs (or leads) of a contact; for a merge preview, with those of the
    contacts merging into it, each once, in id order as for any contact."""
    if not merging_ids:
        return batch.get(contact_id)

    async def merged() -> list:
        found = {row.id: row for rows in await batch.get_many([contact_id, *merging_ids]) for row in rows}
        return [found[key] for key in sorted(found)]

    return merged()


def jobs_of_contact(context, contact_id: int, merging_ids: Sequence[int] = ()) -> Any:
    """Job rows the viewer finds; none of a contact seen by name only."""
    return _linked(loaders.jobs_by_contact(context), contact_id, merging_ids)


def leads_of_contact(context, contact_id: int, merging_ids: Sequence[int] = ()) -> Any:
    """Lead rows; none for owners (leads are the builder's pipeline)."""
    return _linked(loaders.leads_by_contact(context), contact_id, merging_ids)


def owners_of_job(context, job_id: int) -> Any:
    """ContactRows of the job's owners, in order (a job is reached only by who may see it)."""
    return loaders.owners_by_job(context).get(job_id)


def contacts_of_lead(context, lead_id: int) -> Any:
    """ContactRows of the lead's contacts, in order (a lead is reached only by builders)."""
    return loaders.contacts_by_lead(context).get(lead_id)


def custom_values_of_contact(context, contact_id: int) -> Any:
    """(definition, value) pairs; an owner reads only the fields marked visibleToOwner,
    and nothing of a contact seen by name only (SPEC 8)."""
    return loaders.custom_values_by_contact(context).get(contact_id)


def merges_of_contact(context, contact_id: int) -> Any:
    """Audited merges into the contact, newest first; builders only."""
    if not sees_merge_audit(context.actor):
        return NOTHING
    return loaders.merges_by_survivor(context).get(contact_id)


def live_invite_of_contact(context, contact_id: int, status: ActivationStatus) -> Any:
    """The live invite of a PENDING contact; builders only."""
    if not sees_invites(context.actor) or status != ActivationStatus.PENDING:
        return None
    return loaders.live_invite_by_contact(context).get(contact_id)


def open_email_change_of_contact(context, contact_id: int, status: ActivationStatus) -> Any:
    """The active owner's unconfirmed new primary email; the owner's alone (SPEC 12)."""
    if not sees_pending_email_change(context.actor, contact_id) or status != ActivationStatus.ACTIVE:
        return None
    return loaders.open_email_change_by_contact(context).get(contact_id)
