"""How a contact is named where a name is shown (SPEC 1: `displayName`)."""

from __future__ import annotations


def display_name(first: str | None, last: str | None, email: str | None) -> str:
    """First and last name, else the primary email, else "Unnamed contact"."""
    name = " ".join(part for part in (first, last) if part)
    return name or email or "Unnamed contact"
