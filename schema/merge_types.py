"""Inputs, payloads and the audit type of merging contacts (SPEC 4, 11)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from resolvers import merge_audit
from schema.types import Contact, UserError


@strawberry.input
class MergeContactsInput:
    survivor_id: relay.GlobalID = strawberry.field(description="The contact that stays.")
    merged_ids: list[relay.GlobalID] = strawberry.field(
        description="The contacts merged into the survivor (1 to 9; 2 to 10 contacts in all)."
    )
    additional_emails: list[str] | None = strawberry.field(
        default=None,
        description="The survivor's additional emails, chosen among `candidateEmails` (at most 5). "
        "Leave it out to keep every candidate, which works when there are at most 5.",
    )


@strawberry.input
class UndoMergeInput:
    merge_id: relay.GlobalID


@strawberry.type(description="What a merge kept on the surviving contact.")
class MergeKept:
    primary_email: str | None
    additional_emails: list[str]
    dropped_emails: list[str] = strawberry.field(description="Candidate emails left out by the builder's choice.")
    filled_fields: list[str] = strawberry.field(
        description="The survivor's blank fields that were filled from the merged contacts."
    )


@strawberry.type(description="The audit entry of a merge: who, when, which contacts, what was kept.")
class ContactMerge(relay.Node):
    id: relay.NodeID[int]
    merged_at: datetime
    merged_by: str | None = strawberry.field(description="Username of the builder user who merged.")
    merged_contact_ids: list[relay.GlobalID] = strawberry.field(
        description="The merged contacts' ids; they now resolve to the survivor."
    )
    kept: MergeKept
    undone_at: datetime | None
    undone_by: str | None = strawberry.field(description="Username of the builder user who undid the merge.")
    _survivor_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, entry) -> ContactMerge:
        """From an audited merge (repository.merges.AuditedMerge)."""
        row, kept = entry.merge, entry.merge.kept
        return cls(
            id=row.id,
            merged_at=row.merged_at,
            merged_by=entry.merged_by,
            merged_contact_ids=[relay.GlobalID("Contact", str(i)) for i in row.merged_ids],
            kept=MergeKept(
                primary_email=kept["primary_email"],
                additional_emails=kept["additional_emails"],
                dropped_emails=kept["dropped_emails"],
                filled_fields=[_camel(name) for name in kept["filled_fields"]],
            ),
            undone_at=row.undone_at,
            undone_by=entry.undone_by,
            _survivor_id=row.survivor_id,
        )

    @strawberry.field(description="The surviving contact.")
    async def survivor(self, info: Info) -> Contact | None:
        return await merge_audit.survivor(info, self._survivor_id)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await merge_audit.merges_by_ids(info, list(node_ids), required)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type
class MergeContactsPayload:
    contact: Contact | None = strawberry.field(default=None, description="The survivor.")
    merge: ContactMerge | None = None
    candidate_emails: list[str] = strawberry.field(
        default_factory=list,
        description="Every email that would become additional, before any choice: pick at most 5 "
        "in `additionalEmails` when there are more.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MergeContactsPreviewPayload:
    contact: Contact | None = strawberry.field(
        default=None, description="The survivor as the merge would leave it (nothing is written)."
    )
    candidate_emails: list[str] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UndoMergePayload:
    contact: Contact | None = strawberry.field(default=None, description="The survivor, as it was before the merge.")
    merge: ContactMerge | None = None
    candidate_emails: list[str] = strawberry.field(
        default_factory=list, description="Always empty: the shape is shared with `mergeContacts` (SPEC 11)."
    )
    restored_contacts: list[Contact] = strawberry.field(default_factory=list)
    conflicting_contact: Contact | None = strawberry.field(
        default=None, description="The contact whose change since the merge makes the undo unsafe."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)
