"""The root lists (`contacts`, `jobs`, `leads`, `customFieldDefinitions`), their
counts, and a contact's timeline, scoped to the viewer: an owner's jobs are their
own (SPEC 5), an owner's custom fields those marked visibleToOwner (SPEC 8), an
owner's timeline their own contact's without the builder's internal entries."""

from __future__ import annotations

from collections.abc import Sequence

from domain.activation import ActivationStatus
from permissions.policy import (
    TimelineView,
    read_scope,
    sees_only_owner_visible_fields,
    timeline_view,
)
from repository import timeline
from repository.contacts import ContactRepository
from repository.custom_fields import CustomFieldRepository
from repository.jobs_leads import Page, JobsLeadsRepository
from repository.keyset import PageRequest


async def contact_count(context, *, search: str | None, statuses: Sequence[ActivationStatus] | None) -> int:
    async with context.session_factory() as session:
        return await ContactRepository(session, context.actor.builder_account_id).count(
            search=search, statuses=statuses
        )


async def jobs_leads_page(context, model, *, page: PageRequest, order: str, search: str | None) -> Page:
    """A page of jobs or leads, by label (or creation) then id."""
    actor = context.actor
    async with context.session_factory() as session:
        return await JobsLeadsRepository(session, actor.builder_account_id).page(
            model, page=page, order=order, search=search, owner_contact_id=read_scope(actor).jobs_of
        )


async def jobs_leads_count(context, model, *, search: str | None) -> int:
    actor = context.actor
    async with context.session_factory() as session:
        return await JobsLeadsRepository(session, actor.builder_account_id).count(
            model, search=search, owner_contact_id=read_scope(actor).jobs_of
        )


async def custom_field_definitions(context) -> list:
    """Every custom field of the account the viewer may see, in order."""
    async with context.session_factory() as session:
        return await CustomFieldRepository(session, context.actor.builder_account_id).definitions(
            visible_only=sees_only_owner_visible_fields(context.actor)
        )


def timeline_query(context, contact_id: int, kinds: tuple[str, ...] | None) -> timeline.TimelineQuery | None:
    """What of the contact's timeline the viewer reads (policy `timeline_view`);
    None: nothing at all."""
    view = timeline_view(context.actor, contact_id)
    if view is TimelineView.NONE:
        return None
    return timeline.TimelineQuery(
        builder_account_id=context.actor.builder_account_id,
        contact_id=contact_id,
        owner_view=view is TimelineView.OWNER,
        kinds=kinds,
    )


async def timeline_page(context, query: timeline.TimelineQuery | None, page: PageRequest) -> list:
    """One page of events, newest first: `after` bounds it to older events, `before`
    to newer ones (their keys are (prefix, event id)). One more row than the page
    when more lie beyond it."""
    if query is None:
        return []
    async with context.read_connection() as connection:
        return await timeline.page(
            connection, query, size=page.size,
            older_than=page.after[1] if page.after else None,
            newer_than=page.before[1] if page.before else None,
            oldest_first=page.backward,
        )


async def timeline_count(context, query: timeline.TimelineQuery | None) -> int:
    if query is None:
        return 0
    async with context.read_connection() as connection:
        return await timeline.count(connection, query)
