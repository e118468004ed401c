"""The merge plan (SPEC section 4): what merging Owner Contacts would produce.

A pure function over plain data, so that `mergeContacts` and `mergeContactsPreview`
share one definition of the rules and the rules are tested without a database.
The caller loads the contacts, calls `plan_merge`, shows the plan (preview) or, when
`errors` is empty, writes it (merge).

The plan is always filled in, even when it carries errors: the preview shows the
survivor as it would look next to the errors and the candidate emails, so the builder
can fix the input (typically: pick the additional emails to keep).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.activation import ActivationStatus
from domain.emails import MAX_ADDITIONAL_EMAILS, email_key
from domain.errors import UserErrorCode, Violation

# SPEC 4: "merges 2 to 10 contacts".
MIN_CONTACTS = 2
MAX_CONTACTS = 10

# SPEC 2: the contact-info group (primaryEmail aside, which has its own rule).
INFO_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "cell_phone",
    "street",
    "city",
    "state",
    "postal_code",
)

MERGED_IDS_FIELD = ("merged_ids",)
SURVIVOR_ID_FIELD = ("survivor_id",)
ADDITIONAL_EMAILS_FIELD = ("additional_emails",)


@dataclass(frozen=True)
class MergeParticipant:
    """One contact of a merge (the survivor or a merged one), as the plan sees it;
    built by the caller from its row."""

    id: int
    status: ActivationStatus
    primary_email: str | None
    additional_emails: tuple[str, ...]
    # Contact-info fields (INFO_FIELDS); None or blank means "not filled in".
    info: Mapping[str, str | None]
    # Custom field id -> value; an absent or blank value is "not filled in".
    custom_values: Mapping[int, str]

    def __post_init__(self) -> None:
        ActivationStatus(self.status)  # ValueError for a status the merge does not know


@dataclass(frozen=True)
class MergePlan:
    survivor_id: int
    # The contacts that disappear into the survivor: mergedIds in the caller's order,
    # without repeats and without the survivor.
    merged_ids: tuple[int, ...]
    primary_email: str | None
    additional_emails: tuple[str, ...]
    info: Mapping[str, str | None]
    custom_values: Mapping[int, str]
    # Every distinct email that would become additional before any cap or choice:
    # what the app offers when the builder has to pick at most 5.
    candidate_emails: tuple[str, ...]
    # Merged contacts that were PENDING: their invites are cancelled (SPEC 4).
    cancelled_invite_ids: tuple[int, ...]
    errors: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def plan_merge(
    survivor: MergeParticipant,
    merged: Sequence[MergeParticipant],
    chosen_additional: Sequence[str] | None = None,
) -> MergePlan:
    """Plan merging `merged` (in mergedIds order) into `survivor`.

    `chosen_additional` is the caller's `additionalEmails`: when given and valid it is
    the survivor's whole additional list, in the caller's order (it is their explicit
    list), each email spelled as it is stored on the contacts. Emails the caller leaves
    out are dropped on purpose; with no choice, nothing is dropped, and more than 5
    candidates is an error.
    """
    errors: list[Violation] = []

    others = _check_contacts(survivor, merged, errors)
    _check_activation(survivor, others, errors)

    primary = _primary_email(survivor, others)
    candidates = _candidate_emails(survivor, others, primary)
    additional = _additional_emails(candidates, primary, chosen_additional, errors)

    return MergePlan(
        survivor_id=survivor.id,
        merged_ids=tuple(c.id for c in others),
        primary_email=primary,
        additional_emails=additional,
        info=_merged_info(survivor, others),
        custom_values=_merged_custom_values(survivor, others),
        candidate_emails=candidates,
        cancelled_invite_ids=tuple(c.id for c in others if c.status == ActivationStatus.PENDING),
        errors=tuple(errors),
    )


def _key(email: str) -> str:
    return email_key(email)  # one normalisation for every comparison (SPEC 12)


def _is_blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _check_contacts(
    survivor: MergeParticipant,
    merged: Sequence[MergeParticipant],
    errors: list[Violation],
) -> list[MergeParticipant]:
    """Validate the contact list; return the merged contacts without repeats.

    The deduplicated list lets the preview still show something useful when the
    input lists a contact twice.
    """
    others: list[MergeParticipant] = []
    seen = {survivor.id}
    survivor_listed = False
    repeated = False
    for contact in merged:
        if contact.id == survivor.id:
            survivor_listed = True
        elif contact.id in seen:
            repeated = True
        else:
            seen.add(contact.id)
            others.append(contact)

    if survivor_listed:
        errors.append(
            Violation(
                MERGED_IDS_FIELD,
                UserErrorCode.INVALID_INPUT,
                "The survivor is also listed in mergedIds. "
                "Remove the survivor from mergedIds.",
            )
        )
    if repeated:
        errors.append(
            Violation(
                MERGED_IDS_FIELD,
                UserErrorCode.INVALID_INPUT,
                "A contact is listed more than once in mergedIds. "
                "List each contact once.",
            )
        )
    total = len(seen)
    if total < MIN_CONTACTS:
        errors.append(
            Violation(
                MERGED_IDS_FIELD,
                UserErrorCode.INVALID_INPUT,
                f"A merge needs at least {MIN_CONTACTS} contacts: the survivor and "
                "at least one other. Add the contacts to merge to mergedIds.",
            )
        )
    elif total > MAX_CONTACTS:
        errors.append(
            Violation(
                MERGED_IDS_FIELD,
                UserErrorCode.INVALID_INPUT,
                f"You selected {total} contacts; a merge takes at most "
                f"{MAX_CONTACTS}. Merge them in smaller groups.",
            )
        )
    return others


def _check_activation(
    survivor: MergeParticipant,
    others: Sequence[MergeParticipant],
    errors: list[Violation],
) -> None:
    # SPEC 4: at most one ACTIVE owner, and it must be the survivor, because an
    # active owner controls their own account and it cannot be merged away.
    active = [c for c in (survivor, *others) if c.status == ActivationStatus.ACTIVE]
    if len(active) > 1:
        errors.append(
            Violation(
                MERGED_IDS_FIELD,
                UserErrorCode.MERGE_CONFLICT,
                f"{len(active)} of these contacts are active owners; a merge can "
                "include at most one. Deactivate the other owners first, or leave "
                "them out of the merge.",
            )
        )
    elif active and active[0].id != survivor.id:
        errors.append(
            Violation(
                SURVIVOR_ID_FIELD,
                UserErrorCode.MERGE_CONFLICT,
                "One of the contacts to merge is an active owner, and an active "
                "owner can only be the survivor. Choose that contact as the "
                "survivor.",
            )
        )


def _primary_email(
    survivor: MergeParticipant, others: Sequence[MergeParticipant]
) -> str | None:
    if not _is_blank(survivor.primary_email):
        return survivor.primary_email
    # SPEC 4: only an INACTIVE survivor takes a primary email from a merged contact;
    # a pending or active owner's contact info is locked (SPEC 2).
    if survivor.status == ActivationStatus.INACTIVE:
        for contact in others:
            if not _is_blank(contact.primary_email):
                return contact.primary_email.strip()
    return survivor.primary_email


def _candidate_emails(
    survivor: MergeParticipant,
    others: Sequence[MergeParticipant],
    primary: str | None,
) -> tuple[str, ...]:
    # SPEC 4: survivor's own emails first, then each merged contact's (primary, then
    # additional) in mergedIds order; the first spelling seen is kept.
    ordered: list[str | None] = list(survivor.additional_emails)
    for contact in others:
        ordered.append(contact.primary_email)
        ordered.extend(contact.additional_emails)

    seen = set() if _is_blank(primary) else {_key(primary)}
    candidates: list[str] = []
    for email in ordered:
        if _is_blank(email):
            continue
        key = _key(email)
        if key not in seen:
            seen.add(key)
            candidates.append(email.strip())
    return tuple(candidates)


def _additional_emails(
    candidates: tuple[str, ...],
    primary: str | None,
    chosen: Sequence[str] | None,
    errors: list[Violation],
) -> tuple[str, ...]:
    if chosen is None:
        if len(candidates) > MAX_ADDITIONAL_EMAILS:
            errors.append(
                Violation(
                    ADDITIONAL_EMAILS_FIELD,
                    UserErrorCode.EMAIL_LIMIT_EXCEEDED,
                    f"These contacts have {len(candidates)} other emails; a contact "
                    f"keeps at most {MAX_ADDITIONAL_EMAILS} additional emails. "
                    f"Choose up to {MAX_ADDITIONAL_EMAILS} in additionalEmails.",
                )
            )
        # The preview offers the first five as a starting choice.
        return candidates[:MAX_ADDITIONAL_EMAILS]

    by_key = {_key(email): email for email in candidates}
    primary_key = None if _is_blank(primary) else _key(primary)
    picked: list[str] = []
    picked_keys: set[str] = set()
    for email in chosen:
        key = _key(email)
        if key in picked_keys:
            errors.append(
                Violation(
                    ADDITIONAL_EMAILS_FIELD,
                    UserErrorCode.INVALID_INPUT,
                    f"{email.strip()} is chosen more than once in additionalEmails. "
                    "List each email once.",
                )
            )
        elif key == primary_key:
            errors.append(
                Violation(
                    ADDITIONAL_EMAILS_FIELD,
                    UserErrorCode.INVALID_INPUT,
                    f"{email.strip()} is the primary email and stays primary. "
                    "Leave it out of additionalEmails.",
                )
            )
        elif key not in by_key:
            errors.append(
                Violation(
                    ADDITIONAL_EMAILS_FIELD,
                    UserErrorCode.INVALID_INPUT,
                    f"{email.strip() or 'An empty email'} is not an email of these "
                    "contacts. Choose additional emails only among the candidate "
                    "emails.",
                )
            )
        else:
            picked_keys.add(key)
            # Stored spelling, so that choosing never rewrites an email.
            picked.append(by_key[key])

    if len(chosen) > MAX_ADDITIONAL_EMAILS:
        errors.append(
            Violation(
                ADDITIONAL_EMAILS_FIELD,
                UserErrorCode.EMAIL_LIMIT_EXCEEDED,
                f"You chose {len(chosen)} additional emails; a contact keeps at most "
                f"{MAX_ADDITIONAL_EMAILS}. Choose up to {MAX_ADDITIONAL_EMAILS}.",
            )
        )
    return tuple(picked[:MAX_ADDITIONAL_EMAILS])


def _merged_info(
    survivor: MergeParticipant, others: Sequence[MergeParticipant]
) -> dict[str, str | None]:
    info = {name: survivor.info.get(name) for name in INFO_FIELDS}
    info.update(survivor.info)
    # SPEC 4 and 2: a pending or active owner's info is locked; only an INACTIVE
    # survivor has its blanks filled, from the merged contacts in order.
    if survivor.status != ActivationStatus.INACTIVE:
        return info
    for contact in others:
        for name, value in contact.info.items():
            if _is_blank(info.get(name)) and not _is_blank(value):
                info[name] = value
    return info


def _merged_custom_values(
    survivor: MergeParticipant, others: Sequence[MergeParticipant]
) -> dict[int, str]:
    # SPEC 4 and 8: builders own custom fields at any status, so blanks are filled
    # whatever the survivor's status; the survivor's values win.
    values = dict(survivor.custom_values)
    for contact in others:
        for field_id, value in contact.custom_values.items():
            if _is_blank(values.get(field_id)) and not _is_blank(value):
                values[field_id] = value
    return values
