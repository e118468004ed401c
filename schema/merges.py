"""Inputs, payloads and the audit type of merging contacts (SPEC 4, 11)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from reads import nodes
from schema.nodes import answer_nodes, record_ids
from schema.payloads import USER_ERRORS, UserError
from schema.types import Contact, ContactPreview, contacts_by_ids


@strawberry.input(description="Which contacts to merge into which, and the survivor's additional emails.")
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


@strawberry.input(description="The merge to undo.")
class UndoMergeInput:
    merge_id: relay.GlobalID = strawberry.field(description="The merge's id (`ContactMerge.id`).")


@strawberry.type(description="What a merge kept on the surviving contact.")
class MergeKept:
    primary_email: str | None = strawberry.field(description="The survivor's primary email after the merge.")
    additional_emails: list[str] = strawberry.field(description="The survivor's additional emails after the merge.")
    dropped_emails: list[str] = strawberry.field(description="Candidate emails left out by the builder's choice.")
    filled_fields: list[str] = strawberry.field(
        description="The survivor's blank fields that were filled from the merged contacts."
    )


@strawberry.type(description="The audit entry of a merge: who, when, which contacts, what was kept.")
class ContactMerge(relay.Node):
    id: relay.NodeID[int]
    merged_at: datetime = strawberry.field(description="When the merge happened.")
    merged_by: str | None = strawberry.field(description="Username of the builder user who merged.")
    merged_contact_ids: list[relay.GlobalID] = strawberry.field(
        description="The merged contacts' ids; they now resolve to the survivor."
    )
    kept: MergeKept = strawberry.field(description="What the survivor kept.")
    undone_at: datetime | None = strawberry.field(description="When the merge was undone; null while it stands.")
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
        return (await contacts_by_ids(info, [str(self._survivor_id)]))[0]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        """Builders only: owners never see merges (they are reported like missing objects)."""
        node_ids = list(node_ids)
        found = await nodes.merges(info.context, record_ids(node_ids))
        return answer_nodes(node_ids, found, required, cls.from_model)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type(description="The answer of `mergeContacts`.")
class MergeContactsPayload:
    contact: Contact | None = strawberry.field(default=None, description="The survivor; null when refused.")
    merge: ContactMerge | None = strawberry.field(
        default=None, description="The merge's audit entry (its id undoes it); null when refused."
    )
    candidate_emails: list[str] = strawberry.field(
        default_factory=list,
        description="Every email that would become additional, before any choice: pick at most 5 "
        "in `additionalEmails` when there are more.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(description="What `mergeContacts` would answer with the same input; nothing is written.")
class MergeContactsPreviewPayload:
    contact: ContactPreview | None = strawberry.field(
        default=None,
        description="The survivor as the merge would leave it (nothing is written). A `ContactPreview`, "
        "not a `Contact`: it has no `id`, so a client cache never mixes it with the real survivor.",
    )
    candidate_emails: list[str] = strawberry.field(
        default_factory=list,
        description="Every email that would become additional, before any choice (as in `mergeContacts`).",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="What `mergeContacts` would refuse, with the same codes."
    )


@strawberry.type(description="The answer of `undoMerge`.")
class UndoMergePayload:
    contact: Contact | None = strawberry.field(default=None, description="The survivor, as it was before the merge.")
    merge: ContactMerge | None = strawberry.field(
        default=None, description="The merge's audit entry, now with `undoneAt`; null when refused."
    )
    candidate_emails: list[str] = strawberry.field(
        default_factory=list, description="Always empty: the shape is shared with `mergeContacts` (SPEC 11)."
    )
    restored_contacts: list[Contact] = strawberry.field(
        default_factory=list, description="The merged contacts, back as they were."
    )
    conflicting_contact: Contact | None = strawberry.field(
        default=None, description="The contact whose change since the merge makes the undo unsafe."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)
