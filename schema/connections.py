"""Relay connections of the root lists, with `totalCount` (SPEC 11)."""

from __future__ import annotations

import strawberry
from strawberry.relay import PageInfo

from schema.types import Contact, Job, Lead


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


@strawberry.type
class JobEdge:
    cursor: str
    node: Job


@strawberry.type
class JobConnection:
    edges: list[JobEdge]
    page_info: PageInfo
    _total: strawberry.Private[object]

    @strawberry.field(description="How many jobs match, across all pages.")
    async def total_count(self) -> int:
        return await self._total()


@strawberry.type
class LeadEdge:
    cursor: str
    node: Lead


@strawberry.type
class LeadConnection:
    edges: list[LeadEdge]
    page_info: PageInfo
    _total: strawberry.Private[object]

    @strawberry.field(description="How many leads match, across all pages.")
    async def total_count(self) -> int:
        return await self._total()
