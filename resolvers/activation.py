"""Invite, activation and password resolvers (SPEC 3): decode the input, count
the call against the rate limits where SPEC 3 asks, run the use case in one unit
of work, commit once, wake the outbox sender when mail was queued, answer.
Who may call them is decided by the permission classes on the fields."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.errors import RuleError
from request_context import after_response
from resolvers import throttle
from resolvers.auth import session_payload
from resolvers.contacts import change_contact, contact_id
from resolvers.runner import refused_with, run
from resolvers.support import INPUT
from schema import inputs
from schema.activation_types import (
    AcceptInviteInput,
    ChangePasswordInput,
    InviteDetails,
    RequestPasswordResetInput,
    ResetPasswordInput,
)
from schema.payloads import ContactPayload, OkPayload, SessionPayload
from services import invites, passwords

log = logging.getLogger("ownerhub.activation")


def _session_ttl(info: Info) -> timedelta:
    return timedelta(hours=info.context.settings.SESSION_TTL_HOURS)


def _step(info: Info, input: inputs.ContactIdInput, **options) -> invites.InviteStep:
    return invites.InviteStep(contact_id(input.contact_id), now=info.context.now(), **options)


async def send_invite(info: Info, input: Annotated[inputs.ContactIdInput, INPUT]) -> ContactPayload:
    settings = info.context.settings
    command = _step(info, input, ttl=timedelta(hours=settings.INVITE_TTL_HOURS), app_url=settings.APP_URL)
    payload = await change_contact(info, invites.send_invite, command)
    if not payload.user_errors:
        info.context.wake_outbox()
    return payload


async def cancel_invite(info: Info, input: Annotated[inputs.ContactIdInput, INPUT]) -> ContactPayload:
    return await change_contact(info, invites.cancel_invite, _step(info, input))


async def deactivate_owner(info: Info, input: Annotated[inputs.ContactIdInput, INPUT]) -> ContactPayload:
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
        hashing=context.password_hashing, now=context.now(), session_ttl=_session_ttl(info),
    )
    return await run(
        info, invites.accept_invite, command, first=partial(throttle.check_call, info, "acceptInvite", input.username),
        answer=partial(session_payload, info), refused=refused_with(SessionPayload),
    )


async def request_password_reset(info: Info, input: Annotated[RequestPasswordResetInput, INPUT]) -> OkPayload:
    """Answers `ok: true` whether or not the login named anybody (SPEC 3), after
    the same work either way: the rate limit counts the call, and the lookup and
    the mail run once the answer is sent, so its timing tells nothing about the
    login (issue 13)."""

    async def queued(login: str) -> OkPayload:
        after_response(info.context, _queue_reset_mail, info.context, login)
        return OkPayload(ok=True)

    return await run(
        info, None, input.login, first=partial(throttle.check_call, info, "requestPasswordReset", input.login),
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
        session_ttl=_session_ttl(info),
    )

    async def signed_in(issued) -> SessionPayload:
        await throttle.clear_failed_logins(info, issued.user.username)
        return await session_payload(info, issued)

    return await run(
        info, passwords.reset_password, command, first=partial(throttle.check_call, info, "resetPassword", None),
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
            await throttle.record_failed_login(info, username)
        return await refused_with(OkPayload)(error)

    async def changed(_result: None) -> OkPayload:
        return OkPayload(ok=True)

    return await run(
        info, passwords.change_password, command, first=partial(throttle.check_login_unlocked, info, username),
        answer=changed, refused=refused,
    )
