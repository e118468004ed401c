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


def global_record_id(global_id: object, type_name: str) -> int | None:
    """The record id inside a client's global id when it names a `type_name`, else
    None. The project's one decoder of global ids: `global_id` is what the schema
    parsed (a type name and a node id), and a wrong type, a malformed number or
    one past the column's range all name no row, like a missing one."""
    if getattr(global_id, "type_name", None) != type_name:
        return None
    return record_id(getattr(global_id, "node_id", None))
