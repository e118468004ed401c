"""Owner Contact use cases: create, edit contact info, emails, delete (SPEC 2.2, 2.3).

Each function takes a unit of work and plain values, applies the rules and the
repository, and raises `RuleError` (reported as userErrors) when a rule breaks;
the caller commits. Who may call them is decided before, by permissions/.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from domain.activation import ActivationStatus
from domain.emails import check_additional_emails, check_primary_change, email_key
from domain.errors import Collected, NotFound, RuleError, UserErrorCode, Violation
from domain.text import check_visible
from domain.timeline import EventKind, changes as changed_values
from models import Contact
from repository.contacts import ContactRepository, EditedContact, EmailClaimConflict
from repository.uow import UnitOfWork

EMAIL_IN_USE_BY_ACTIVE_OWNER = "This email is currently the Primary Email associated with another account."
EMAIL_IN_USE_FOR_OWNER = (
    "This email can't be used as your primary email. Please contact your builder for help."
)

class Unchanged(Enum):
    """A field of a change that was not given: it keeps its value (None clears it)."""

    UNCHANGED = "UNCHANGED"


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class AddressInput:
    """The parts of a postal address as given (UNCHANGED: left out)."""

    street: str | None | Unchanged
    city: str | None | Unchanged
    state: str | None | Unchanged
    postal_code: str | None | Unchanged


@dataclass(frozen=True)
class ContactInfo:
    """Contact-info fields (SPEC 2) as given; a new contact's are all given. `address`
    None clears the whole address."""

    first_name: str | None | Unchanged = UNCHANGED
    last_name: str | None | Unchanged = UNCHANGED
    phone: str | None | Unchanged = UNCHANGED
    cell_phone: str | None | Unchanged = UNCHANGED
    primary_email: str | None | Unchanged = UNCHANGED
    address: AddressInput | None | Unchanged = UNCHANGED


@dataclass(frozen=True)
class NewContact:
    """A new contact of one builder account: every info field is given."""

    builder_account_id: int
    info: ContactInfo
    additional_emails: Sequence[str] = ()


@dataclass(frozen=True)
class InfoChange:
    contact_id: int | None
    info: ContactInfo
    by_owner: bool


@dataclass(frozen=True)
class AdditionalEmails:
    contact_id: int | None
    emails: Sequence[str]


@dataclass(frozen=True)
class Promotion:
    contact_id: int | None
    email: str
    by_owner: bool


@dataclass(frozen=True)
class ContactRef:
    """A change that needs nothing but its contact (delete, cancel an email change)."""

    contact_id: int | None


# Max lengths of the contact-info columns (SPEC 2); errors name the column's field.
INFO_LIMITS: dict[str, int] = {"first_name": 100, "last_name": 100, "phone": 40, "cell_phone": 40}
ADDRESS_LIMITS: dict[str, int] = {"street": 200, "city": 100, "state": 100, "postal_code": 20}
# The contact-info columns by the names the timeline (and the API) gives them.
TIMELINE_NAMES: dict[str, str] = {
    "first_name": "firstName",
    "last_name": "lastName",
    "phone": "phone",
    "cell_phone": "cellPhone",
    **{column: f"address.{name}" for column, name in [
        ("street", "street"), ("city", "city"), ("state", "state"), ("postal_code", "postalCode")
    ]},
    "primary_email": "primaryEmail",
}
PHONE_PATTERN = re.compile(r"^\+?[0-9 ().\-/]{3,40}(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


@dataclass
class ChangedContact:
    """The outcome of a contact mutation, for its payload."""

    contact: Contact
    additional_emails: list[str]
    # Never-invited contacts with the same primary email (merge candidates); None:
    # not looked up by the change, so the payload looks them up if it is asked.
    duplicate_ids: list[int] | None = field(default_factory=list)
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


def clean_info(info: ContactInfo, errors: Collected) -> dict[str, str | None]:
    """The given fields by column, trimmed; blank strings clear a field."""
    cleaned: dict[str, str | None] = {}
    for column, limit in INFO_LIMITS.items():
        value = getattr(info, column)
        if value is not UNCHANGED:
            value = _clean_text(value, (column,), limit, errors)
            if value and column in ("phone", "cell_phone") and not PHONE_PATTERN.match(value):
                errors.add((column,), UserErrorCode.INVALID_INPUT, "Enter a phone number using digits, spaces and + ( ) - only.")
            cleaned[column] = value
    address = info.address
    if address is not UNCHANGED:
        for column, limit in ADDRESS_LIMITS.items():
            if address is None:
                cleaned[column] = None
            elif (value := getattr(address, column)) is not UNCHANGED:
                cleaned[column] = _clean_text(value, ("address", column), limit, errors)
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
                Violation(("primary_email",), UserErrorCode.EMAIL_IN_USE, EMAIL_IN_USE_BY_ACTIVE_OWNER),
                conflicting_contact_id=holder.id,
            )
    return [holder.id for holder in holders if holder.activation_status == ActivationStatus.INACTIVE]


async def check_owner_primary(
    contacts: ContactRepository, email: str, own_id: int, *, path: tuple[str, ...] = ("primary_email",)
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


async def load_target(uow: UnitOfWork, builder_account_id: int, contact_id: int | None) -> EditedContact:
    """Loads the target inside the write transaction, under its row lock (NOT_FOUND
    when there is none): what the change reads of it, and what it writes, is what
    the row holds until the commit."""
    found = None
    if contact_id is not None:
        found = await ContactRepository(uow.session, builder_account_id).get_for_change(contact_id)
    if found is None:
        raise NotFound(("contact_id",), "contact")
    return found


async def create_contact(uow: UnitOfWork, command: NewContact) -> ChangedContact:
    errors = Collected()
    info = clean_info(command.info, errors)
    given_primary = command.info.primary_email
    primary = check_primary_change(None if given_primary is UNCHANGED else given_primary, [], ActivationStatus.INACTIVE, errors)
    additional = check_additional_emails(primary, list(command.additional_emails), errors)
    if not any(info.get(c) for c in ("first_name", "last_name")) and not primary:
        errors.add(("first_name",), UserErrorCode.INVALID_INPUT, "Give the contact a name or a primary email.")
    errors.raise_if_any()

    builder_account_id = command.builder_account_id
    contacts = ContactRepository(uow.session, builder_account_id)
    duplicates = await _check_builder_primary(contacts, primary, None) if primary else []
    contact = await contacts.insert({
        **info, "primary_email": primary, "primary_email_key": email_key(primary) if primary else None,
    })
    await contacts.add_additional_emails(contact, additional)
    uow.timeline.record(
        builder_account_id, contact.id, EventKind.CONTACT_CREATED,
        changes=changed_values({}, {**info_values(contact), "additionalEmails": additional}),
    )
    return ChangedContact(contact, additional, duplicates)


async def update_contact_info(uow: UnitOfWork, target: EditedContact, command: InfoChange) -> ChangedContact:
    contact, by_owner = target.row, command.by_owner
    contacts = ContactRepository(uow.session, contact.builder_account_id)
    errors = Collected()
    info = clean_info(command.info, errors)
    asked_primary = command.info.primary_email
    primary_given = asked_primary is not UNCHANGED
    new_primary = contact.primary_email
    if primary_given:
        new_primary = check_primary_change(asked_primary, target.additional_emails, contact.activation_status, errors)
    errors.raise_if_any()

    # A builder's answer names the merge candidates: found by the check of a new
    # primary, else looked up when the payload asks for them.
    duplicates: list[int] | None = [] if by_owner else None
    primary_changed = primary_given and (
        (email_key(new_primary) if new_primary else None) != contact.primary_email_key
    )
    if primary_changed and new_primary:
        if by_owner:
            await check_owner_primary(contacts, new_primary, contact.id)
        else:
            duplicates = await _check_builder_primary(contacts, new_primary, contact.id)
    elif primary_changed and contact.primary_email and not by_owner:  # cleared: those of the address it had
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
    if primary_given and requested is None:
        _set_primary(contact, new_primary)
    contacts.touch(contact)
    await _flush_primary(uow, contacts, by_owner)
    # A requested primary email is on the timeline as its own request (services/email_changes.py).
    if found := changed_values(before, info_values(contact)):
        uow.timeline.record(contact.builder_account_id, contact.id, EventKind.INFO_CHANGED, changes=found)
    return ChangedContact(target.row, target.additional_emails, duplicates, requested_primary_email=requested)


async def _flush_primary(
    uow: UnitOfWork, contacts: ContactRepository, by_owner: bool, path: tuple[str, ...] = ("primary_email",)
) -> None:
    """Flushes; the claimed-email index decides a race the checks above could not see."""
    try:
        await contacts.flush_claim()
    except EmailClaimConflict:
        message = EMAIL_IN_USE_FOR_OWNER if by_owner else EMAIL_IN_USE_BY_ACTIVE_OWNER
        raise RuleError(Violation(path, UserErrorCode.EMAIL_IN_USE, message)) from None
    await uow.flush()


async def set_additional_emails(uow: UnitOfWork, target: EditedContact, command: AdditionalEmails) -> ChangedContact:
    contact = target.row
    errors = Collected()
    cleaned = check_additional_emails(contact.primary_email, list(command.emails), errors, path=("emails",))
    errors.raise_if_any()
    contacts = ContactRepository(uow.session, contact.builder_account_id)
    await contacts.write(contact)
    previous = await contacts.replace_additional_emails(contact, cleaned)
    target.additional_emails = cleaned
    if found := changed_values({"additionalEmails": previous}, {"additionalEmails": cleaned}):
        uow.timeline.record(contact.builder_account_id, contact.id, EventKind.ADDITIONAL_EMAILS_SET, changes=found)
    return ChangedContact(target.row, target.additional_emails)


async def promote_additional_email(uow: UnitOfWork, target: EditedContact, command: Promotion) -> ChangedContact:
    """SPEC 2.3 rule 6: swaps an additional email with the primary in one step. An
    active owner's swap waits for the address to prove itself (SPEC 12)."""
    contact = target.row
    contacts = ContactRepository(uow.session, contact.builder_account_id)
    keys = [email_key(a) for a in target.additional_emails]
    if email_key(command.email) not in keys:
        raise RuleError(
            Violation(("email",), UserErrorCode.NOT_FOUND, "This email is not one of the contact's additional emails.")
        )
    promoted = target.additional_emails[keys.index(email_key(command.email))]
    if command.by_owner:
        await check_owner_primary(contacts, promoted, contact.id)
        return ChangedContact(target.row, target.additional_emails, requested_primary_email=promoted)
    duplicates = await _check_builder_primary(contacts, promoted, contact.id)
    found = await apply_primary_email(uow, contacts, target, promoted, by_owner=False)
    uow.timeline.record(contact.builder_account_id, contact.id, EventKind.PRIMARY_EMAIL_PROMOTED, changes=found)
    return ChangedContact(target.row, target.additional_emails, duplicates)


async def apply_primary_email(
    uow: UnitOfWork,
    contacts: ContactRepository,
    target: EditedContact,
    email: str,
    *,
    by_owner: bool,
    path: tuple[str, ...] = ("primary_email",),
) -> list[dict]:
    """Makes `email` the primary. When it is one of the additional emails it swaps
    places with the old primary (SPEC 2.3 rule 6); otherwise it replaces it. The
    caller has checked SPEC 2.3 for it and holds the contact's row lock. Returns
    the changes, for the caller's timeline entry."""
    contact, additional = target.row, target.additional_emails
    before = {"primaryEmail": contact.primary_email, "additionalEmails": additional}
    key = email_key(email)
    remaining = [a for a in additional if email_key(a) != key]
    if len(remaining) < len(additional) and contact.primary_email:
        remaining.insert(0, contact.primary_email)
    # Free the old primary's key first so the swap never holds one email twice.
    await contacts.replace_additional_emails(contact, [])
    _set_primary(contact, email)
    contacts.touch(contact)
    await _flush_primary(uow, contacts, by_owner, path)
    await contacts.add_additional_emails(contact, remaining)
    target.additional_emails = remaining
    return changed_values(before, {"primaryEmail": email, "additionalEmails": remaining})


async def delete_contact(uow: UnitOfWork, target: EditedContact, command: ContactRef) -> str | None:
    """Returns the key of the contact's profile image, whose files the caller deletes
    after the commit (a deactivated owner's contact may still have one)."""
    contact = target.row
    image_key = contact.profile_image_key
    await ContactRepository(uow.session, contact.builder_account_id).delete(contact)
    await uow.flush()
    return image_key
