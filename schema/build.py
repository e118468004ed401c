"""Builds the GraphQL schema: the root types are merged from one class per area,
so each area declares its own fields in its own module."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from hardening.extensions import schema_extensions
from observability.metrics import GraphQLMetrics
from schema import types
from schema.activation import ActivationMutation, ActivationQuery
from schema.custom_field_types import CustomField
from schema.email_change import EmailChangeMutation
from schema.execution import PlainLeafExecutionContext
from schema.media_mutation import ProfileImageMutation
from schema.merge import MergeMutation, MergeQuery
from schema.merge_types import ContactMerge
from schema.mutation import ContactMutation
from schema.query import ContactQuery
from schema.work import WorkMutation, WorkQuery

QUERY_AREAS: tuple[type, ...] = (ContactQuery, ActivationQuery, WorkQuery, MergeQuery)
MUTATION_AREAS: tuple[type, ...] = (
    ContactMutation, ActivationMutation, ProfileImageMutation, WorkMutation, MergeMutation, EmailChangeMutation,
)

Query = merge_types("Query", QUERY_AREAS)
Mutation = merge_types("Mutation", MUTATION_AREAS)


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[types.Contact, types.Job, types.Lead, CustomField, ContactMerge],
        # Limits, cost, cached validation, persisted queries, error masking; metrics.
        extensions=[*schema_extensions(), GraphQLMetrics],
        execution_context_class=PlainLeafExecutionContext,
    )


schema = build_schema()
