"""The schema extensions of the hardened surface, in the order they matter.
`resolvers/root/build.py` passes `schema_extensions()` to `strawberry.Schema`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence

from graphql import FieldNode, get_operation_ast, parse
from strawberry.extensions import MaxTokensLimiter, ParserCache, SchemaExtension
from strawberry.types.graphql import OperationType

from hardening.error_codes import RequestErrorCodes
from hardening.errors import MaskUnexpectedErrors
from hardening.limits import MAX_TOKENS
from hardening.persisted import PersistedQueries
from hardening.validation import MAX_CACHED_DOCUMENT_CHARS, LimitedValidation

PARSER_CACHE_SIZE = 256


class ResolveViewerBeforeExecution(SchemaExtension):
    """Looks the bearer token up only once the document has parsed and validated,
    so a refused document costs no SQL at all (SECURITY-CASES 1).

    A query whose only root field is `me` (the mobile app's profile) leaves the
    lookup to `me` itself, which runs it on the connection it reads the profile
    with: one connection for the request instead of two. Nothing else in such a
    query can run before `me` has resolved, so every field below it sees the viewer."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        resolve = getattr(context, "resolve_viewer", None)
        if resolve is not None and not only_asks_for_me(self.execution_context.operation_type,
                                                        self.execution_context.graphql_document,
                                                        self.execution_context.operation_name):
            await resolve()
        yield


def only_asks_for_me(operation_type, document, operation_name: str | None) -> bool:
    """True for a query whose root selection is `me` (and `__typename`) and nothing
    else: no fragment at the root, no other field."""
    if operation_type is not OperationType.QUERY or document is None:
        return False
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return False
    names = set()
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return False
        names.add(selection.name.value)
    return "me" in names and names <= {"me", "__typename"}


class SizeBoundedParserCache(ParserCache):
    """Strawberry's parser cache for documents of a sensible size; a larger one
    is parsed on every request, so that distinct large documents cannot fill the
    cache's entries with megabytes each (issue 13)."""

    def on_parse(self) -> Iterator[None]:
        execution_context = self.execution_context
        if len(execution_context.query or "") > MAX_CACHED_DOCUMENT_CHARS:
            execution_context.graphql_document = parse(execution_context.query, **execution_context.parse_options)
            yield
            return
        yield from super().on_parse()


def schema_extensions(
    before_viewer_lookup: Sequence[type[SchemaExtension]] = (),
) -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    """The hardened surface's extensions; `before_viewer_lookup` run just before
    the viewer lookup: extensions that look the viewer up themselves, on the read
    they make anyway (planned reads), so that the request opens one read scope."""
    return [
        PersistedQueries,
        # Before the parser cache, whose parse errors it codes (hardening/error_codes.py).
        RequestErrorCodes,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: SizeBoundedParserCache(maxsize=PARSER_CACHE_SIZE),
        LimitedValidation,
        MaskUnexpectedErrors,
        *before_viewer_lookup,
        ResolveViewerBeforeExecution,
    ]
