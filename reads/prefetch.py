"""Prefetch plans: a root field (a query's, or a mutation's payload) reads, in a
constant number of statements, the relations its selection asks for, and primes the request's batches
(reads/loaders.py) with them. `Contact.jobs` and `Job.owners` then read those
batches like any other relation, and find their rows already there.

A plan is worked out from the dotted paths of the fields selected under the
root field (the schema gives them, from Strawberry's public `selected_fields`).
Relations the plan did not fetch (deeper levels, other entry points) are read by
the batches' DataLoaders, so no selection is ever wrong, only slower."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from permissions.policy import ActorKind, read_scope
from reads import loaders
from repository.prefetch import ContactRows, PrefetchRepository, ViewerRows

# Fields of Contact that read its additional emails.
EMAIL_FIELDS = ("emails", "additionalEmails")


def _asks_any(paths: frozenset[str], prefix: str, names: Iterable[str]) -> bool:
    return any(prefix + name in paths for name in names)


class ContactPlan:
    """What to fetch along with contacts found at `prefixes` of the selection (what
    any of them asks)."""

    def __init__(self, paths: frozenset[str], *prefixes: str):
        self.emails = any(_asks_any(paths, prefix, EMAIL_FIELDS) for prefix in prefixes)
        self.jobs = any(prefix + "jobs" in paths for prefix in prefixes)
        self.owners = any(prefix + "jobs.owners" in paths for prefix in prefixes)

    async def fetch_jobs(self, context, repo: PrefetchRepository, contacts: list[ContactRows]) -> None:
        """Reads the contacts' jobs (and their owners) and primes the batches with them.
        Owners come with their emails whenever they come: the batch of a job's owners
        serves every path of the document that reaches that job."""
        if not self.jobs or not contacts:
            return
        jobs = await repo.jobs_of_contacts(
            [c.row.id for c in contacts], with_owners=self.owners, with_owner_emails=self.owners
        )
        jobs_by_contact, owners_by_job = loaders.jobs_by_contact(context), loaders.owners_by_job(context)
        for contact in contacts:
            found = jobs[contact.row.id]
            jobs_by_contact.prime(contact.row.id, [job.row for job in found])
            for job in found:
                if job.owners is not None:
                    owners_by_job.prime(job.row.id, job.owners)


async def contact_page(context, paths: frozenset[str], **page_args) -> tuple[list[ContactRows], bool]:
    """A page of the `contacts` connection (ContactRows) and whether a next page
    exists, with the relations `edges.node` asks for primed."""
    plan = ContactPlan(paths, "edges.node.")
    async with context.read_connection() as connection:
        repo = PrefetchRepository(connection, read_scope(context.actor))
        contacts, has_next = await repo.contact_page(with_emails=plan.emails, **page_args)
        await plan.fetch_jobs(context, repo, contacts)
    return contacts, has_next


async def written(context, paths: frozenset[str], prefixes: Sequence[str], contacts: list[ContactRows]) -> None:
    """The read-back of a mutation's payload: the contacts it answers (those it wrote
    come from its unit of work, not read again); the relations the payload's
    selection asks of them at `prefixes` (the payload fields they answer) are read
    after the commit with the same statement as for any other root field (the jobs
    with their owners and the owners' emails, one statement) and prime the
    batches. Nothing is read when none is asked."""
    plan = ContactPlan(paths, *prefixes)
    if not plan.jobs or not contacts:
        return
    async with context.read_connection() as connection:
        await plan.fetch_jobs(context, PrefetchRepository(connection, read_scope(context.actor)), contacts)


async def viewer(context, paths: frozenset[str]) -> ViewerRows | None:
    """`me`: the viewer (looked up here when the request did not before), their
    account and, for an owner, their contact with the relations `contact` asks
    for primed; one connection."""
    plan = ContactPlan(paths, "contact.")
    async with context.read_connection() as connection:
        await context.resolve_viewer(connection)  # at once if done before execution
        if context.actor.kind is ActorKind.ANONYMOUS:
            return None
        repo = PrefetchRepository(connection, read_scope(context.actor))
        found = await repo.viewer(context.user_id, with_contact=context.actor.kind is ActorKind.OWNER)
        if found is not None and found.contact is not None:
            await plan.fetch_jobs(context, repo, [found.contact])
    return found
