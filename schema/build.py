"""Builds the GraphQL schema: the root types are merged from one class per area,
so each area declares its own fields in its own module."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from hardening.extensions import schema_extensions
from schema import types
from schema.mutation import ContactMutation
from schema.query import ContactQuery

QUERY_AREAS: tuple[type, ...] = (ContactQuery,)
MUTATION_AREAS: tuple[type, ...] = (ContactMutation,)

Query = merge_types("Query", QUERY_AREAS)
Mutation = merge_types("Mutation", MUTATION_AREAS)


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[types.Contact, types.Job, types.Lead],
        # Limits, cost, cached validation, persisted queries, error masking.
        extensions=schema_extensions(),
    )


schema = build_schema()
