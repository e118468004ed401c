"""Relay connections of the root lists, with `totalCount` (SPEC 11). One generic
shape; Strawberry names each use after its node (`ContactConnection`, `JobEdge`...)."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry
from strawberry.relay import PageInfo

from schema.types import Contact, Job, Lead

NodeType = TypeVar("NodeType")


@strawberry.type(description="One item of a page, with its place in the list.")
class Edge(Generic[NodeType]):
    cursor: str = strawberry.field(
        description="An opaque place in the list: pass it as `after` or `before` to page from here."
    )
    node: NodeType = strawberry.field(description="The item.")


@strawberry.type(
    description="One page of a list (a Relay connection): page forwards with `first`/`after`, "
    "backwards with `last`/`before`."
)
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]] = strawberry.field(description="The page's items, in list order.")
    page_info: PageInfo = strawberry.field(description="Where the page is in the list.")
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
