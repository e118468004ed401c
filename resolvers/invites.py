"""Invite resolvers (SPEC 3): send, cancel and accept an invite, deactivate an owner, and what an
invite token is for the accept page. Accepting counts against the rate limits SPEC 3 asks for.
Who may call them is decided by the permission classes on the fields."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import ratelimit
from resolvers.accounts import session_payload, session_ttl
from resolvers.contacts import change_contact, contact_id
from resolvers.runner import refused_with, run
from resolvers.support import INPUT
from schema import contacts
from schema.accounts import SessionPayload
from schema.contacts import ContactPayload
from schema.invites import AcceptInviteInput, InviteDetails
from services import invites


def _step(info: Info, input: contacts.ContactIdInput, **options) -> invites.InviteStep:
    return invites.InviteStep(contact_id(input.contact_id), now=info.context.now(), **options)


async def send_invite(info: Info, input: Annotated[contacts.ContactIdInput, INPUT]) -> ContactPayload:
    settings = info.context.settings
    command = _step(info, input, ttl=timedelta(hours=settings.INVITE_TTL_HOURS), app_url=settings.APP_URL)
    payload = await change_contact(info, invites.send_invite, command)
    if not payload.user_errors:
        info.context.wake_outbox()
    return payload


async def cancel_invite(info: Info, input: Annotated[contacts.ContactIdInput, INPUT]) -> ContactPayload:
    return await change_contact(info, invites.cancel_invite, _step(info, input))


async def deactivate_owner(info: Info, input: Annotated[contacts.ContactIdInput, INPUT]) -> ContactPayload:
    return await change_contact(info, invites.deactivate_owner, _step(info, input))


async def invite_details(
    info: Info, token: Annotated[str, strawberry.argument(description="The token from the invite link.")]
) -> InviteDetails:
    context = info.context
    async with context.session_factory() as session:
        view = await invites.invite_details(session, token, context.now())
    if view is None:
        return InviteDetails(valid=False)
    return InviteDetails(valid=True, builder_name=view.builder_name, first_name=view.first_name, expires_at=view.expires_at)


async def accept_invite(info: Info, input: Annotated[AcceptInviteInput, INPUT]) -> SessionPayload:
    context = info.context
    command = invites.Acceptance(
        input.token, input.username, input.password,
        hashing=context.password_hashing, now=context.now(), session_ttl=session_ttl(info),
    )
    return await run(
        info, invites.accept_invite, command, first=partial(ratelimit.check_call, info, "acceptInvite", input.username),
        answer=partial(session_payload, info), refused=refused_with(SessionPayload),
    )
