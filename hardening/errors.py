"""Error masking (SPEC 9, STYLE 9): in production a bug answers "Unexpected error."
with no message, trace, SQL or path of the server; the log keeps the full trace
with the request id. Our typed errors go through untouched: permission errors
(`extensions.code`), the `first` range error, request errors (syntax, validation,
variables) and user errors, which are payload data and never errors at all."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.relay.types import GlobalIDValueError

from observability.request_id import current_request_id

log = logging.getLogger("ownerhub.errors")

UNEXPECTED = "Unexpected error."
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def is_unexpected(error: GraphQLError) -> bool:
    """True for an exception a resolver did not mean to show the client."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        # Request errors carry no original error; errors raised on purpose are
        # GraphQLErrors (permission classes, `check_page_size`).
        return False
    if isinstance(original, GlobalIDValueError):
        return False  # a malformed id from the client
    return error.path is not None or not isinstance(original, (ValueError, TypeError))


def without_suggestions(error: GraphQLError) -> GraphQLError:
    """The same error with graphql-core's "Did you mean ...?" hints removed."""
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message, error.nodes, error.source, error.positions, error.path,
        error.original_error, error.extensions,
    )


def _settings(execution_context):
    return getattr(getattr(execution_context, "context", None), "settings", None)


def log_errors(errors: list[GraphQLError]) -> None:
    """Each error of a result at the level it deserves: `error` only for a bug (an
    operator must look at it), `info` for what the client caused (a refused
    permission, an invalid document or variables, a page size out of range), which
    would otherwise bury the bugs. A client's message is not logged: graphql-core
    quotes variable values in it, and those may be passwords or tokens."""
    for error in errors:
        code = (error.extensions or {}).get("code")
        if code == "INTERNAL_SERVER_ERROR":
            continue  # a masked bug: logged with its trace when it was masked
        where = ".".join(map(str, error.path)) if error.path else "-"
        if is_unexpected(error):
            log.error("unexpected error at %s", where, exc_info=error.original_error)
        else:
            log.info("request refused at %s: %s", where, code or "invalid request")


class MaskUnexpectedErrors(SchemaExtension):
    """Masks bugs in production: what Strawberry's `MaskErrors` does, through the
    public `on_operation` hook and the operation's result only. With introspection
    off it also drops suggestions from execution-time errors (variable coercion),
    which validation alone cannot hide."""

    def on_operation(self) -> Iterator[None]:
        yield
        settings = _settings(self.execution_context)
        result = self.execution_context.result
        if settings is None or not settings.is_production or result is None or not result.errors:
            return
        errors = [anonymise(error) if is_unexpected(error) else error for error in result.errors]
        if not settings.introspection_enabled:
            errors = [without_suggestions(error) for error in errors]
        result.errors = errors


def anonymise(error: GraphQLError) -> GraphQLError:
    """The client's view of a bug: "Unexpected error." with the request id; the
    log keeps the trace."""
    log.error(
        "unexpected error at %s (request_id=%s)",
        ".".join(map(str, error.path)) if error.path else "-",
        current_request_id(),
        exc_info=error.original_error,
    )
    # The GraphQL path and locations stay: they point into the client's own
    # document. The request id lets support find the trace in the log.
    return GraphQLError(
        UNEXPECTED, error.nodes, error.source, error.positions, error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": current_request_id()},
    )
