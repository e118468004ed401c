"""Root fields of Owner Contacts (SPEC 2), merged into `Query` and `Mutation` in
resolvers/root/build.py. Each mutation takes one `input` and returns a payload."""

from __future__ import annotations

import strawberry

from permissions.classes import CanDeleteContact, CanEditAdditionalEmails, CanEditContactInfo, IsBuilder
from resolvers import contacts
from schema.connections import ContactConnection
from schema.contacts import ContactPayload, DeleteContactPayload
from schema.types import Contact


@strawberry.type
class ContactQuery:
    contact: Contact | None = strawberry.field(
        resolver=contacts.contact,
        description="A contact by id. Ids of merged contacts resolve to the surviving contact.",
    )
    contacts: ContactConnection | None = strawberry.field(
        resolver=contacts.contacts,
        permission_classes=[IsBuilder],
        description="The builder account's contacts, paginated both ways (`first`/`after` or `last`/`before`, "
        "1 to 100).",
    )


@strawberry.type
class ContactMutation:
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
