"""Relay connections of the root lists, with `totalCount` (SPEC 11)."""

from __future__ import annotations

import strawberry
from strawberry.relay import PageInfo

from schema.types import Contact


@strawberry.type
class ContactEdge:
    cursor: str
    node: Contact


@strawberry.type
class ContactConnection:
    edges: list[ContactEdge]
    page_info: PageInfo
    _total: strawberry.Private[object]

    @strawberry.field(description="How many contacts match, across all pages.")
    async def total_count(self) -> int:
        return await self._total()
