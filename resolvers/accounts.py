"""Sign-in resolvers: login, logout, me."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Annotated

from strawberry.types import Info

import schema.types as types
from domain.errors import RuleError
from permissions.policy import ActorKind
from reads import nodes, prefetch
from resolvers import ratelimit
from resolvers.runner import refused_with, run
from resolvers.selection import selected_paths
from resolvers.support import INPUT
from schema.accounts import LoginInput, SessionPayload
from schema.payloads import OkPayload
from services import accounts as service


def session_ttl(info: Info) -> timedelta:
    """How long a new session lasts: login, an accepted invite and a password reset all start one."""
    return timedelta(hours=info.context.settings.SESSION_TTL_HOURS)


async def viewer_for_user(info: Info, user_id: int) -> types.BuilderUser | types.OwnerUser | None:
    found = await nodes.signed_in_user(info.context, user_id)
    return None if found is None else types.user_from_rows(found)


async def me(info: Info) -> types.BuilderUser | types.OwnerUser | None:
    if info.context.actor.kind is ActorKind.ANONYMOUS and not info.context.viewer_pending:
        return None
    # Looks the viewer up (unless that was done before execution) and fetches what
    # the selection asks of their contact, on one connection.
    context = info.context
    found = await prefetch.viewer(context, selected_paths(info))
    if found is None:
        return None
    account = types.BuilderAccount(id=context.actor.builder_account_id, name=found.builder_name)
    if found.kind == "BUILDER":
        return types.BuilderUser(
            id=context.user_id, username=found.username, role=types.BuilderRole(found.role), builder_account=account
        )
    if found.contact is None:
        return None
    return types.OwnerUser(
        id=context.user_id, username=found.username, builder_account=account,
        contact=types.Contact.from_rows(found.contact),
    )


async def session_payload(info: Info, issued: service.IssuedSession) -> SessionPayload:
    # The new session's viewer, not the (anonymous) caller's.
    actor_before = info.context.actor
    info.context.actor = service.actor_for_user_row(issued.user)
    try:
        viewer = await viewer_for_user(info, issued.user.id)
    finally:
        info.context.actor = actor_before
    return SessionPayload(token=issued.token, expires_at=issued.expires_at, viewer=viewer)


async def login(info: Info, input: Annotated[LoginInput, INPUT]) -> SessionPayload:
    context = info.context

    async def authenticated() -> service.Authenticated:
        """The limits count the call first; the password is checked outside the write
        transaction (hashing takes time)."""
        await ratelimit.check_call(info, "login", input.username)
        await ratelimit.check_login_unlocked(info, input.username)
        async with context.session_factory() as session:
            return await service.authenticate(session, input.username, input.password, context.password_hashing)

    async def refused(error: RuleError) -> SessionPayload:
        if not isinstance(error, ratelimit.RateLimited):
            await ratelimit.record_failed_login(info, input.username)
        return await refused_with(SessionPayload)(error)

    return await run(
        info, partial(service.start_session, ttl=session_ttl(info)), None, first=authenticated,
        answer=partial(session_payload, info), refused=refused,
    )


async def logout(info: Info) -> OkPayload:
    return await run(info, service.logout, info.context.session_id, answer=_ok, refused=refused_with(OkPayload))


async def _ok(_result: None) -> OkPayload:
    return OkPayload(ok=True)
