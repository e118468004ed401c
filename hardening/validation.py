"""Validation with our limit rules, cached across requests.

Strawberry's `ValidationCache` keys its cache on (schema, document, rules) and
cannot hide graphql-core's "Did you mean ...?" suggestions, which leak the
schema when introspection is off. This extension does the same caching with
`hide_suggestions`. Its rule tuple is made of classes built once (limits.py,
`cost_rule` is memoised per cap), so a repeated document is validated once.
It validates against the schema's public `graphql_schema`
(resolvers/root/build.py), the graphql-core schema of the very types Strawberry
executes with.

The document is keyed by identity, not by value: the parser cache hands every
request of the same text the same `DocumentNode`, and hashing and comparing an
AST by value walks the whole tree on every request."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from hardening.error_codes import IntrospectionDisabledRule
from hardening.limits import QueryLimitsRule, cost_rule
from hardening.request_shape import NoNulInStrings

CACHE_SIZE = 256
# Documents longer than this are parsed and validated on every request, never
# cached: a parsed document holds its text about twice over, so 256 cached 1 MB
# documents would hold half a gigabyte (issue 13). Real operations are far smaller.
MAX_CACHED_DOCUMENT_CHARS = 64 * 1024
DEFAULT_MAX_COST = 10_000


@dataclass(frozen=True)
class ValidationPolicy:
    extra_rules: tuple[type[ASTValidationRule], ...]
    hide_suggestions: bool


@cache
def validation_policy(*, introspection: bool, max_cost: int) -> ValidationPolicy:
    rules: tuple[type[ASTValidationRule], ...] = (
        QueryLimitsRule,
        cost_rule(max_cost),
        MaybeNullValidationRule,
        OneOfInputValidationRule,
        NoNulInStrings,
    )
    if not introspection:
        rules += (IntrospectionDisabledRule,)
    # Suggestions describe the schema as much as introspection does.
    return ValidationPolicy(rules, hide_suggestions=not introspection)


def policy_for(settings) -> ValidationPolicy:
    if settings is None:  # executed outside a request (tools, tests of the schema)
        return validation_policy(introspection=True, max_cost=DEFAULT_MAX_COST)
    return validation_policy(introspection=settings.introspection_enabled, max_cost=settings.MAX_QUERY_COST)


class DocumentIdentity:
    """A cache key that is one parsed document object (the cache keeps it alive,
    so its id is not reused while the entry exists)."""

    __slots__ = ("document",)

    def __init__(self, document: DocumentNode) -> None:
        self.document = document

    def __hash__(self) -> int:
        return id(self.document)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocumentIdentity) and other.document is self.document


def validate_document(
    schema: GraphQLSchema,
    document: DocumentIdentity,
    rules: tuple[type[ASTValidationRule], ...],
    hide_suggestions: bool,
) -> list[GraphQLError]:
    return validate(schema, document.document, rules, hide_suggestions=hide_suggestions)


validate_cached = lru_cache(maxsize=CACHE_SIZE)(validate_document)


def validation_cache_info():
    """Hits and misses of the shared validation cache (`functools` statistics)."""
    return validate_cached.cache_info()


class LimitedValidation(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        execution_context = self.execution_context
        policy = policy_for(getattr(execution_context.context, "settings", None))
        arguments = (
            execution_context.schema.graphql_schema,
            DocumentIdentity(execution_context.graphql_document),
            (*execution_context.validation_rules, *policy.extra_rules),
            policy.hide_suggestions,
        )
        too_large = len(execution_context.query or "") > MAX_CACHED_DOCUMENT_CHARS
        validate_with = validate_document if too_large else validate_cached
        execution_context.pre_execution_errors = list(validate_with(*arguments))
        yield
