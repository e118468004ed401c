"""Builds the GraphQL schema: the root types are merged from one class per area,
so each area declares its own fields in its own module."""

from __future__ import annotations

import strawberry
from graphql import GraphQLSchema
from strawberry.types import get_object_definition

from hardening.errors import log_errors
from hardening.extensions import schema_extensions
from observability.graphql_tracing import TracedOperation
from observability.metrics import GraphQLMetrics
from resolvers.root.accounts import AccountMutation, AccountQuery
from resolvers.root.contacts import ContactMutation, ContactQuery
from resolvers.root.custom_fields import CustomFieldMutation, CustomFieldQuery
from resolvers.root.email_changes import EmailChangeMutation
from resolvers.root.invites import InviteMutation, InviteQuery
from resolvers.root.jobs_leads import JobsLeadsMutation, JobsLeadsQuery
from resolvers.root.merges import MergeMutation, MergeQuery
from resolvers.root.nodes import NodeQuery
from resolvers.root.notifications import NotificationMutation
from resolvers.root.passwords import PasswordMutation
from resolvers.root.profile_images import ProfileImageMutation
from schema import types
from schema.custom_fields import CustomField
from schema.merges import ContactMerge
from schema.planned_reads import PlannedReads, answer_known_document, remember_if_planned
from schema.scalars import SCALAR_OVERRIDES

QUERY_AREAS: tuple[type, ...] = (
    NodeQuery, AccountQuery, ContactQuery, InviteQuery, JobsLeadsQuery, CustomFieldQuery,
    MergeQuery,
)
MUTATION_AREAS: tuple[type, ...] = (
    AccountMutation, ContactMutation, InviteMutation, PasswordMutation, ProfileImageMutation,
    JobsLeadsMutation, CustomFieldMutation, NotificationMutation, MergeMutation,
    EmailChangeMutation,
)

# The error codes a client meets, listed where GraphiQL and codegen show them
# (docs/api.md has the same list, with what to do about each).
ERROR_CODES = (
    "Every error in `errors` has `extensions.code`. Request errors (no `data`): "
    "GRAPHQL_PARSE_FAILED (the document does not parse, or has over 2,000 tokens), "
    "GRAPHQL_VALIDATION_FAILED (it does not validate against this schema), "
    "BAD_USER_INPUT (variables that do not coerce to their types), "
    "PERSISTED_QUERY_NOT_FOUND (send the query text along with its hash), "
    "PERSISTED_QUERY_NOT_SUPPORTED (persisted queries are off: send the query text), "
    "INTROSPECTION_DISABLED (introspection is off on this server), "
    "QUERY_TOO_LARGE and QUERY_TOO_COSTLY (ask for less). "
    "Field errors (the field is null, its siblings keep their data): "
    "UNAUTHENTICATED (sign in), FORBIDDEN (not for this viewer), "
    "CONTACT_LOCKED (the message says what to do first), "
    "INVALID_INPUT (an argument out of range, such as `first`), "
    "BAD_USER_INPUT (a malformed global id), "
    "INTERNAL_SERVER_ERROR (a failure of the server; `requestId` finds it in the log). "
    "Business-rule refusals are not errors: they are `userErrors` in the mutation's payload."
)

Query = strawberry.type(
    type("Query", QUERY_AREAS, {}),
    description="What a client reads; each root field is nullable, so one refused field leaves the others' data. "
    + ERROR_CODES,
)
Mutation = strawberry.type(
    type("Mutation", MUTATION_AREAS, {}),
    description="What a client changes: one `input` argument and a payload with `userErrors` each; "
    "a refused mutation answers null with an error. " + ERROR_CODES,
)


class OwnerHubSchema(strawberry.Schema):
    """Strawberry's schema, with graphql-core's schema of the same types as a public
    attribute, `graphql_schema`, for what validates documents itself
    (hardening/validation.py, `ownerhub register-operations`, tests that walk the
    types). Strawberry keeps the one it executes with in a private attribute; this
    one is built from the very type objects Strawberry converted (their
    `extensions` carry what Strawberry's own validation rules read), in the same
    order, with graphql-core's specified directives, which are Strawberry's when no
    custom directive is declared. tests/test_library_internals.py checks that it
    prints as the served schema does."""

    def __init__(self, *, query: type, mutation: type, types: list[type], **options) -> None:
        super().__init__(query=query, mutation=mutation, types=types, **options)
        converted = self.schema_converter
        self.graphql_schema = GraphQLSchema(
            query=converted.from_object(get_object_definition(query, strict=True)),
            mutation=converted.from_object(get_object_definition(mutation, strict=True)),
            types=[converted.from_object(get_object_definition(type_, strict=True)) for type_ in types],
        )

    async def execute(  # noqa: PLR0917 - Strawberry's signature
        self,
        query: str | None,
        variable_values: dict | None = None,
        context_value=None,
        root_value=None,
        operation_name: str | None = None,
        allowed_operation_types=None,
        operation_extensions: dict | None = None,
    ):
        """A plain-text query a plan answered before runs by its plan straight
        away (schema/planned_reads.py: the short way); everything else, and that
        query when its plan declines, runs Strawberry's full way."""
        if not operation_extensions:
            known = await answer_known_document(self, query, operation_name, variable_values, context_value)
            if known is not None:
                return known
        result = await super().execute(
            query, variable_values, context_value, root_value, operation_name, allowed_operation_types,
            operation_extensions,
        )
        remember_if_planned(query, operation_name, operation_extensions, context_value, result)
        return result

    def process_errors(self, errors, execution_context=None) -> None:
        # Strawberry logs every error at ERROR; client refusals are not failures.
        log_errors(errors)


def build_schema() -> OwnerHubSchema:
    return OwnerHubSchema(
        query=Query,
        mutation=Mutation,
        types=[types.Contact, types.Job, types.Lead, CustomField, ContactMerge],
        # Limits, cost, cached validation, persisted queries, error masking; planned reads; metrics, tracing.
        extensions=[*schema_extensions(before_viewer_lookup=[PlannedReads]), GraphQLMetrics, TracedOperation],
        scalar_overrides=SCALAR_OVERRIDES,
    )


schema = build_schema()
