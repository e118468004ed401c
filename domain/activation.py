"""The owner-activation state machine (SPEC 2.1), as pure functions.

    INACTIVE --sendInvite--> PENDING --acceptInvite--> ACTIVE
    PENDING  --cancelInvite--> INACTIVE
    PENDING  --sendInvite (resend)--> PENDING
    ACTIVE   --deactivateOwner--> INACTIVE

Each function answers the status after the step, or raises `RuleError` with
`INVALID_STATUS` (reported as a userError): whether the status allows a step is
a business rule, not a permission (permissions/policy.py `can_manage_invites`).
"""

from __future__ import annotations

from domain.errors import RuleError, Violation

INVITE_ACTIVE_OWNER = "This owner is already active. Deactivate the owner first to send a new invite."
CANCEL_WITHOUT_INVITE = "This contact has no pending invite to cancel."
DEACTIVATE_INACTIVE = "Only an active owner can be deactivated."
PRIMARY_EMAIL_FOR_INVITE = "Add a primary email first: the invite is sent to it."


def _refuse(message: str) -> RuleError:
    return RuleError(Violation(("contact_id",), "INVALID_STATUS", message))


def after_send_invite(status: str, primary_email: str | None) -> str:
    """First send from INACTIVE or resend while PENDING; the invite goes to the
    primary email, so there must be one."""
    if status == "ACTIVE":
        raise _refuse(INVITE_ACTIVE_OWNER)
    if not primary_email:
        raise RuleError(Violation(("contact_id",), "PRIMARY_EMAIL_REQUIRED", PRIMARY_EMAIL_FOR_INVITE))
    return "PENDING"


def after_cancel_invite(status: str) -> str:
    if status != "PENDING":
        raise _refuse(CANCEL_WITHOUT_INVITE)
    return "INACTIVE"


def after_accept_invite(status: str) -> str | None:
    """ACTIVE for a pending contact; None when the contact is no longer pending
    (the invite was cancelled or the owner deactivated): the token is then dead."""
    return "ACTIVE" if status == "PENDING" else None


def after_deactivate(status: str) -> str:
    if status != "ACTIVE":
        raise _refuse(DEACTIVATE_INACTIVE)
    return "INACTIVE"
