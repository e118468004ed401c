"""`Contact.pendingInvite`: builders see when the invite of a PENDING contact was
sent, to which address, and whether it expired. Batched per request, so a page
of contacts costs one statement."""

from __future__ import annotations

from strawberry.dataloader import DataLoader
from strawberry.types import Info

import schema.types as types
from domain.activation import ActivationStatus
from permissions.policy import ActorKind
from repository.invites import InviteRepository
from request_context import RequestContext

LOADER = "live_invite_by_contact"


def live_invite_by_contact(context: RequestContext) -> DataLoader:
    if LOADER not in context.loaders:
        account_id = context.actor.builder_account_id

        async def load(contact_ids: list[int]):
            async with context.session_factory() as session:
                found = await InviteRepository(session, account_id).live_by_contact(contact_ids)
            return [found.get(contact_id) for contact_id in contact_ids]

        context.loaders[LOADER] = DataLoader(load_fn=load)
    return context.loaders[LOADER]


async def pending_invite(root, info: Info) -> types.PendingInvite | None:
    context = info.context
    if context.actor.kind is not ActorKind.BUILDER or root.activation_status != ActivationStatus.PENDING:
        return None
    invite = await live_invite_by_contact(context).load(root.id)
    if invite is None:
        return None
    return types.PendingInvite(
        sent_at=invite.sent_at,
        expires_at=invite.expires_at,
        expired=invite.expires_at <= context.now(),
        sent_to=invite.sent_to,
    )
