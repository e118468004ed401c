"""Prefetch plans: a root resolver reads, in a constant number of statements, the
relations its selection asks for, and hands them to the types as plain values.

`Contact.jobs` and `Job.owners` then resolve by returning a list that is already
there, instead of a DataLoader call and an awaited task per item: on a list of
50 contacts that is most of the execution cost (see shared/PERF-NOTES.md,
lesson 2). Relations the plan did not fetch (deeper levels, other entry points)
still resolve through the DataLoaders, so no selection is ever wrong, only
slower. Permissions are unchanged: the same `from_model` builds every contact
for the viewer, and the relation resolvers keep their checks.
"""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types import Info
from strawberry.types.nodes import SelectedField

import schema.types as types
from permissions.policy import ActorKind
from repository.prefetch import ContactRows, JobRows, PrefetchRepository

# Fields of Contact that read its additional emails.
EMAIL_FIELDS = ("emails", "additionalEmails")


# id(field node) -> (the node, its paths). The parser cache hands every request
# of the same document the same nodes, so a document's plan is worked out once.
# Entries keep their node alive, so an id cannot be reused while cached.
_paths_by_node: dict[int, tuple[object, frozenset[str]]] = {}
PATHS_CACHE_SIZE = 512


def selected_paths(info: Info) -> frozenset[str]:
    """Dotted paths of the fields selected under the current field, through
    fragments ("edges.node.jobs.owners"); directives are ignored, so a plan may
    fetch a relation a @skip leaves out, never miss one. They depend on the
    document alone (no variables, no directives), so they are cached per node."""
    node = info._raw_info.field_nodes[0]  # Strawberry's Info shows the AST only here
    cached = _paths_by_node.get(id(node))
    if cached is not None and cached[0] is node:
        return cached[1]
    paths = _walk_selected(info)
    if len(_paths_by_node) >= PATHS_CACHE_SIZE:
        _paths_by_node.clear()
    _paths_by_node[id(node)] = (node, paths)
    return paths


def _walk_selected(info: Info) -> frozenset[str]:
    paths: set[str] = set()

    def walk(selections: Iterable, prefix: str) -> None:
        for selection in selections:
            if isinstance(selection, SelectedField):
                path = prefix + selection.name
                paths.add(path)
                walk(selection.selections, path + ".")
            else:  # inline fragment or fragment spread
                walk(selection.selections, prefix)

    for field in info.selected_fields:
        walk(field.selections, "")
    return frozenset(paths)


def asks_any(paths: frozenset[str], prefix: str, names: Iterable[str]) -> bool:
    return any(prefix + name in paths for name in names)


class ContactPlan:
    """What to fetch along with contacts found at `prefix` of the selection."""

    def __init__(self, paths: frozenset[str], prefix: str):
        self.emails = asks_any(paths, prefix, EMAIL_FIELDS)
        self.jobs = prefix + "jobs" in paths
        self.owners = prefix + "jobs.owners" in paths
        self.owner_emails = asks_any(paths, prefix + "jobs.owners.", EMAIL_FIELDS)

    async def fetch_jobs(self, repo: PrefetchRepository, contacts: list[ContactRows]) -> None:
        if self.jobs:
            await repo.attach_jobs(contacts, with_owners=self.owners, with_owner_emails=self.owner_emails)


def contact_type(rows: ContactRows, info: Info) -> types.Contact:
    contact = types.Contact.from_model(rows.row, rows.additional_emails, info)
    if rows.jobs is not None:
        contact._jobs = [job_type(job, info) for job in rows.jobs]
    return contact


def job_type(rows: JobRows, info: Info) -> types.Job:
    job = types.Job.from_model(rows.row)
    if rows.owners is not None:
        job._owners = [contact_type(owner, info) for owner in rows.owners]
    return job


async def contact_page(info: Info, **page_args) -> tuple[list[tuple[object, types.Contact]], bool]:
    """A page of the `contacts` connection: (row, Contact) pairs and whether a next
    page exists, with the relations `edges.node` asks for."""
    context = info.context
    plan = ContactPlan(selected_paths(info), "edges.node.")
    async with context.read_connection() as connection:
        repo = PrefetchRepository(connection, context.actor.builder_account_id)
        contacts, has_next = await repo.contact_page(with_emails=plan.emails, **page_args)
        await plan.fetch_jobs(repo, contacts)
    return [(rows.row, contact_type(rows, info)) for rows in contacts], has_next


async def viewer(info: Info) -> types.BuilderUser | types.OwnerUser | None:
    """`me`: the viewer (looked up here when the query asks for nothing else), the
    user, their account and, for an owner, their contact with the relations
    `contact` asks for."""
    context = info.context
    plan = ContactPlan(selected_paths(info), "contact.")
    async with context.read_connection() as connection:
        await context.resolve_viewer(connection)  # at once if done before execution
        if context.actor.kind is ActorKind.ANONYMOUS:
            return None
        is_owner = context.actor.kind is ActorKind.OWNER
        repo = PrefetchRepository(connection, context.actor.builder_account_id)
        found = await repo.viewer(context.user_id, with_contact=is_owner)
        if found is None:
            return None
        if found.contact is not None:
            await plan.fetch_jobs(repo, [found.contact])
    account = types.BuilderAccount(id=context.actor.builder_account_id, name=found.builder_name)
    if found.kind == "BUILDER":
        return types.BuilderUser(
            id=context.user_id, username=found.username, role=types.BuilderRole(found.role), builder_account=account
        )
    if found.contact is None:
        return None
    return types.OwnerUser(
        id=context.user_id, username=found.username, builder_account=account, contact=contact_type(found.contact, info)
    )
