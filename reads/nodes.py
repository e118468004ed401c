"""Objects by id, for `node(id)`, `contact(id)`, `job(id)`... and the read-back of
mutation payloads. Each answers one entry per id asked, in order: the rows, or
None for an object that is missing, of another builder account, or not for this
viewer (reported alike, so that an id reveals nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.activation import ActivationStatus
from models import User
from permissions.policy import (
    ActorKind,
    PolicyContact,
    can_read_contact,
    jobs_seen_through,
    sees_account,
    sees_leads,
    sees_only_owner_visible_fields,
    sees_user,
)
from reads.loaders import with_additional_emails
from repository.accounts import AccountRepository
from repository.contacts import ContactRepository
from repository.custom_fields import CustomFieldRepository
from repository.jobs_leads import JobsLeadsRepository
from repository.merges import MergeRepository
from repository.prefetch import ContactRows

Ids = Sequence[int | None]


def _signed_in(context) -> bool:
    return context.actor.kind is not ActorKind.ANONYMOUS


def _in_order(ids: Ids, found: dict) -> list:
    return [found.get(i) if i is not None else None for i in ids]


async def contacts(context, ids: Ids) -> list[ContactRows | None]:
    """Contacts the viewer may read; the id of a merged contact stands for its survivor (SPEC 4)."""
    if not _signed_in(context):
        return [None] * len(ids)
    async with context.session_factory() as session:
        repo = ContactRepository(session, context.actor.builder_account_id)
        survivors = await repo.resolve_ids(i for i in ids if i is not None)
        resolved = [survivors.get(i) if i is not None else None for i in ids]
        rows = await repo.get_many([i for i in resolved if i is not None])
        found = {c.row.id: c for c in await with_additional_emails(repo, list(rows.values()))}
    readable = {
        key: c for key, c in found.items()
        if can_read_contact(context.actor, PolicyContact(c.row.id, c.row.activation_status)).allowed
    }
    return _in_order(resolved, readable)


async def contacts_as_written(context, ids: Sequence[int]) -> list[ContactRows]:
    """The contacts a mutation just wrote, read after its commit on a fresh session,
    in the order asked (no merge redirects: the ids are the ones it wrote)."""
    if not ids:
        return []
    async with context.session_factory() as session:
        repo = ContactRepository(session, context.actor.builder_account_id)
        rows = await repo.get_many(list(ids))
        return await with_additional_emails(repo, [rows[i] for i in ids if i in rows])


async def never_invited_sharing(context, contact_id: int, primary_email: str | None) -> list[ContactRows]:
    """The INACTIVE contacts that share a contact's primary email (its merge
    candidates), read after the mutation's commit."""
    if not primary_email:
        return []
    async with context.session_factory() as session:
        repo = ContactRepository(session, context.actor.builder_account_id)
        rows = await repo.with_primary_email(primary_email, exclude_id=contact_id, statuses=[ActivationStatus.INACTIVE])
        return await with_additional_emails(repo, rows)


async def jobs(context, ids: Ids) -> list:
    """Job rows; an owner finds only the jobs they are an owner of (SPEC 5)."""
    if not _signed_in(context):
        return [None] * len(ids)
    async with context.session_factory() as session:
        jobs_leads = JobsLeadsRepository(session, context.actor.builder_account_id)
        found = await jobs_leads.jobs([i for i in ids if i])
        if (contact_id := jobs_seen_through(context.actor)) is not None:
            visible = {job.id for job in (await jobs_leads.jobs_by_contact([contact_id])).get(contact_id, [])}
            found = {key: job for key, job in found.items() if key in visible}
    return _in_order(ids, found)


async def leads(context, ids: Ids) -> list:
    """Lead rows; builders only."""
    if not sees_leads(context.actor):
        return [None] * len(ids)
    async with context.session_factory() as session:
        found = await JobsLeadsRepository(session, context.actor.builder_account_id).leads([i for i in ids if i])
    return _in_order(ids, found)


async def custom_fields(context, ids: Ids) -> list:
    """Custom field definitions; an owner finds only those marked visibleToOwner (SPEC 8)."""
    if not _signed_in(context):
        return [None] * len(ids)
    async with context.session_factory() as session:
        found = await CustomFieldRepository(session, context.actor.builder_account_id).definitions_by_id(
            [i for i in ids if i is not None], visible_only=sees_only_owner_visible_fields(context.actor)
        )
    return _in_order(ids, found)


async def account_names(context, ids: Ids) -> list[str | None]:
    """The name of the viewer's own builder account where it is asked for; any other is missing."""
    own = [i is not None and sees_account(context.actor, i) for i in ids]
    if not any(own):
        return [None] * len(ids)
    async with context.session_factory() as session:
        name = (await AccountRepository(session).builder(context.actor.builder_account_id)).name
    return [name if mine else None for mine in own]


@dataclass(frozen=True)
class UserRows:
    """A user the viewer may see, their account's name and, for an owner, their contact."""

    user: User
    builder_name: str
    contact: ContactRows | None


async def users(context, ids: Ids, kind: str) -> list[UserRows | None]:
    """Users of the viewer's account of one kind that the policy lets the viewer see
    (`sees_user`); an owner user whose contact the viewer may not read is missing."""
    actor = context.actor
    if not _signed_in(context):
        return [None] * len(ids)
    async with context.session_factory() as session:
        accounts = AccountRepository(session)
        found = await accounts.users_of_account(actor.builder_account_id, [i for i in ids if i is not None])
        found = {k: u for k, u in found.items() if u.kind == kind and sees_user(actor, u.kind, u.contact_id)}
        name = (await accounts.builder(actor.builder_account_id)).name if found else None
    owned = [u.contact_id for u in found.values() if u.contact_id is not None]
    contacts_by_id = {c.row.id: c for c in await contacts(context, owned) if c is not None} if owned else {}
    result = {}
    for key, user in found.items():
        contact = contacts_by_id.get(user.contact_id)
        if kind == "BUILDER" or contact is not None:
            result[key] = UserRows(user, name, contact)
    return _in_order(ids, result)


async def merges(context, ids: Ids) -> list:
    """Audited merges (repository.merges.AuditedMerge); builders only."""
    if context.actor.kind is not ActorKind.BUILDER:
        return [None] * len(ids)
    async with context.session_factory() as session:
        found = await MergeRepository(session, context.actor.builder_account_id).audited_merges(
            [i for i in ids if i is not None]
        )
    return _in_order(ids, found)


async def signed_in_user(context, user_id: int) -> UserRows | None:
    """The user a sign-in just started a session for, as the new session sees them."""
    async with context.session_factory() as session:
        accounts = AccountRepository(session)
        user = await accounts.user(user_id)
        if user is None:
            return None
        name = (await accounts.builder(user.builder_account_id)).name
        if user.kind == "BUILDER":
            return UserRows(user, name, None)
        repo = ContactRepository(session, user.builder_account_id)
        contact = (await with_additional_emails(repo, [await repo.get(user.contact_id)]))[0]
    return UserRows(user, name, contact)
