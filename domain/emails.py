"""Email rules of SPEC 2.2: syntax, normalisation, the 1 + 5 limit, no duplicates.

One mailbox, one address (SPEC 12): every email is normalised once, here, before
it is stored or compared. `ｎｏｒｍ@ｅｘａｍｐｌｅ．ｃｏｍ`, `norm@example.com `
and `norm@EXAMPLE.com` are one address; so are `anna@bücher.de` and
`anna@xn--bcher-kva.de`."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import idna
from email_validator import EmailNotValidError, validate_email

from domain.activation import ActivationStatus
from domain.errors import Collected, UserErrorCode
from domain.text import describe, hidden_character

# SPEC 2.2: 1 primary and up to 5 additional emails (contact info and merges alike).
MAX_ADDITIONAL_EMAILS = 5


def normalise_email(email: str) -> str:
    """The stored spelling of an email: Unicode NFKC (full-width letters, `＠` and
    `．` become their ASCII forms), trimmed, and the domain lowercased in its IDNA
    (punycode) form. The local part keeps its case, as the mailbox owner wrote it.
    A domain IDNA refuses is only lowercased: validation then refuses the address."""
    text = unicodedata.normalize("NFKC", email).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        domain = domain.lower()
    return f"{local}@{domain}"


def email_key(email: str) -> str:
    """The form used for every comparison: normalised, and the local part
    compared case-insensitively (SPEC 2.2)."""
    return normalise_email(email).lower()


def is_valid_email(email: str) -> bool:
    try:
        validate_email(normalise_email(email), check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def check_email(email: str, path: tuple[str, ...], errors: Collected) -> str | None:
    """Returns the normalised email, or records INVALID_EMAIL and returns None."""
    normalised = normalise_email(email)
    if (char := hidden_character(normalised)) is not None:
        errors.add(path, UserErrorCode.INVALID_EMAIL, f"An email cannot hold the invisible or control character {describe(char)}.")
        return None
    if not is_valid_email(normalised):
        errors.add(path, UserErrorCode.INVALID_EMAIL, f"“{normalised}” is not a valid email address.")
        return None
    return normalised


def check_additional_emails(
    primary: str | None,
    additional: Sequence[str],
    errors: Collected,
    path: tuple[str, ...] = ("additional_emails",),
) -> list[str]:
    """Validates a contact's whole additional-email list against its primary.

    Returns the normalised list. Rules: a primary must exist first
    (PRIMARY_EMAIL_REQUIRED), at most five (EMAIL_LIMIT_EXCEEDED), each valid
    (INVALID_EMAIL), and no address twice on one contact, the primary included
    (DUPLICATE_EMAIL). Additional emails may repeat across contacts.
    """
    cleaned: list[str] = []
    if additional and not (primary and primary.strip()):
        errors.add(
            path,
            UserErrorCode.PRIMARY_EMAIL_REQUIRED,
            "Add a primary email before adding additional emails.",
        )
        return cleaned
    if len(additional) > MAX_ADDITIONAL_EMAILS:
        errors.add(
            path,
            UserErrorCode.EMAIL_LIMIT_EXCEEDED,
            f"A contact can have at most {MAX_ADDITIONAL_EMAILS} additional emails.",
        )
        return cleaned
    seen = {email_key(primary)} if primary else set()
    for index, raw in enumerate(additional):
        email = check_email(raw, (*path, str(index)), errors)
        if email is None:
            continue
        if email_key(email) in seen:
            errors.add(
                (*path, str(index)),
                UserErrorCode.DUPLICATE_EMAIL,
                f"{email} is already one of this contact's emails.",
            )
            continue
        seen.add(email_key(email))
        cleaned.append(email)
    return cleaned


def check_primary_change(
    new_primary: str | None,
    additional: Sequence[str],
    status: ActivationStatus,
    errors: Collected,
    path: tuple[str, ...] = ("primary_email",),
) -> str | None:
    """Validates a new primary email against the contact's additional emails.

    The primary cannot be cleared while additional emails exist, nor while the
    contact is PENDING or ACTIVE (it is the owner's login manager).
    """
    if new_primary is None or not new_primary.strip():
        if additional:
            errors.add(
                path,
                UserErrorCode.PRIMARY_EMAIL_REQUIRED,
                "Remove the additional emails before clearing the primary email.",
            )
        elif status != ActivationStatus.INACTIVE:
            errors.add(
                path,
                UserErrorCode.PRIMARY_EMAIL_REQUIRED,
                "An invited or active owner must keep a primary email.",
            )
        return None
    email = check_email(new_primary, path, errors)
    if email is None:
        return None
    if email_key(email) in {email_key(a) for a in additional}:
        errors.add(
            path,
            UserErrorCode.DUPLICATE_EMAIL,
            f"{email} is already one of this contact's additional emails.",
        )
        return None
    return email


def mask_email(email: str) -> str:
    """The address as a mail may show it to the holder of another address: the
    first character of the mailbox name, then `***`, then the domain, so the
    reader recognises it without learning it ("d***@example.com")."""
    local, _, domain = email.strip().rpartition("@")
    if not local:
        return "***"
    return f"{local[0]}***@{domain}"
