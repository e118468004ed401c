"""Objects by id, for `node(id)`, `contact(id)`, `job(id)`... and the read-back of
mutation payloads. Each answers one entry per id asked, in order: the rows, or
None for an object that is missing, of another builder account, or not for this
viewer (reported alike, so that an id reveals nothing): the statements read with
the viewer's read scope (permissions/policy.read_scope) and answer nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.activation import ActivationStatus
from models import Contact, User
from permissions.policy import (
    ActorKind,
    read_scope,
    sees_account,
    sees_merge_audit,
    sees_only_owner_visible_fields,
    sees_user,
)
from reads.loaders import with_additional_emails
from repository.accounts import AccountRepository
from repository.contacts import ContactRepository, sharing_primary_email
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
    scope = read_scope(context.actor)
    if scope is None:
        return [None] * len(ids)
    async with context.session_factory() as session:
        repo = ContactRepository(session, scope.builder_account_id)
        survivors = await repo.resolve_ids(i for i in ids if i is not None)
        resolved = [survivors.get(i) if i is not None else None for i in ids]
        wanted = [i for i in resolved if i is not None]
        seen = await repo.as_seen(scope, Contact.id.in_(wanted), by_id=True) if wanted else []
        found = {c.row.id: c for c in await with_additional_emails(repo, seen)}
    return _in_order(resolved, found)


async def contacts_as_written(context, ids: Sequence[int]) -> list[ContactRows]:
    """The contacts a mutation just wrote (or names beside the one it changed), read
    after its commit on a fresh session as the viewer sees them, in the order asked
    (no merge redirects: the ids are the ones it wrote)."""
    if not ids:
        return []
    scope = read_scope(context.actor)
    async with context.session_factory() as session:
        repo = ContactRepository(session, scope.builder_account_id)
        seen = {c.row.id: c for c in await with_additional_emails(
            repo, await repo.as_seen(scope, Contact.id.in_(list(ids)), by_id=False)
        )}
    return [seen[i] for i in ids if i in seen]


async def never_invited_sharing(context, contact_id: int, primary_email: str | None) -> list[ContactRows]:
    """The INACTIVE contacts that share a contact's primary email (its merge
    candidates), read after the mutation's commit."""
    if not primary_email:
        return []
    scope = read_scope(context.actor)
    async with context.session_factory() as session:
        repo = ContactRepository(session, scope.builder_account_id)
        sharing = sharing_primary_email(primary_email, exclude_id=contact_id, statuses=[ActivationStatus.INACTIVE])
        return await with_additional_emails(repo, await repo.as_seen(scope, sharing, by_id=False))


async def jobs(context, ids: Ids) -> list:
    """Job rows; an owner finds only the jobs they are an owner of (SPEC 5)."""
    return await _jobs_or_leads(context, ids, JobsLeadsRepository.jobs)


async def leads(context, ids: Ids) -> list:
    """Lead rows; builders only."""
    return await _jobs_or_leads(context, ids, JobsLeadsRepository.leads)


async def _jobs_or_leads(context, ids: Ids, read) -> list:
    scope = read_scope(context.actor)
    if scope is None:
        return [None] * len(ids)
    async with context.session_factory() as session:
        found = await read(JobsLeadsRepository(session, scope.builder_account_id), [i for i in ids if i], scope)
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
    if not sees_merge_audit(context.actor):
        return [None] * len(ids)
    async with context.session_factory() as session:
        found = await MergeRepository(session, context.actor.builder_account_id).audited_merges(
            [i for i in ids if i is not None]
        )
    return _in_order(ids, found)


async def signed_in_user(context, user_id: int) -> UserRows | None:
    """The user a sign-in just started a session for, as the new session (the
    request's viewer by now) sees them."""
    async with context.session_factory() as session:
        accounts = AccountRepository(session)
        user = await accounts.user(user_id)
        if user is None:
            return None
        name = (await accounts.builder(user.builder_account_id)).name
        if user.kind == "BUILDER":
            return UserRows(user, name, None)
        repo = ContactRepository(session, user.builder_account_id)
        seen = await repo.as_seen(read_scope(context.actor), Contact.id == user.contact_id, by_id=True)
        [contact] = await with_additional_emails(repo, seen)
    return UserRows(user, name, contact)
