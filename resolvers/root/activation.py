"""Root fields of owner activation (SPEC 3), merged into `Query` and `Mutation`
in resolvers/root/build.py."""

from __future__ import annotations

import strawberry

from permissions.classes import CanManageInvites, IsSignedIn
from resolvers import activation
from schema.activation_types import InviteDetails
from schema.payloads import ContactPayload, OkPayload, SessionPayload


@strawberry.type
class ActivationQuery:
    invite_details: InviteDetails | None = strawberry.field(
        resolver=activation.invite_details,
        description="Whose invite a token is, for the accept page (anyone may ask). Does not use the token up.",
    )


@strawberry.type
class ActivationMutation:
    send_invite: ContactPayload | None = strawberry.field(
        resolver=activation.send_invite,
        permission_classes=[CanManageInvites],
        description="Invite the owner (INACTIVE) or send a fresh invite (PENDING) to the primary email. "
        "Locks the contact info until the invite is cancelled.",
    )
    cancel_invite: ContactPayload | None = strawberry.field(
        resolver=activation.cancel_invite,
        permission_classes=[CanManageInvites],
        description="PENDING to INACTIVE: the invite link stops working and contact info can be edited again.",
    )
    deactivate_owner: ContactPayload | None = strawberry.field(
        resolver=activation.deactivate_owner,
        permission_classes=[CanManageInvites],
        description="ACTIVE to INACTIVE: the owner's login stops working and every session ends at once.",
    )
    accept_invite: SessionPayload | None = strawberry.field(
        resolver=activation.accept_invite,
        description="The owner chooses a username and password with the invite token; returns a session.",
    )
    request_password_reset: OkPayload | None = strawberry.field(
        resolver=activation.request_password_reset,
        description="Mail a reset link to an active owner's primary email. Answers the same whether or not "
        "the login matched anybody.",
    )
    reset_password: SessionPayload | None = strawberry.field(
        resolver=activation.reset_password,
        description="Set a new password with the reset token; ends every other session; returns a session.",
    )
    change_password: OkPayload | None = strawberry.field(
        resolver=activation.change_password,
        permission_classes=[IsSignedIn],
        description="Change your own password; your other sessions end.",
    )
