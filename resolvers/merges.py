"""Merge resolvers: `mergeContacts`, `mergeContactsPreview` and `undoMerge` (SPEC 4).
They decode ids, run the service (in one unit of work for the mutations), and
answer with the payload. Builder-only, by the permission classes on the fields."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import strawberry
from strawberry.types import Info

import schema.types as types
from domain.errors import Collected, NotFound, RuleError, UserErrorCode
from domain.ids import global_record_id
from permissions.policy import read_scope
from resolvers.runner import refused_with, run
from resolvers.support import INPUT, contacts_for_payload, live_contact_for_payload
from schema import payloads
from schema.merges import (
    ContactMerge,
    MergeContactsInput,
    MergeContactsPayload,
    MergeContactsPreviewPayload,
    UndoMergeInput,
    UndoMergePayload,
)
from services import merges as service


async def _request(info: Info, input: MergeContactsInput) -> service.MergeRequest:
    """Decodes the ids; one that is not a contact id is NOT_FOUND, like a missing contact."""
    errors = Collected()
    survivor_id = global_record_id(input.survivor_id, "Contact")
    if survivor_id is None:
        errors.add(("survivorId",), UserErrorCode.NOT_FOUND, "No contact with this id.")
    merged_ids = []
    for index, value in enumerate(input.merged_ids):
        contact_id = global_record_id(value, "Contact")
        if contact_id is None:
            errors.add(("mergedIds", str(index)), UserErrorCode.NOT_FOUND, "No contact with this id.")
        merged_ids.append(contact_id)
    errors.raise_if_any()
    chosen = tuple(input.additional_emails) if input.additional_emails is not None else None
    context = info.context
    return service.MergeRequest(
        context.actor.builder_account_id, context.user_id, survivor_id, tuple(merged_ids), chosen
    )


async def _merge_for_payload(info: Info, merge_id: int) -> ContactMerge:
    return (await ContactMerge.resolve_nodes(info=info, node_ids=[str(merge_id)], required=True))[0]


async def _merged(info: Info, outcome: service.MergeOutcome) -> MergeContactsPayload:
    return MergeContactsPayload(
        # Read through merge redirects: a concurrent merge may already have merged
        # this survivor into another contact, which its id now stands for (SPEC 4).
        contact=await live_contact_for_payload(info, outcome.survivor_id, "contact"),
        merge=await _merge_for_payload(info, outcome.merge_id),
        candidate_emails=list(outcome.candidate_emails),
    )


async def _merge_refused(error: RuleError) -> MergeContactsPayload:
    candidates = list(error.candidate_emails) if isinstance(error, service.MergeRefused) else []
    return await refused_with(MergeContactsPayload, candidate_emails=candidates)(error)


async def merge_contacts(info: Info, input: Annotated[MergeContactsInput, INPUT]) -> MergeContactsPayload:
    return await run(
        info, service.merge_contacts, None, first=partial(_request, info, input),
        answer=partial(_merged, info), refused=_merge_refused,
    )


async def merge_contacts_preview(
    info: Info,
    input: Annotated[MergeContactsInput, strawberry.argument(description="The input `mergeContacts` would take.")],
) -> MergeContactsPreviewPayload:
    """The same loading and plan as `mergeContacts`, in a read-only session."""
    context = info.context
    try:
        request = await _request(info, input)
        async with context.session_factory() as session:
            planned = await service.plan_request(session, context.actor.builder_account_id, request, lock=False)
    except RuleError as error:  # a query, not a mutation: it reads only, outside the runner
        return await refused_with(MergeContactsPreviewPayload)(error)
    plan = planned.plan
    contact = types.ContactPreview.from_model(
        service.survivor_as_planned(planned), list(plan.additional_emails),
        by_name_only=read_scope(context.actor).by_name_only(plan.survivor_id),
    )
    contact._merging_ids = plan.merged_ids
    return MergeContactsPreviewPayload(
        contact=contact,
        candidate_emails=list(plan.candidate_emails),
        user_errors=payloads.UserError.from_violations(plan.errors),
    )


async def _undo_request(info: Info, input: UndoMergeInput) -> service.UndoRequest:
    context = info.context
    merge_id = global_record_id(input.merge_id, "ContactMerge")
    if merge_id is None:
        raise NotFound(("mergeId",), "merge")
    return service.UndoRequest(context.actor.builder_account_id, context.user_id, merge_id)


async def _undone(info: Info, outcome: service.UndoOutcome) -> UndoMergePayload:
    found = await contacts_for_payload(info, [outcome.survivor_id, *outcome.restored_ids], "contact", "restoredContacts")
    return UndoMergePayload(
        contact=found[0], merge=await _merge_for_payload(info, outcome.merge_id), restored_contacts=found[1:]
    )


async def _undo_refused(info: Info, error: RuleError) -> UndoMergePayload:
    conflicting = None
    if error.conflicting_contact_id is not None:
        conflicting = (await contacts_for_payload(info, [error.conflicting_contact_id], "conflictingContact") or [None])[0]
    return await refused_with(UndoMergePayload, conflicting_contact=conflicting)(error)


async def undo_merge(info: Info, input: Annotated[UndoMergeInput, INPUT]) -> UndoMergePayload:
    return await run(
        info, service.undo_merge, None, first=partial(_undo_request, info, input),
        answer=partial(_undone, info), refused=partial(_undo_refused, info),
    )
