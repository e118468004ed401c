"""Invite, activation and password resolvers (SPEC 3): decode the input, count
the call against the rate limits where SPEC 3 asks, run the use case in one unit
of work, commit once, wake the outbox sender when mail was queued, answer.
Who may call them is decided by the permission classes on the fields."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.errors import RuleError
from request_context import after_response
from resolvers import throttle
from resolvers.auth import session_payload
from resolvers.contacts import run_contact_change
from resolvers.support import INPUT, contact_id_or_error, violation_payload
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


async def _contact_step(info: Info, input: inputs.ContactIdInput, step, **options) -> ContactPayload:
    """One builder step on a contact (send, cancel, deactivate) in one unit of work."""
    context = info.context
    account_id = context.actor.builder_account_id
    return await run_contact_change(
        info,
        lambda uow: step(uow, account_id, contact_id_or_error(input.contact_id), now=context.now(), **options),
    )


async def send_invite(info: Info, input: Annotated[inputs.ContactIdInput, INPUT]) -> ContactPayload:
    settings = info.context.settings
    payload = await _contact_step(
        info, input, invites.send_invite,
        ttl=timedelta(hours=settings.INVITE_TTL_HOURS), app_url=settings.APP_URL,
    )
    if not payload.user_errors:
        info.context.wake_outbox()
    return payload


async def cancel_invite(info: Info, input: Annotated[inputs.ContactIdInput, INPUT]) -> ContactPayload:
    return await _contact_step(info, input, invites.cancel_invite)


async def deactivate_owner(info: Info, input: Annotated[inputs.ContactIdInput, INPUT]) -> ContactPayload:
    return await _contact_step(info, input, invites.deactivate_owner)


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
    try:
        await throttle.check_call(info, "acceptInvite", input.username)
        async with context.unit_of_work() as uow:
            issued = await invites.accept_invite(
                uow, input.token, input.username, input.password,
                hashing=context.password_hashing, now=context.now(), session_ttl=_session_ttl(info),
            )
            await uow.commit()
    except RuleError as error:
        return violation_payload(SessionPayload, error)
    return await session_payload(info, issued)


async def request_password_reset(info: Info, input: Annotated[RequestPasswordResetInput, INPUT]) -> OkPayload:
    """Answers `ok: true` whether or not the login named anybody (SPEC 3), after
    the same work either way: the rate limit counts the call, and the lookup and
    the mail run once the answer is sent, so its timing tells nothing about the
    login (issue 13)."""
    context = info.context
    try:
        await throttle.check_call(info, "requestPasswordReset", input.login)
    except RuleError as error:
        return violation_payload(OkPayload, error)
    after_response(context, _queue_reset_mail, context, input.login)
    return OkPayload(ok=True)


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
    try:
        await throttle.check_call(info, "resetPassword", None)
        async with context.unit_of_work() as uow:
            issued = await passwords.reset_password(
                uow, input.token, input.new_password,
                hashing=context.password_hashing, now=context.now(), session_ttl=_session_ttl(info),
            )
            await uow.commit()
        await throttle.clear_failed_logins(info, issued.user.username)
    except RuleError as error:
        return violation_payload(SessionPayload, error)
    return await session_payload(info, issued)


async def change_password(info: Info, input: Annotated[ChangePasswordInput, INPUT]) -> OkPayload:
    """Wrong current passwords count as failed logins of the account, so a stolen
    session cannot be used to guess the password at leisure."""
    context = info.context
    username = context.username
    try:
        await throttle.check_login_unlocked(info, username)
        try:
            async with context.unit_of_work() as uow:
                await passwords.change_password(
                    uow, context.user_id, context.session_id, input.current_password, input.new_password,
                    hashing=context.password_hashing, now=context.now(),
                )
                await uow.commit()
        except RuleError as error:
            if error.violations[0].field == ("currentPassword",):
                await throttle.record_failed_login(info, username)
            raise
    except RuleError as error:
        return violation_payload(OkPayload, error)
    return OkPayload(ok=True)
