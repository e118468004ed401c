"""The schema extensions of the hardened surface, in the order they matter.
`schema/build.py` passes `schema_extensions()` to `strawberry.Schema`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from strawberry.extensions import MaxTokensLimiter, ParserCache, SchemaExtension

from hardening.errors import MaskUnexpectedErrors
from hardening.limits import MAX_TOKENS
from hardening.persisted import PersistedQueries
from hardening.validation import LimitedValidation

PARSER_CACHE_SIZE = 256


class ResolveViewerBeforeExecution(SchemaExtension):
    """Looks the bearer token up only once the document has parsed and validated,
    so a refused document costs no SQL at all (SECURITY-CASES 1)."""

    async def on_execute(self) -> AsyncIterator[None]:
        resolve = getattr(self.execution_context.context, "resolve_viewer", None)
        if resolve is not None:
            await resolve()
        yield


def schema_extensions() -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    return [
        PersistedQueries,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=PARSER_CACHE_SIZE),
        LimitedValidation,
        MaskUnexpectedErrors,
        ResolveViewerBeforeExecution,
    ]
