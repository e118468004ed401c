"""Confirming and cancelling an active owner's primary email change (SPEC 12).
Who may call them is decided by the permission classes on the fields."""

from __future__ import annotations

from typing import Annotated

from strawberry.types import Info

from domain.errors import RuleError
from resolvers import throttle
from resolvers.contacts import run_contact_change
from resolvers.support import INPUT, violation_payload
from schema.activation_types import ConfirmEmailChangeInput, ConfirmEmailChangePayload
from schema.payloads import ContactPayload
from services import email_changes


async def confirm_email_change(
    info: Info, input: Annotated[ConfirmEmailChangeInput, INPUT],
) -> ConfirmEmailChangePayload:
    """Anonymous, like `resetPassword`: the token is the credential, and it is
    counted per client address on the reset path."""
    context = info.context
    try:
        await throttle.check_call(info, "confirmEmailChange", None)
        async with context.unit_of_work() as uow:
            primary_email = await email_changes.confirm_email_change(uow, input.token, now=context.now())
            await uow.commit()
    except RuleError as error:
        return violation_payload(ConfirmEmailChangePayload, error)
    return ConfirmEmailChangePayload(ok=True, primary_email=primary_email)


async def cancel_email_change(info: Info) -> ContactPayload:
    # The owner's own contact: the permission class admits only the active owner.
    actor = info.context.actor
    return await run_contact_change(
        info,
        lambda uow: email_changes.cancel_email_change(
            uow, actor.builder_account_id, actor.contact_id, now=info.context.now()
        ),
    )
