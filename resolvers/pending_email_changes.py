"""`Contact.pendingPrimaryEmail`: the active owner's requested new primary email,
until it is confirmed, cancelled or expires (SPEC 12); the owner's alone (policy
`sees_pending_email_change`). Batched per request by a DataLoader."""

from __future__ import annotations

from strawberry.types import Info

import schema.types as types
from domain.activation import ActivationStatus
from permissions.policy import sees_pending_email_change
from resolvers.loaders import open_email_change_by_contact


async def pending_primary_email(root, info: Info) -> types.PendingPrimaryEmail | None:
    context = info.context
    if not sees_pending_email_change(context.actor, root.id) or root.activation_status != ActivationStatus.ACTIVE:
        return None
    change = await open_email_change_by_contact(context).load(root.id)
    if change is None:
        return None
    return types.PendingPrimaryEmail(email=change.new_email, expires_at=change.expires_at)
