"""Mutations of an active owner's primary email change (SPEC 12), merged into
`Mutation` in resolvers/root/build.py. The change itself is asked for through
`updateContactInfo(primaryEmail:)` or `promoteAdditionalEmail`."""

from __future__ import annotations

import strawberry

from permissions.classes import CanManageOwnProfile
from resolvers import email_changes
from schema.contacts import ContactPayload
from schema.email_changes import ConfirmEmailChangePayload


@strawberry.type
class EmailChangeMutation:
    confirm_email_change: ConfirmEmailChangePayload | None = strawberry.field(
        resolver=email_changes.confirm_email_change,
        description="Make the requested address the primary email, with the token mailed to it (anyone holding "
        "the token may call it). Ends every session of the owner and every outstanding password reset link.",
    )
    cancel_email_change: ContactPayload | None = strawberry.field(
        resolver=email_changes.cancel_email_change,
        permission_classes=[CanManageOwnProfile],
        description="Withdraw your pending primary email change (active owners, for themselves); its link stops "
        "working. Answers the contact, also when nothing was pending.",
    )
