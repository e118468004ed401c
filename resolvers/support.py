"""Small helpers every mutation resolver uses: decoding ids, reading Maybe inputs,
and building contact payloads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry.types import Info

import schema.types as types
from domain.errors import NotFound, RuleError
from permissions.classes import decode_node_id
from reads import nodes


# Every mutation takes one `input` argument (SPEC 9, 11); its type says the rest.
INPUT = strawberry.argument(description="The mutation's input: one object, described by its type.")


def node_id_or_error(value: Any, type_name: str, path: str) -> int:
    """The database id behind a global id of `type_name`; anything else is NOT_FOUND."""
    record_id = decode_node_id(value, type_name)
    if record_id is None:
        raise NotFound((path,), type_name.lower())
    return record_id


def contact_id_or_error(value: Any, path: str = "contactId") -> int:
    return node_id_or_error(value, "Contact", path)


def present(patch: Any, names: Sequence[str]) -> dict[str, Any]:
    """The fields of a patch input that were given (`Maybe` is set), by GraphQL name."""
    given: dict[str, Any] = {}
    for name in names:
        attribute = "".join("_" + c.lower() if c.isupper() else c for c in name)
        value = getattr(patch, attribute, None)
        if value is not None:  # Some(...) means "given", even when it holds None
            inner = value.value
            if isinstance(inner, object) and hasattr(inner, "__strawberry_definition__"):
                inner = present(inner, ["street", "city", "state", "postalCode"])
            given[name] = inner
    return given


def violation_payload(payload_cls, error: RuleError, **extra):
    return payload_cls(user_errors=types.UserError.from_violations(error.violations), **extra)


async def contacts_for_payload(info: Info, contact_ids: Sequence[int]) -> list[types.Contact]:
    """Reads contacts after a commit, in a fresh session, as the viewer sees them."""
    return [types.Contact.from_rows(rows, info) for rows in await nodes.contacts_as_written(info.context, contact_ids)]


