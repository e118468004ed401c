"""Relay connections of the root lists, with `totalCount` (SPEC 11). One generic
shape; Strawberry names each use after its node (`ContactConnection`, `JobEdge`...)."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry
from strawberry.relay import PageInfo

from schema.types import Contact, Job, Lead

NodeType = TypeVar("NodeType")


@strawberry.type
class Edge(Generic[NodeType]):
    cursor: str
    node: NodeType


@strawberry.type
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]]
    page_info: PageInfo
    _total: strawberry.Private[object]

    @strawberry.field(description="How many nodes match the arguments, across all pages.")
    async def total_count(self) -> int:
        return await self._total()


ContactEdge = Edge[Contact]
ContactConnection = Connection[Contact]
JobEdge = Edge[Job]
JobConnection = Connection[Job]
LeadEdge = Edge[Lead]
LeadConnection = Connection[Lead]
