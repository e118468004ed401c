"""Password resolvers (SPEC 3): asking for a reset link, resetting with its token, changing one's
own password. The anonymous calls count against the rate limits SPEC 3 asks for; who may change
a password is decided by the permission classes on the fields."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Annotated

from strawberry.types import Info

from domain.errors import RuleError
from request_context import after_response
from resolvers import ratelimit
from resolvers.accounts import session_payload, session_ttl
from resolvers.runner import refused_with, run
from resolvers.support import INPUT
from schema.accounts import SessionPayload
from schema.passwords import ChangePasswordInput, RequestPasswordResetInput, ResetPasswordInput
from schema.payloads import OkPayload
from services import passwords


log = logging.getLogger("ownerhub.passwords")


async def request_password_reset(info: Info, input: Annotated[RequestPasswordResetInput, INPUT]) -> OkPayload:
    """Answers `ok: true` whether or not the login named anybody (SPEC 3), after
    the same work either way: the rate limit counts the call, and the lookup and
    the mail run once the answer is sent, so its timing tells nothing about the
    login (issue 13)."""

    async def queued(login: str) -> OkPayload:
        after_response(info.context, _queue_reset_mail, info.context, login)
        return OkPayload(ok=True)

    return await run(
        info, None, input.login, first=partial(ratelimit.check_call, info, "requestPasswordReset", input.login),
        answer=queued, refused=refused_with(OkPayload),
    )


async def _queue_reset_mail(context, login: str) -> None:
    settings = context.settings
    try:
        async with context.unit_of_work() as uow:
            queued = await passwords.request_password_reset(
                uow, login, now=context.now(),
                ttl=timedelta(minutes=settings.RESET_TTL_MINUTES), app_url=settings.APP_URL,
            )
            await uow.commit()
    except Exception:  # noqa: BLE001 - nobody waits for this answer: the log is where a failure goes
        log.exception("queueing a password reset mail failed")
        return
    if queued:
        context.wake_outbox()


async def reset_password(info: Info, input: Annotated[ResetPasswordInput, INPUT]) -> SessionPayload:
    context = info.context
    command = passwords.Reset(
        input.token, input.new_password, hashing=context.password_hashing, now=context.now(),
        session_ttl=session_ttl(info),
    )

    async def signed_in(issued) -> SessionPayload:
        await ratelimit.clear_failed_logins(info, issued.user.username)
        return await session_payload(info, issued)

    return await run(
        info, passwords.reset_password, command, first=partial(ratelimit.check_call, info, "resetPassword", None),
        answer=signed_in, refused=refused_with(SessionPayload),
    )


async def change_password(info: Info, input: Annotated[ChangePasswordInput, INPUT]) -> OkPayload:
    """Wrong current passwords count as failed logins of the account, so a stolen
    session cannot be used to guess the password at leisure."""
    context = info.context
    username = context.username
    command = passwords.PasswordChange(
        context.user_id, context.session_id, input.current_password, input.new_password,
        hashing=context.password_hashing, now=context.now(),
    )

    async def refused(error: RuleError) -> OkPayload:
        if error.violations[0].field == ("current_password",):
            await ratelimit.record_failed_login(info, username)
        return await refused_with(OkPayload)(error)

    async def changed(_result: None) -> OkPayload:
        return OkPayload(ok=True)

    return await run(
        info, passwords.change_password, command, first=partial(ratelimit.check_login_unlocked, info, username),
        answer=changed, refused=refused,
    )
