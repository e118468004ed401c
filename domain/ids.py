"""Record ids as clients send them (inside global ids and cursors).

Every table's id is a 32-bit integer on PostgreSQL (`integer`), so a number past
2^31 - 1 can name no row: it is simply not found, like any id that does not
exist, instead of a value the database refuses to compare."""

from __future__ import annotations

import re

MAX_RECORD_ID = 2**31 - 1

_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII digits only: str.isdigit() also accepts "²" and "١"


def record_id(text: str) -> int | None:
    """The id written in `text`, or None when it cannot be one of ours."""
    if not isinstance(text, str) or _DIGITS.fullmatch(text) is None:
        return None
    value = int(text)
    return value if 0 < value <= MAX_RECORD_ID else None


def is_record_id(value: object) -> bool:
    """True for an int (not a bool) that a row's id can be."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_RECORD_ID
