"""Confirming and cancelling an active owner's primary email change (SPEC 12).
Who may call them is decided by the permission classes on the fields."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from strawberry.types import Info

from resolvers import ratelimit
from resolvers.contacts import change_contact
from resolvers.runner import refused_with, run
from resolvers.support import INPUT
from schema.contacts import ContactPayload
from schema.email_changes import ConfirmEmailChangeInput, ConfirmEmailChangePayload
from services import email_changes


async def confirm_email_change(
    info: Info, input: Annotated[ConfirmEmailChangeInput, INPUT],
) -> ConfirmEmailChangePayload:
    """Anonymous, like `resetPassword`: the token is the credential, and it is
    counted per client address on the reset path."""
    command = email_changes.Confirmation(input.token, now=info.context.now())

    async def confirmed(primary_email: str) -> ConfirmEmailChangePayload:
        return ConfirmEmailChangePayload(ok=True, primary_email=primary_email)

    return await run(
        info, email_changes.confirm_email_change, command,
        first=partial(ratelimit.check_call, info, "confirmEmailChange", None),
        answer=confirmed, refused=refused_with(ConfirmEmailChangePayload),
    )


async def cancel_email_change(info: Info) -> ContactPayload:
    # The owner's own contact: the permission class admits only the active owner.
    command = email_changes.Withdrawal(info.context.actor.contact_id, now=info.context.now())
    return await change_contact(info, email_changes.cancel_email_change, command)
