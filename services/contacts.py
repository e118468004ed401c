"""Owner Contact use cases: create, edit contact info, emails, delete (SPEC 2.2, 2.3).

Each function takes a unit of work and plain values, applies the rules and the
repository, and raises `RuleError` (reported as userErrors) when a rule breaks;
the caller commits. Who may call them is decided before, by permissions/.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from domain.activation import ActivationStatus
from domain.emails import check_additional_emails, check_primary_change, email_key
from domain.errors import Collected, NotFound, RuleError, UserErrorCode, Violation
from domain.text import check_visible
from domain.timeline import EventKind, changes as changed_values
from models import Contact
from repository.contacts import ContactRepository, EmailClaimConflict
from repository.uow import StaleObject, UnitOfWork

EMAIL_IN_USE_BY_ACTIVE_OWNER = "This email is currently the Primary Email associated with another account."
EMAIL_IN_USE_FOR_OWNER = (
    "This email can't be used as your primary email. Please contact your builder for help."
)

# Contact-info fields (SPEC 2) by input name -> (column, max length).
INFO_FIELDS: dict[str, tuple[str, int]] = {
    "firstName": ("first_name", 100),
    "lastName": ("last_name", 100),
    "phone": ("phone", 40),
    "cellPhone": ("cell_phone", 40),
}
ADDRESS_FIELDS: dict[str, tuple[str, int]] = {
    "street": ("street", 200),
    "city": ("city", 100),
    "state": ("state", 100),
    "postalCode": ("postal_code", 20),
}
# The contact-info columns by the names the timeline (and the API) gives them.
TIMELINE_NAMES: dict[str, str] = {
    **{column: name for name, (column, _limit) in INFO_FIELDS.items()},
    **{column: f"address.{name}" for name, (column, _limit) in ADDRESS_FIELDS.items()},
    "primary_email": "primaryEmail",
}
PHONE_PATTERN = re.compile(r"^\+?[0-9 ().\-/]{3,40}(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


@dataclass
class ChangedContact:
    """A contact a service changed, with what its mutation's payload reports beside it."""

    contact: Contact
    duplicate_ids: list[int] = field(default_factory=list)
    # An active owner's new primary email, not applied: it must prove itself
    # first (SPEC 12); the caller records the request (services/email_changes.py).
    requested_primary_email: str | None = None


def _clean_text(value: str | None, path: tuple[str, ...], limit: int, errors: Collected) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if not check_visible(value, path, errors):
        return value  # refused: the request fails with this error alone
    if len(value) > limit:
        errors.add(path, UserErrorCode.INVALID_INPUT, f"Use at most {limit} characters.")
    return value


def clean_info(changes: Mapping[str, object], errors: Collected) -> dict[str, str | None]:
    """Maps input names to columns, trimming text; blank strings clear a field."""
    cleaned: dict[str, str | None] = {}
    for name, (column, limit) in INFO_FIELDS.items():
        if name in changes:
            value = _clean_text(changes[name], (name,), limit, errors)
            if value and name in ("phone", "cellPhone") and not PHONE_PATTERN.match(value):
                errors.add((name,), UserErrorCode.INVALID_INPUT, "Enter a phone number using digits, spaces and + ( ) - only.")
            cleaned[column] = value
    if "address" in changes:
        address = changes["address"]
        for name, (column, limit) in ADDRESS_FIELDS.items():
            if address is None:
                cleaned[column] = None
            elif name in address:
                cleaned[column] = _clean_text(address[name], ("address", name), limit, errors)
    return cleaned


async def _check_builder_primary(
    contacts: ContactRepository, email: str, exclude_id: int | None
) -> list[int]:
    """SPEC 2.3 rules 1 and 4 for a builder's create or edit: refused when an ACTIVE
    owner of the account has it as primary; never-invited holders are merge candidates."""
    holders = await contacts.with_primary_email(email, exclude_id=exclude_id)
    for holder in holders:
        if holder.activation_status == ActivationStatus.ACTIVE:
            raise RuleError(
                Violation(("primaryEmail",), UserErrorCode.EMAIL_IN_USE, EMAIL_IN_USE_BY_ACTIVE_OWNER),
                conflicting_contact_id=holder.id,
            )
    return [holder.id for holder in holders if holder.activation_status == ActivationStatus.INACTIVE]


async def check_owner_primary(
    contacts: ContactRepository, email: str, own_id: int, *, path: tuple[str, ...] = ("primaryEmail",)
) -> None:
    """SPEC 2.3 rule 5: an owner may not take any other contact's primary email,
    and the refusal tells nothing about that contact. Asked when the change is
    requested and again when it is confirmed."""
    if await contacts.with_primary_email(email, exclude_id=own_id):
        raise RuleError(Violation(path, UserErrorCode.EMAIL_IN_USE, EMAIL_IN_USE_FOR_OWNER))


def info_values(contact: Contact) -> dict[str, str | None]:
    """The contact's info as the timeline names it, to compare before and after."""
    return {name: getattr(contact, column) for column, name in TIMELINE_NAMES.items()}


def _set_primary(contact: Contact, email: str | None) -> None:
    contact.primary_email = email
    contact.primary_email_key = email_key(email) if email else None


async def load_for_change(
    uow: UnitOfWork, builder_account_id: int, contact_id: int, expected_version: int | None
) -> Contact:
    """Loads the target inside the write transaction; if it changed since the
    permission check looked at it, the request lost a race (STALE_OBJECT)."""
    contacts = ContactRepository(uow.session, builder_account_id)
    contact = await contacts.get(contact_id, for_update=True)
    if contact is None:
        raise NotFound(("contactId",), "contact")
    if expected_version is not None and contact.version != expected_version:
        raise StaleObject()
    return contact


async def create_contact(
    uow: UnitOfWork, builder_account_id: int, data: Mapping[str, object]
) -> ChangedContact:
    errors = Collected()
    info = clean_info(data, errors)
    primary = check_primary_change(data.get("primaryEmail"), [], ActivationStatus.INACTIVE, errors)
    additional = check_additional_emails(primary, list(data.get("additionalEmails") or []), errors)
    if not any(info.get(c) for c in ("first_name", "last_name")) and not primary:
        errors.add(("firstName",), UserErrorCode.INVALID_INPUT, "Give the contact a name or a primary email.")
    errors.raise_if_any()

    contacts = ContactRepository(uow.session, builder_account_id)
    duplicates = await _check_builder_primary(contacts, primary, None) if primary else []
    contact = Contact(**info)
    _set_primary(contact, primary)
    contacts.add(contact)
    await uow.flush()
    await contacts.replace_additional_emails(contact, additional)
    await uow.flush()
    uow.timeline.record(
        builder_account_id, contact.id, EventKind.CONTACT_CREATED,
        changes=changed_values({}, {**info_values(contact), "additionalEmails": additional}),
    )
    return ChangedContact(contact, duplicates)


async def update_contact_info(
    uow: UnitOfWork,
    builder_account_id: int,
    contact_id: int,
    changes: Mapping[str, object],
    *,
    by_owner: bool,
    expected_version: int | None,
) -> ChangedContact:
    contact = await load_for_change(uow, builder_account_id, contact_id, expected_version)
    contacts = ContactRepository(uow.session, builder_account_id)
    additional = (await contacts.additional_emails_by_contact([contact.id]))[contact.id]
    errors = Collected()
    info = clean_info(changes, errors)
    new_primary = contact.primary_email
    if "primaryEmail" in changes:
        new_primary = check_primary_change(changes["primaryEmail"], additional, contact.activation_status, errors)
    errors.raise_if_any()

    duplicates: list[int] = []
    primary_changed = "primaryEmail" in changes and (
        (email_key(new_primary) if new_primary else None) != contact.primary_email_key
    )
    if primary_changed and new_primary:
        if by_owner:
            await check_owner_primary(contacts, new_primary, contact.id)
        else:
            duplicates = await _check_builder_primary(contacts, new_primary, contact.id)
    elif contact.primary_email and not by_owner:
        duplicates = [
            c.id
            for c in await contacts.with_primary_email(contact.primary_email, exclude_id=contact.id)
            if c.activation_status == ActivationStatus.INACTIVE
        ]
    before = info_values(contact)
    for column, value in info.items():
        setattr(contact, column, value)
    # An owner's new address waits for its proof (SPEC 12); another spelling of
    # the same address needs none.
    requested = new_primary if by_owner and primary_changed else None
    if "primaryEmail" in changes and requested is None:
        _set_primary(contact, new_primary)
    contacts.touch(contact)
    await _flush_primary(uow, contacts, by_owner)
    # A requested primary email is on the timeline as its own request (services/email_changes.py).
    if found := changed_values(before, info_values(contact)):
        uow.timeline.record(builder_account_id, contact.id, EventKind.INFO_CHANGED, changes=found)
    return ChangedContact(contact, duplicates, requested_primary_email=requested)


async def _flush_primary(
    uow: UnitOfWork, contacts: ContactRepository, by_owner: bool, path: tuple[str, ...] = ("primaryEmail",)
) -> None:
    """Flushes; the claimed-email index decides a race the checks above could not see."""
    try:
        await contacts.flush_claim()
    except EmailClaimConflict:
        message = EMAIL_IN_USE_FOR_OWNER if by_owner else EMAIL_IN_USE_BY_ACTIVE_OWNER
        raise RuleError(Violation(path, UserErrorCode.EMAIL_IN_USE, message)) from None
    await uow.flush()


async def set_additional_emails(
    uow: UnitOfWork,
    builder_account_id: int,
    contact_id: int,
    emails: Sequence[str],
    *,
    expected_version: int | None,
) -> ChangedContact:
    contact = await load_for_change(uow, builder_account_id, contact_id, expected_version)
    errors = Collected()
    cleaned = check_additional_emails(contact.primary_email, list(emails), errors, path=("emails",))
    errors.raise_if_any()
    contacts = ContactRepository(uow.session, builder_account_id)
    previous = await contacts.replace_additional_emails(contact, cleaned)
    contacts.touch(contact)
    await uow.flush()
    if found := changed_values({"additionalEmails": previous}, {"additionalEmails": cleaned}):
        uow.timeline.record(builder_account_id, contact.id, EventKind.ADDITIONAL_EMAILS_SET, changes=found)
    return ChangedContact(contact)


async def promote_additional_email(
    uow: UnitOfWork,
    builder_account_id: int,
    contact_id: int,
    email: str,
    *,
    by_owner: bool,
    expected_version: int | None,
) -> ChangedContact:
    """SPEC 2.3 rule 6: swaps an additional email with the primary in one step. An
    active owner's swap waits for the address to prove itself (SPEC 12)."""
    contact = await load_for_change(uow, builder_account_id, contact_id, expected_version)
    contacts = ContactRepository(uow.session, builder_account_id)
    additional = (await contacts.additional_emails_by_contact([contact.id]))[contact.id]
    keys = [email_key(a) for a in additional]
    if email_key(email) not in keys:
        raise RuleError(
            Violation(("email",), UserErrorCode.NOT_FOUND, "This email is not one of the contact's additional emails.")
        )
    promoted = additional[keys.index(email_key(email))]
    if by_owner:
        await check_owner_primary(contacts, promoted, contact.id)
        return ChangedContact(contact, requested_primary_email=promoted)
    duplicates = await _check_builder_primary(contacts, promoted, contact.id)
    found = await apply_primary_email(uow, contacts, contact, promoted, by_owner=False)
    uow.timeline.record(builder_account_id, contact.id, EventKind.PRIMARY_EMAIL_PROMOTED, changes=found)
    return ChangedContact(contact, duplicates)


async def apply_primary_email(
    uow: UnitOfWork,
    contacts: ContactRepository,
    contact: Contact,
    email: str,
    *,
    by_owner: bool,
    path: tuple[str, ...] = ("primaryEmail",),
) -> list[dict]:
    """Makes `email` the primary. When it is one of the additional emails it swaps
    places with the old primary (SPEC 2.3 rule 6); otherwise it replaces it. The
    caller has checked SPEC 2.3 for it and holds the contact's row lock. Returns
    the changes, for the caller's timeline entry."""
    additional = (await contacts.additional_emails_by_contact([contact.id]))[contact.id]
    before = {"primaryEmail": contact.primary_email, "additionalEmails": additional}
    key = email_key(email)
    remaining = [a for a in additional if email_key(a) != key]
    if len(remaining) < len(additional) and contact.primary_email:
        remaining.insert(0, contact.primary_email)
    # Free the old primary's key first so the swap never holds one email twice.
    await contacts.replace_additional_emails(contact, [])
    await uow.flush()
    _set_primary(contact, email)
    contacts.touch(contact)
    await _flush_primary(uow, contacts, by_owner, path)
    await contacts.replace_additional_emails(contact, remaining)
    await uow.flush()
    return changed_values(before, {"primaryEmail": email, "additionalEmails": remaining})


async def delete_contact(
    uow: UnitOfWork, builder_account_id: int, contact_id: int, *, expected_version: int | None
) -> str | None:
    """Returns the key of the contact's profile image, whose files the caller deletes
    after the commit (a deactivated owner's contact may still have one)."""
    contact = await load_for_change(uow, builder_account_id, contact_id, expected_version)
    image_key = contact.profile_image_key
    await ContactRepository(uow.session, builder_account_id).delete(contact)
    await uow.flush()
    return image_key
