"""Per-request batched reads by key, the one mechanism every relation reads through.

A `Batch` answers a key a prefetch primed at once, as a plain value (no task, no
await: on a page of 50 contacts that is most of the execution cost, see
shared/PERF-NOTES.md lesson 2); any other key goes to a DataLoader, which reads
all the keys asked for in the same tick in one statement, each batch on its own
short session, since fields resolve concurrently."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from domain.read_scope import ReadScope
from models import Contact
from permissions.policy import read_scope
from repository.contacts import ContactRepository
from repository.custom_fields import CustomFieldRepository
from repository.email_changes import EmailChangeRepository
from repository.invites import InviteRepository
from repository.jobs_leads import JobsLeadsRepository
from repository.merges import MergeRepository
from repository.prefetch import ContactRows

T = TypeVar("T")
R = TypeVar("R")


def then(value: T | Awaitable[T], build: Callable[[T], R]) -> R | Awaitable[R]:
    """`build(value)`, at once for a plain value, once awaited for an awaitable:
    a relation's resolver stays synchronous when its rows were primed."""
    if not inspect.isawaitable(value):
        return build(value)

    async def built() -> R:
        return build(await value)

    return built()


class Batch:
    """One relation's reads in one request: `get(key)` is the rows of `key`, or an
    awaitable of them when no prefetch primed it."""

    def __init__(self, load: Callable[[list[Any]], Awaitable[list[Any]]]):
        self._primed: dict[Any, Any] = {}
        self._loader = DataLoader(load_fn=load)

    def prime(self, key: Any, value: Any) -> None:
        self._primed[key] = value

    def get(self, key: Any) -> Any:
        if key in self._primed:
            return self._primed[key]
        return self._loader.load(key)

    async def get_many(self, keys: Sequence[Any]) -> list[Any]:
        return [await value if inspect.isawaitable(value) else value for value in [self.get(k) for k in keys]]


async def with_additional_emails(contacts: ContactRepository, seen: Sequence[tuple[Contact, bool]]) -> list[ContactRows]:
    """Contacts as the viewer sees them (`ContactRepository.as_seen`), with the
    additional emails their GraphQL type shows: one statement, and none read for a
    contact seen by name only."""
    emails = await contacts.additional_emails_by_contact([row.id for row, hidden in seen if not hidden])
    return [ContactRows(row, hidden, emails.get(row.id, [])) for row, hidden in seen]


Scope = tuple[Any, ReadScope]  # the batch's session, and the viewer's read scope


def _batch(context, name: str, fetch: Callable[[Scope, list], Awaitable[dict]], default: Callable[[], Any]) -> Batch:
    """The request's Batch called `name`, made on first use: `fetch((session,
    read scope), keys)` answers a dict by key; a key it leaves out gets `default()`."""
    if name not in context.loaders:
        scope = read_scope(context.actor)

        async def load(keys: list) -> list:
            async with context.session_factory() as session:
                found = await fetch((session, scope), keys)
            return [found[key] if key in found else default() for key in keys]

        context.loaders[name] = Batch(load)
    return context.loaders[name]


def _jobs_leads(scope: Scope) -> JobsLeadsRepository:
    session, viewer = scope
    return JobsLeadsRepository(session, viewer.builder_account_id)


async def _jobs_by_contact(scope: Scope, keys):
    return await _jobs_leads(scope).jobs_by_contact(keys, scope[1])


async def _leads_by_contact(scope: Scope, keys):
    return await _jobs_leads(scope).leads_by_contact(keys, scope[1])


async def _contacts_with_emails(scope: Scope, by_key: dict[int, list[tuple[Contact, bool]]]) -> dict[int, list[ContactRows]]:
    session, viewer = scope
    emails = await ContactRepository(session, viewer.builder_account_id).additional_emails_by_contact(
        sorted({c.id for rows in by_key.values() for c, hidden in rows if not hidden})
    )
    return {key: [ContactRows(c, hidden, emails.get(c.id, [])) for c, hidden in rows] for key, rows in by_key.items()}


async def _owners_by_job(scope: Scope, keys):
    return await _contacts_with_emails(scope, await _jobs_leads(scope).owners_by_job(keys, scope[1]))


async def _contacts_by_lead(scope: Scope, keys):
    return await _contacts_with_emails(scope, await _jobs_leads(scope).contacts_by_lead(keys, scope[1]))


async def _merges_by_survivor(scope: Scope, keys):
    session, viewer = scope
    return await MergeRepository(session, viewer.builder_account_id).merges_by_survivor(keys)


async def _live_invite_by_contact(scope: Scope, keys):
    session, viewer = scope
    return await InviteRepository(session, viewer.builder_account_id).live_by_contact(keys)


def jobs_by_contact(context) -> Batch:
    """Job rows of each contact, by job id: those the viewer finds, of a contact they read in full."""
    return _batch(context, "jobs_by_contact", _jobs_by_contact, list)


def leads_by_contact(context) -> Batch:
    return _batch(context, "leads_by_contact", _leads_by_contact, list)


def owners_by_job(context) -> Batch:
    """Each job's owners in order, as ContactRows with their additional emails (as the viewer sees them)."""
    return _batch(context, "owners_by_job", _owners_by_job, list)


def contacts_by_lead(context) -> Batch:
    return _batch(context, "contacts_by_lead", _contacts_by_lead, list)


def merges_by_survivor(context) -> Batch:
    return _batch(context, "merges_by_survivor", _merges_by_survivor, list)


def live_invite_by_contact(context) -> Batch:
    return _batch(context, "live_invite_by_contact", _live_invite_by_contact, lambda: None)


def custom_values_by_contact(context) -> Batch:
    """(definition, value) pairs per contact, as the viewer reads them
    (`CustomFieldRepository.values_by_contact`)."""

    async def fetch(scope: Scope, keys):
        session, viewer = scope
        return await CustomFieldRepository(session, viewer.builder_account_id).values_by_contact(keys, viewer)

    return _batch(context, "custom_values_by_contact", fetch, list)


def open_email_change_by_contact(context) -> Batch:
    """The open, unexpired primary email change of each contact (SPEC 12)."""
    now = context.now()

    async def fetch(scope: Scope, keys):
        session, viewer = scope
        return await EmailChangeRepository(session).live_by_contact(viewer.builder_account_id, keys, now)

    return _batch(context, "open_email_change_by_contact", fetch, lambda: None)
