"""Root fields of invites and deactivation (SPEC 3), merged into `Query` and `Mutation` in
resolvers/root/build.py."""

from __future__ import annotations

import strawberry

from permissions.classes import CanManageInvites
from resolvers import invites
from schema.accounts import SessionPayload
from schema.contacts import ContactPayload
from schema.invites import InviteDetails


@strawberry.type
class InviteQuery:
    invite_details: InviteDetails | None = strawberry.field(
        resolver=invites.invite_details,
        description="Whose invite a token is, for the accept page (anyone may ask). Does not use the token up.",
    )


@strawberry.type
class InviteMutation:
    send_invite: ContactPayload | None = strawberry.field(
        resolver=invites.send_invite,
        permission_classes=[CanManageInvites],
        description="Invite the owner (INACTIVE) or send a fresh invite (PENDING) to the primary email. "
        "Locks the contact info until the invite is cancelled.",
    )
    cancel_invite: ContactPayload | None = strawberry.field(
        resolver=invites.cancel_invite,
        permission_classes=[CanManageInvites],
        description="PENDING to INACTIVE: the invite link stops working and contact info can be edited again.",
    )
    deactivate_owner: ContactPayload | None = strawberry.field(
        resolver=invites.deactivate_owner,
        permission_classes=[CanManageInvites],
        description="ACTIVE to INACTIVE: the owner's login stops working and every session ends at once.",
    )
    accept_invite: SessionPayload | None = strawberry.field(
        resolver=invites.accept_invite,
        description="The owner chooses a username and password with the invite token; returns a session.",
    )
