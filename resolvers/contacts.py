"""Owner Contact resolvers: `contact` and `contacts`, and the mutations, each mapping its input to
the service's typed command and running it through the mutation runner (resolvers/runner.py).
Who may call them is decided by the permission classes on the fields."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

import schema.types as types
from domain.errors import RuleError
from domain.ids import global_record_id
from permissions.policy import ActorKind
from reads import lists, prefetch
from repository.contacts import encode_cursor
from repository.keyset import keyset_key
from repository.uow import UnitOfWork
from resolvers import ratelimit
from resolvers.runner import on_contact, refused_with, run
from resolvers.selection import selected_paths
from resolvers.support import INPUT, address_input, contacts_for_payload, duplicates_of, given, written_contact
from schema.connections import ContactConnection, ContactEdge
from schema.contacts import (
    ContactIdInput,
    ContactPayload,
    CreateContactInput,
    DeleteContactPayload,
    PromoteAdditionalEmailInput,
    SetAdditionalEmailsInput,
    UpdateContactInfoInput,
)
from schema.custom_fields import SetCustomFieldValuesInput
from schema.enums import ActivationStatus, ContactOrder
from schema.notifications import UpdateNotificationPreferencesInput
from schema.paging import After, Before, First, Last, page_info, page_request
from services import contacts as service
from services import custom_fields, email_changes, notifications, profile_images


async def contact_payload(info: Info, change: service.ChangedContact) -> ContactPayload:
    """The changed contact as the unit of work left it (no read), and its merge
    candidates (read only when there are some)."""
    if change.requested_primary_email:
        info.context.wake_outbox()  # the request's mails (_request_primary_proof)
    contact = await written_contact(info, change.contact, change.additional_emails)
    if change.duplicate_ids is None:
        duplicates = partial(duplicates_of, info, change.contact.id, change.contact.primary_email)
    else:
        duplicates = partial(contacts_for_payload, info, change.duplicate_ids, "duplicateContacts")
    return ContactPayload(contact=contact, _duplicates=duplicates)


async def contact_refusal(info: Info, error: RuleError) -> ContactPayload:
    """The user errors, and the contact that holds the email when the app may offer it."""
    conflicting = None
    if error.conflicting_contact_id is not None:
        conflicting = (await contacts_for_payload(info, [error.conflicting_contact_id], "conflictingContact") or [None])[0]
    return await refused_with(ContactPayload, conflicting_contact=conflicting)(error)


async def change_contact(info: Info, step, command, *, then=None) -> ContactPayload:
    """Runs a change of one existing contact (`command.contact_id`) and answers with
    the contact payload."""
    return await run(
        info, on_contact(info, step, then), command,
        answer=partial(contact_payload, info), refused=partial(contact_refusal, info),
    )


def contact_id(value: relay.GlobalID) -> int | None:
    return global_record_id(value, "Contact")


def _by_owner(info: Info) -> bool:
    return info.context.actor.kind is ActorKind.OWNER


async def _request_primary_proof(info: Info, uow: UnitOfWork, change: service.ChangedContact) -> service.ChangedContact:
    """An active owner's new primary email is not applied but asked for (SPEC 12):
    the request is recorded and mailed in the change's own unit of work. It counts
    against the account's reset-mail limit, so a refused count writes nothing."""
    if change.requested_primary_email is not None:
        context = info.context
        await ratelimit.check_call(info, "requestEmailChange", context.username)
        await email_changes.request_email_change(
            uow, change.contact, change.requested_primary_email, now=context.now(),
            ttl=timedelta(hours=context.settings.EMAIL_CHANGE_TTL_HOURS), app_url=context.settings.APP_URL,
        )
    return change


async def create_contact(info: Info, input: Annotated[CreateContactInput, INPUT]) -> ContactPayload:
    command = service.NewContact(
        builder_account_id=info.context.actor.builder_account_id,
        info=service.ContactInfo(
            first_name=input.first_name, last_name=input.last_name, phone=input.phone, cell_phone=input.cell_phone,
            primary_email=input.primary_email,
            address=service.UNCHANGED if input.address is None else address_input(input.address),
        ),
        additional_emails=input.additional_emails or [],
    )
    return await run(
        info, service.create_contact, command,
        answer=partial(contact_payload, info), refused=partial(contact_refusal, info),
    )


async def update_contact_info(
    info: Info, input: Annotated[UpdateContactInfoInput, INPUT],
) -> ContactPayload:
    address = given(input.address)
    changes = service.ContactInfo(
        first_name=given(input.first_name), last_name=given(input.last_name), phone=given(input.phone),
        cell_phone=given(input.cell_phone), primary_email=given(input.primary_email),
        address=address_input(address) if address is not service.UNCHANGED else address,
    )
    command = service.InfoChange(contact_id(input.contact_id), changes, by_owner=_by_owner(info))
    return await change_contact(info, service.update_contact_info, command, then=_request_primary_proof)


async def set_additional_emails(
    info: Info, input: Annotated[SetAdditionalEmailsInput, INPUT],
) -> ContactPayload:
    command = service.AdditionalEmails(contact_id(input.contact_id), input.emails)
    return await change_contact(info, service.set_additional_emails, command)


async def promote_additional_email(
    info: Info, input: Annotated[PromoteAdditionalEmailInput, INPUT],
) -> ContactPayload:
    command = service.Promotion(contact_id(input.contact_id), input.email, by_owner=_by_owner(info))
    return await change_contact(info, service.promote_additional_email, command, then=_request_primary_proof)


async def delete_contact(info: Info, input: Annotated[ContactIdInput, INPUT]) -> DeleteContactPayload:
    command = service.ContactRef(contact_id(input.contact_id))

    async def deleted(image_key: str | None) -> DeleteContactPayload:
        await profile_images.discard(info.context.media_storage, image_key)
        return DeleteContactPayload(ok=True, deleted_contact_id=relay.GlobalID("Contact", str(command.contact_id)))

    return await run(
        info, on_contact(info, service.delete_contact), command,
        answer=deleted, refused=refused_with(DeleteContactPayload),
    )


async def set_custom_field_values(
    info: Info, input: Annotated[SetCustomFieldValuesInput, INPUT],
) -> ContactPayload:
    values = [(global_record_id(v.field_id, "CustomField"), v.value) for v in input.values]
    command = custom_fields.FieldValues(contact_id(input.contact_id), values)
    return await change_contact(info, custom_fields.set_custom_field_values, command)


async def update_notification_preferences(
    info: Info, input: Annotated[UpdateNotificationPreferencesInput, INPUT],
) -> ContactPayload:
    # The owner's own contact: the permission class admits only the active owner.
    command = notifications.Preferences(info.context.actor.contact_id, sms_opt_in=input.sms_opt_in)
    return await change_contact(info, notifications.update_notification_preferences, command)


async def contact(
    info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The contact's global id.")]
) -> types.Contact | None:
    if id.type_name != "Contact":
        return None
    return (await types.contacts_by_ids(info, [id.node_id]))[0]


async def contacts(
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    search: Annotated[str | None, strawberry.argument(
        description="Only contacts whose first name, last name, full name or primary email contains this text "
        "(case-insensitive)."
    )] = None,
    status: Annotated[list[ActivationStatus] | None, strawberry.argument(
        description="Only contacts in one of these activation statuses."
    )] = None,
    order_by: Annotated[ContactOrder, strawberry.argument(
        description="The order of the list; ties are broken by id."
    )] = ContactOrder.LAST_NAME,
) -> ContactConnection:
    page = page_request(first, after, last, before, key=lambda cursor: keyset_key(cursor, order_by.value))
    context = info.context
    statuses = status or None
    found, has_more = await prefetch.contact_page(
        context, selected_paths(info), page=page, search=search, statuses=statuses, order_by=order_by.value
    )

    sort_attr = {"LAST_NAME": "last_name", "FIRST_NAME": "first_name", "CREATED_AT": "created_at"}[order_by.value]

    def cursor_of(row) -> str:
        value = getattr(row, sort_attr)
        if order_by is ContactOrder.CREATED_AT:
            value = value.isoformat()
        return encode_cursor(value or "", row.id)

    edges = [ContactEdge(cursor=cursor_of(rows.row), node=types.Contact.from_rows(rows)) for rows in found]

    async def total() -> int:
        return await lists.contact_count(context, search=search, statuses=statuses)

    return ContactConnection(edges=edges, page_info=page_info(edges, page, has_more), _total=total)
