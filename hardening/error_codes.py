"""Every error has a code (SPEC 12): `extensions.code` tells a client what went
wrong without reading the message, with the names Apollo clients already know.

Errors raised on purpose carry their own code (permission classes, the page
size, the query limits, persisted queries). This extension gives one to every
other error, by the phase that produced it:

* the document does not parse (or has too many tokens): `GRAPHQL_PARSE_FAILED`;
* it does not validate against the schema: `GRAPHQL_VALIDATION_FAILED`
  (`INTROSPECTION_DISABLED` when it asks for the schema where introspection is
  off, from `IntrospectionDisabledRule`);
* execution refused it before any field ran (variables that do not coerce to
  their types): `BAD_USER_INPUT`;
* a field failed: `BAD_USER_INPUT` for a malformed global id, otherwise
  `INTERNAL_SERVER_ERROR` (a bug; masked in production, hardening/errors.py).

Only the public extension hooks are used: the phase hooks note which phase
failed, and `on_operation` rewrites the result's errors once everything ran,
as Strawberry's own `MaskErrors` does. It must come before the parsing
extensions in the schema's list, so that its `on_parse` starts before theirs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, get_named_type, is_introspection_type
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.relay.types import GlobalIDValueError

from domain.errors import TopLevelErrorCode


class IntrospectionDisabledRule(NoSchemaIntrospectionCustomRule):
    """graphql-core's rule, with the error's code."""

    def enter_field(self, node: Any, *_args: Any) -> None:
        type_ = get_named_type(self.context.get_type())
        if type_ and is_introspection_type(type_):
            self.report_error(
                GraphQLError(
                    "GraphQL introspection has been disabled, but the requested query"
                    f" contained the field '{node.name.value}'.",
                    node,
                    extensions={"code": TopLevelErrorCode.INTROSPECTION_DISABLED},
                )
            )


def with_code(error: GraphQLError, code: TopLevelErrorCode) -> GraphQLError:
    """The same error with `extensions.code` set, unless it has one already."""
    if error.extensions and "code" in error.extensions:
        return error
    return GraphQLError(
        error.message, error.nodes, error.source, error.positions, error.path,
        error.original_error, {**(error.extensions or {}), "code": code},
    )


def execution_error_code(error: GraphQLError) -> TopLevelErrorCode:
    if error.path is None or isinstance(error.original_error, GlobalIDValueError):
        return TopLevelErrorCode.BAD_USER_INPUT
    return TopLevelErrorCode.INTERNAL_SERVER_ERROR


class RequestErrorCodes(SchemaExtension):
    def __init__(self) -> None:
        self._failed_phase: TopLevelErrorCode | None = None
        self._parsing = False

    def on_operation(self) -> Iterator[None]:
        self._failed_phase = None
        self._parsing = False
        try:
            yield
        except GraphQLError as error:
            # An error raised by an extension's hook leaves the operation as an
            # exception, not a result: the parser cache parses in its own hook.
            code = TopLevelErrorCode.GRAPHQL_PARSE_FAILED if self._parsing else TopLevelErrorCode.INTERNAL_SERVER_ERROR
            raise with_code(error, code) from error
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not errors:
            return
        if self._failed_phase is not None:
            result.errors = [with_code(error, self._failed_phase) for error in errors]
        else:
            result.errors = [with_code(error, execution_error_code(error)) for error in errors]

    def on_parse(self) -> Iterator[None]:
        self._parsing = True
        yield
        self._parsing = False
        if self.execution_context.pre_execution_errors:
            self._failed_phase = TopLevelErrorCode.GRAPHQL_PARSE_FAILED

    def on_validate(self) -> Iterator[None]:
        yield
        if self.execution_context.pre_execution_errors:
            self._failed_phase = TopLevelErrorCode.GRAPHQL_VALIDATION_FAILED
