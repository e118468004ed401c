"""Mutations for sign-in and contacts (merged into `Mutation` in resolvers/root/build.py).
Each mutation takes one `input` and returns a payload."""

from __future__ import annotations

import strawberry

from permissions.classes import (
    CanDeleteContact,
    CanEditAdditionalEmails,
    CanEditContactInfo,
    IsBuilder,
    IsSignedIn,
)
from resolvers import auth, contacts
from schema.payloads import ContactPayload, DeleteContactPayload, OkPayload, SessionPayload


@strawberry.type
class ContactMutation:
    login: SessionPayload | None = strawberry.field(
        resolver=auth.login, description="Sign in with username and password."
    )
    logout: OkPayload | None = strawberry.field(
        resolver=auth.logout, permission_classes=[IsSignedIn], description="Revoke the current session."
    )
    create_contact: ContactPayload | None = strawberry.field(
        resolver=contacts.create_contact,
        permission_classes=[IsBuilder],
        description="Create an INACTIVE contact (builders); `duplicateContacts` lists never-invited contacts "
        "with the same primary email.",
    )
    update_contact_info: ContactPayload | None = strawberry.field(
        resolver=contacts.update_contact_info,
        permission_classes=[CanEditContactInfo],
        description="Change contact info: the builder while the contact is INACTIVE, the owner while ACTIVE. "
        "An active owner's new primary email is not applied at once: a confirmation link goes to it, a notice to "
        "the current one, and it shows as `pendingPrimaryEmail` until `confirmEmailChange`.",
    )
    set_additional_emails: ContactPayload | None = strawberry.field(
        resolver=contacts.set_additional_emails,
        permission_classes=[CanEditAdditionalEmails],
        description="Replace the additional emails: the builder at any status, the active owner for themself.",
    )
    promote_additional_email: ContactPayload | None = strawberry.field(
        resolver=contacts.promote_additional_email,
        permission_classes=[CanEditContactInfo],
        description="Swap an additional email with the primary email in one step. For an active owner the swap "
        "waits, like any new primary email, for `confirmEmailChange` with the link mailed to that address.",
    )
    delete_contact: DeleteContactPayload | None = strawberry.field(
        resolver=contacts.delete_contact,
        permission_classes=[CanDeleteContact],
        description="Delete an INACTIVE contact (builders); `deletedContactId` names it for cache eviction.",
    )
