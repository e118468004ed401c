"""Merging contacts (SPEC 4): the preview query and the merge and undo mutations,
merged into the root types in resolvers/root/build.py. Builders only."""

from __future__ import annotations

import strawberry

from permissions.classes import IsBuilder
from resolvers import merges
from schema.merges import MergeContactsPayload, MergeContactsPreviewPayload, UndoMergePayload


@strawberry.type
class MergeQuery:
    merge_contacts_preview: MergeContactsPreviewPayload | None = strawberry.field(
        resolver=merges.merge_contacts_preview,
        permission_classes=[IsBuilder],
        description="What `mergeContacts` would produce with this input, and its errors; writes nothing.",
    )


@strawberry.type
class MergeMutation:
    merge_contacts: MergeContactsPayload | None = strawberry.field(
        resolver=merges.merge_contacts,
        permission_classes=[IsBuilder],
        description="Merge 2 to 10 contacts into the survivor, in one transaction. "
        "The merged contacts' ids keep resolving to the survivor.",
    )
    undo_merge: UndoMergePayload | None = strawberry.field(
        resolver=merges.undo_merge,
        permission_classes=[IsBuilder],
        description="Undo the latest merge into a contact, within 30 days, unless something since makes it unsafe.",
    )
