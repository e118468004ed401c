"""Query limits (SPEC 9): depth 10, aliases 15, tokens 2,000 and a cost cap,
counting through fragments.

The rule classes are built once, at import: Strawberry's validation cache keys on
the tuple of rule classes, so a class built per request (as `QueryDepthLimiter`
and `MaxAliasesLimiter` do when used as per-request extension factories) makes
every lookup miss (PERF-NOTES, lesson 1).

Depth and aliases use Strawberry's own validators. They walk a fragment again at
every spread, which is what makes them count through fragments, and also what
makes a document whose fragments spread each other twice, twenty levels down,
cost 2^20 visits. `QueryLimitsRule` therefore first measures the document as
expanded (memoised per fragment, linear in its size) and refuses an oversized
expansion before Strawberry's validators walk it.
"""

from __future__ import annotations

from functools import cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    Visitor,
    visit,
)
from strawberry.extensions.max_aliases import create_validator as create_alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as create_depth_validator

from domain.errors import TopLevelErrorCode

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2_000
# Fields of the document once every fragment spread is replaced by its fragment.
# A legitimate document of at most 2,000 tokens stays far below this.
MAX_EXPANDED_FIELDS = 20_000

_DepthValidator = create_depth_validator(MAX_DEPTH, should_ignore=None)
_AliasValidator = create_alias_validator(MAX_ALIASES)


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in context.document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def expanded_field_count(context: ValidationContext) -> tuple[int, bool]:
    """The number of fields once fragments are expanded, over all operations,
    and whether the document spreads a fragment it does not define.

    Memoised per fragment, so it is linear in the document; a fragment cycle
    counts as empty here (`NoFragmentCyclesRule` reports it)."""
    fragments = _fragments(context)
    memo: dict[str, int] = {}
    in_progress: set[str] = set()
    unknown = False

    def count(selection_set: SelectionSetNode | None) -> int:
        nonlocal unknown
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 + count(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in fragments:
                    unknown = True
                elif name in memo:
                    total += memo[name]
                elif name not in in_progress:
                    in_progress.add(name)
                    memo[name] = count(fragments[name].selection_set)
                    in_progress.discard(name)
                    total += memo[name]
        return total

    total = sum(
        count(definition.selection_set)
        for definition in context.document.definitions
        if isinstance(definition, OperationDefinitionNode)
    )
    return total, unknown


def _has_empty_selection_set(document: DocumentNode) -> bool:
    found = False

    class EmptySelections(Visitor):
        def enter_selection_set(self, node: SelectionSetNode, *_args) -> None:
            nonlocal found
            found = found or not node.selections

    visit(document, EmptySelections())
    return found


class QueryLimitsRule(ValidationRule):
    """Depth (10) and aliases (15), through fragments, with Strawberry's validators,
    behind a guard on the document's expanded size."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        size, unknown_fragments = expanded_field_count(context)
        if size > MAX_EXPANDED_FIELDS:
            context.report_error(
                GraphQLError(
                    f"The document selects {size:,} fields once its fragments are expanded; "
                    f"the limit is {MAX_EXPANDED_FIELDS:,}.",
                    extensions={"code": TopLevelErrorCode.QUERY_TOO_LARGE},
                )
            )
            return
        if unknown_fragments:
            # Strawberry's depth walk looks fragments up by name and would raise;
            # `KnownFragmentNamesRule` reports the unknown spread instead.
            return
        if _has_empty_selection_set(context.document):
            # graphql-core parses `{}`; Strawberry's depth walk would fail on it.
            context.report_error(GraphQLError("A selection set cannot be empty: select at least one field.",
                                              extensions={"code": TopLevelErrorCode.GRAPHQL_VALIDATION_FAILED}))
            return
        _DepthValidator(context)
        _AliasValidator(context)


@cache
def cost_rule(max_cost: int) -> type[ValidationRule]:
    """The cost rule for one cap: one class per cap value, so the validation cache
    sees the same class on every request."""
    from hardening.cost import make_cost_rule

    return make_cost_rule(max_cost)
