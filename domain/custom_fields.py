"""Custom field rules (SPEC 8): what a definition may look like, and how a value,
which always travels as a string (SPEC 11), is checked against its field's type.

Pure functions over plain values. A cleaned value is stored in one canonical
spelling per type, so that "TRUE" and "true", or "Red" and "red" for an option
"Red", are one value and compare equal after a merge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from domain.errors import Collected, UserErrorCode
from domain.text import check_visible, describe, hidden_character

NAME_MAX = 100
OPTION_MAX = 100
OPTIONS_MAX = 50
VALUE_MAX = 1000

NUMBER_PATTERN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidValue(ValueError):
    """A value that does not fit its field's type; the message says what would."""


def name_key(name: str) -> str:
    """Field names are unique per builder account regardless of case and spacing."""
    return " ".join(name.split()).lower()


def check_definition(
    name: str, field_type: str, options: Sequence[str] | None, errors: Collected
) -> tuple[str, list[str]]:
    """The cleaned name and options of a new field. Options belong to SELECT only,
    which needs at least one, each distinct regardless of case."""
    clean_name = " ".join(name.split())
    if check_visible(name, ("name",), errors):
        if not clean_name:
            errors.add(("name",), UserErrorCode.INVALID_INPUT, "Give the field a name.")
        elif len(clean_name) > NAME_MAX:
            errors.add(("name",), UserErrorCode.INVALID_INPUT, f"Use at most {NAME_MAX} characters.")
    cleaned = [" ".join(option.split()) for option in options or []]
    if field_type != "SELECT":
        if cleaned:
            errors.add(("options",), UserErrorCode.INVALID_INPUT, "Only SELECT fields have options.")
        return clean_name, []
    if not cleaned:
        errors.add(("options",), UserErrorCode.INVALID_INPUT, "A SELECT field needs at least one option.")
    if len(cleaned) > OPTIONS_MAX:
        errors.add(("options",), UserErrorCode.INVALID_INPUT, f"Use at most {OPTIONS_MAX} options.")
    seen: set[str] = set()
    for index, option in enumerate(cleaned):
        path = ("options", str(index))
        if not check_visible(options[index], path, errors):
            continue
        if not option or len(option) > OPTION_MAX:
            errors.add(path, UserErrorCode.INVALID_INPUT, f"An option needs 1 to {OPTION_MAX} characters.")
        elif option.lower() in seen:
            errors.add(path, UserErrorCode.INVALID_INPUT, f'The option "{option}" is listed twice.')
        seen.add(option.lower())
    return clean_name, cleaned


def clean_value(field_name: str, field_type: str, options: Sequence[str], raw: str) -> str:
    """The canonical spelling of `raw` for a field, or `InvalidValue` naming the field."""
    value = raw.strip()
    if (char := hidden_character(value)) is not None:
        raise InvalidValue(f'"{field_name}" cannot hold the invisible or control character {describe(char)}.')
    if field_type == "TEXT":
        if len(value) > VALUE_MAX:
            raise InvalidValue(f'"{field_name}" takes at most {VALUE_MAX} characters.')
        return value
    if field_type == "NUMBER":
        if not NUMBER_PATTERN.match(value) or len(value) > 40:
            raise InvalidValue(f'"{field_name}" needs a number, such as 42 or 42.5.')
        return value.lstrip("+")
    if field_type == "DATE":
        try:
            if not DATE_PATTERN.match(value):
                raise ValueError
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise InvalidValue(f'"{field_name}" needs a date written YYYY-MM-DD, such as 2026-03-01.') from None
    if field_type == "BOOLEAN":
        if value.lower() not in ("true", "false"):
            raise InvalidValue(f'"{field_name}" needs true or false.')
        return value.lower()
    if field_type == "SELECT":
        for option in options:
            if option.lower() == " ".join(value.split()).lower():
                return option
        raise InvalidValue(f'"{field_name}" needs one of: {", ".join(options)}.')
    raise InvalidValue(f'"{field_name}" has an unknown type.')
