"""DataLoaders, created per request. Each batch opens its own short read session,
so fields resolving concurrently never share one `AsyncSession`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from models import Contact
from permissions.policy import sees_only_owner_visible_fields
from repository.contacts import ContactRepository
from repository.custom_fields import CustomFieldRepository
from repository.email_changes import EmailChangeRepository
from repository.merges import MergeRepository
from repository.work import WorkRepository
from request_context import RequestContext


@dataclass(frozen=True)
class ContactBundle:
    """A contact row with the additional emails its GraphQL type shows."""

    contact: Contact
    additional_emails: list[str]


async def bundle_contacts(contacts: ContactRepository, rows: Sequence[Contact]) -> list[ContactBundle]:
    emails = await contacts.additional_emails_by_contact([row.id for row in rows])
    return [ContactBundle(row, emails.get(row.id, [])) for row in rows]


def _loader(
    context: RequestContext, name: str, fetch: Callable[[Any, list[int]], Awaitable[dict[int, Any]]], default
) -> DataLoader:
    if name not in context.loaders:
        account_id = context.actor.builder_account_id

        async def load(keys: list[int]) -> list[Any]:
            async with context.session_factory() as session:
                found = await fetch((session, account_id), keys)
            return [found.get(key, default() if callable(default) else default) for key in keys]

        context.loaders[name] = DataLoader(load_fn=load)
    return context.loaders[name]


async def _jobs_by_contact(scope, keys):
    return await WorkRepository(*scope).jobs_by_contact(keys)


async def _leads_by_contact(scope, keys):
    return await WorkRepository(*scope).leads_by_contact(keys)


async def _owners_by_job(scope, keys):
    session, account_id = scope
    by_job = await WorkRepository(session, account_id).owners_by_job(keys)
    contacts = ContactRepository(session, account_id)
    emails = await contacts.additional_emails_by_contact(sorted({c.id for rows in by_job.values() for c in rows}))
    return {
        job_id: [ContactBundle(c, emails.get(c.id, [])) for c in rows] for job_id, rows in by_job.items()
    }


async def _contacts_by_lead(scope, keys):
    session, account_id = scope
    by_lead = await WorkRepository(session, account_id).contacts_by_lead(keys)
    emails = await ContactRepository(session, account_id).additional_emails_by_contact(
        sorted({c.id for rows in by_lead.values() for c in rows})
    )
    return {
        lead_id: [ContactBundle(c, emails.get(c.id, [])) for c in rows] for lead_id, rows in by_lead.items()
    }


def jobs_by_contact(context: RequestContext) -> DataLoader:
    return _loader(context, "jobs_by_contact", _jobs_by_contact, list)


def leads_by_contact(context: RequestContext) -> DataLoader:
    return _loader(context, "leads_by_contact", _leads_by_contact, list)


def owners_by_job(context: RequestContext) -> DataLoader:
    return _loader(context, "owners_by_job", _owners_by_job, list)


def contacts_by_lead(context: RequestContext) -> DataLoader:
    return _loader(context, "contacts_by_lead", _contacts_by_lead, list)


def custom_values_by_contact(context: RequestContext) -> DataLoader:
    """Set custom field values per contact; an owner's loader sees only the fields
    marked `visibleToOwner` (SPEC 8)."""
    visible_only = sees_only_owner_visible_fields(context.actor)

    async def fetch(scope, keys):
        return await CustomFieldRepository(*scope).values_by_contact(keys, visible_only=visible_only)

    return _loader(context, "custom_values_by_contact", fetch, list)


def open_email_change_by_contact(context: RequestContext) -> DataLoader:
    """The open, unexpired primary email change of each contact (SPEC 12)."""
    now = context.now()

    async def fetch(scope, keys):
        session, account_id = scope
        return await EmailChangeRepository(session).live_by_contact(account_id, keys, now)

    return _loader(context, "open_email_change_by_contact", fetch, None)


async def _merges_by_survivor(scope, keys):
    return await MergeRepository(*scope).merges_by_survivor(keys)


def merges_by_survivor(context: RequestContext) -> DataLoader:
    return _loader(context, "merges_by_survivor", _merges_by_survivor, list)
