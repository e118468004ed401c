"""Merge resolvers: `mergeContacts`, `mergeContactsPreview` and `undoMerge` (SPEC 4).
They decode ids, run the service (in one unit of work for the mutations), and
answer with the payload. Builder-only, by the permission classes on the fields."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

import schema.types as types
from domain.errors import Collected, NotFound, RuleError
from domain.ids import record_id
from permissions.classes import decode_contact_id
from resolvers.support import INPUT, contacts_for_payload, violation_payload
from schema.merge_types import (
    ContactMerge,
    MergeContactsInput,
    MergeContactsPayload,
    MergeContactsPreviewPayload,
    UndoMergeInput,
    UndoMergePayload,
)
from services import merge as service


def _request(input: MergeContactsInput) -> service.MergeRequest:
    """Decodes the ids; one that is not a contact id is NOT_FOUND, like a missing contact."""
    errors = Collected()
    survivor_id = decode_contact_id(input.survivor_id)
    if survivor_id is None:
        errors.add(("survivorId",), "NOT_FOUND", "No contact with this id.")
    merged_ids = []
    for index, value in enumerate(input.merged_ids):
        contact_id = decode_contact_id(value)
        if contact_id is None:
            errors.add(("mergedIds", str(index)), "NOT_FOUND", "No contact with this id.")
        merged_ids.append(contact_id)
    errors.raise_if_any()
    chosen = tuple(input.additional_emails) if input.additional_emails is not None else None
    return service.MergeRequest(survivor_id, tuple(merged_ids), chosen)


async def _merge_for_payload(info: Info, merge_id: int) -> ContactMerge:
    return (await ContactMerge.resolve_nodes(info=info, node_ids=[str(merge_id)], required=True))[0]


async def merge_contacts(info: Info, input: Annotated[MergeContactsInput, INPUT]) -> MergeContactsPayload:
    context = info.context
    try:
        request = _request(input)
        async with context.unit_of_work() as uow:
            outcome = await service.merge_contacts(uow, context.actor.builder_account_id, context.user_id, request)
            await uow.commit()
    except service.MergeRefused as error:
        return violation_payload(MergeContactsPayload, error, candidate_emails=list(error.candidate_emails))
    except RuleError as error:
        return violation_payload(MergeContactsPayload, error)
    return MergeContactsPayload(
        # Read through merge redirects: a concurrent merge may already have merged
        # this survivor into another contact, which its id now stands for (SPEC 4).
        contact=(await types.contacts_by_ids(info, [str(outcome.survivor_id)]))[0],
        merge=await _merge_for_payload(info, outcome.merge_id),
        candidate_emails=list(outcome.candidate_emails),
    )


async def merge_contacts_preview(
    info: Info,
    input: Annotated[MergeContactsInput, strawberry.argument(description="The input `mergeContacts` would take.")],
) -> MergeContactsPreviewPayload:
    """The same loading and plan as `mergeContacts`, in a read-only session."""
    context = info.context
    try:
        request = _request(input)
        async with context.session_factory() as session:
            planned = await service.plan_request(session, context.actor.builder_account_id, request, lock=False)
    except RuleError as error:
        return violation_payload(MergeContactsPreviewPayload, error)
    plan = planned.plan
    contact = types.ContactPreview.from_model(service.survivor_as_planned(planned), list(plan.additional_emails), info)
    contact._merging_ids = plan.merged_ids
    return MergeContactsPreviewPayload(
        contact=contact,
        candidate_emails=list(plan.candidate_emails),
        user_errors=types.UserError.from_violations(plan.errors),
    )


def _merge_id(value: relay.GlobalID) -> int:
    merge_id = record_id(value.node_id) if value.type_name == "ContactMerge" else None
    if merge_id is None:
        raise NotFound(("mergeId",), "merge")
    return merge_id


async def undo_merge(info: Info, input: Annotated[UndoMergeInput, INPUT]) -> UndoMergePayload:
    context = info.context
    try:
        merge_id = _merge_id(input.merge_id)
        async with context.unit_of_work() as uow:
            outcome = await service.undo_merge(uow, context.actor.builder_account_id, context.user_id, merge_id)
            await uow.commit()
    except RuleError as error:
        conflicting = None
        if error.conflicting_contact_id is not None:
            conflicting = (await contacts_for_payload(info, [error.conflicting_contact_id]) or [None])[0]
        return violation_payload(UndoMergePayload, error, conflicting_contact=conflicting)
    found = await contacts_for_payload(info, [outcome.survivor_id, *outcome.restored_ids])
    return UndoMergePayload(
        contact=found[0], merge=await _merge_for_payload(info, outcome.merge_id), restored_contacts=found[1:]
    )
