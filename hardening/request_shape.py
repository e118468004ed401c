"""The shape of a GraphQL request, checked before anything else reads it (SPEC 12:
no input, however malformed, answers 5xx; a malformed body is `BAD_USER_INPUT`).

A JSON body, the query parameters of a GET and the `operations` field of a
multipart request must all come down to one object with a string `query`, an
object `variables`, an object `extensions` and a string `operationName` (each may
be absent or null). Anything else is refused here with a 400 that says what is
wrong, instead of failing somewhere deeper with a Python error.

U+0000 is refused in every string of the request too: PostgreSQL cannot store it
in text, and no name, address, search term or login of ours ever holds it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from graphql import ASTValidationRule, GraphQLError, StringValueNode

from domain.errors import TopLevelErrorCode

NUL = "\x00"


class MalformedRequest(HTTPException):
    """A request that is not one readable GraphQL operation: always a 400."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)


def check_operation(data: Any) -> dict[str, Any]:
    """The request object, once its members have the types GraphQL over HTTP requires."""
    if isinstance(data, list):
        raise MalformedRequest("Batched requests are not supported: send one operation per request.")
    if not isinstance(data, dict):
        raise MalformedRequest(
            "The request must be a JSON object with a `query` string (and optional "
            "`variables`, `operationName` and `extensions`)."
        )
    for member, kind, types in (
        ("query", "a string", (str,)),
        ("operationName", "a string", (str,)),
        ("variables", "an object", (dict,)),
        ("extensions", "an object", (dict,)),
    ):
        value = data.get(member)
        if value is not None and not isinstance(value, types):
            raise MalformedRequest(f"The GraphQL operation's `{member}` must be {kind} or null, if provided.")
    refuse_nul(data)
    return data


def refuse_nul(value: Any, path: str = "") -> None:
    """Raises MalformedRequest naming the first member whose text holds U+0000."""
    if isinstance(value, str):
        if NUL in value:
            raise MalformedRequest(f"`{path or 'the request'}` contains the character U+0000, which is not text.")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key, path)
            refuse_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_nul(item, f"{path}.{index}")


def check_files_map(files_map: Any) -> dict[str, list[str]]:
    """The multipart `map`: an object from form field names to lists of paths."""
    if not isinstance(files_map, dict) or not all(
        isinstance(paths, list) and all(isinstance(path, str) for path in paths) for paths in files_map.values()
    ):
        raise MalformedRequest(
            "The multipart `map` must be a JSON object from file field names to lists of "
            "paths such as \"variables.file\"."
        )
    return files_map


def place_files(operations: dict[str, Any], files_map: Mapping[str, list[str]], files: Mapping[str, Any]) -> None:
    """Puts each uploaded file where the map says, in place (GraphQL multipart
    request spec). A path must lead, through existing objects and list items, to
    a member of an object or an item of a list; a map naming a file the form does
    not carry is refused."""
    for field_name, paths in files_map.items():
        if isinstance(files.get(field_name, ""), (str, bytes)):
            raise MalformedRequest(f"The multipart `map` names the file `{field_name}`, which the form does not carry.")
        for path in paths:
            *parents, last = path.split(".")
            target: Any = operations
            for key in parents:
                target = _step(target, key, path)
            if isinstance(target, dict):
                target[last] = files[field_name]
            elif isinstance(target, list) and _index(target, last) is not None:
                target[_index(target, last)] = files[field_name]
            else:
                raise MalformedRequest(f"The multipart `map` path `{path}` does not lead into the operation.")


def _step(target: Any, key: str, path: str) -> Any:
    if isinstance(target, dict) and key in target:
        return target[key]
    if isinstance(target, list) and _index(target, key) is not None:
        return target[_index(target, key)]
    raise MalformedRequest(f"The multipart `map` path `{path}` does not lead into the operation.")


def _index(items: list, key: str) -> int | None:
    if key.isascii() and key.isdigit() and int(key) < len(items):
        return int(key)
    return None


class NoNulInStrings(ASTValidationRule):
    """A string literal of the document written with the escape `\\u0000`: refused
    like U+0000 in the request's JSON."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if NUL in node.value:
            self.report_error(
                GraphQLError(
                    "A string in the document contains the character U+0000, which is not text.",
                    node,
                    extensions={"code": TopLevelErrorCode.BAD_USER_INPUT},
                )
            )
