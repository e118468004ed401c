"""Root query resolvers for contacts."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

import schema.types as types
from repository.contacts import ContactRepository, encode_cursor
from repository.keyset import keyset_key
from resolvers import nodes, prefetch
from resolvers.paging import After, Before, First, Last, page_info, page_request
from schema.connections import ContactConnection, ContactEdge
from schema.enums import ActivationStatus, ContactOrder


async def contact(
    info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The contact's global id.")]
) -> types.Contact | None:
    if id.type_name != "Contact":
        return None
    return (await nodes.contacts_by_ids(info, [id.node_id], required=False))[0]


async def contacts(
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    search: Annotated[str | None, strawberry.argument(
        description="Only contacts whose first name, last name, full name or primary email contains this text "
        "(case-insensitive)."
    )] = None,
    status: Annotated[list[ActivationStatus] | None, strawberry.argument(
        description="Only contacts in one of these activation statuses."
    )] = None,
    order_by: Annotated[ContactOrder, strawberry.argument(
        description="The order of the list; ties are broken by id."
    )] = ContactOrder.LAST_NAME,
) -> ContactConnection:
    page = page_request(first, after, last, before, key=lambda cursor: keyset_key(cursor, order_by.value))
    context = info.context
    statuses = status or None
    rows, has_more = await prefetch.contact_page(
        info, page=page, search=search, statuses=statuses, order_by=order_by.value
    )

    sort_attr = {"LAST_NAME": "last_name", "FIRST_NAME": "first_name", "CREATED_AT": "created_at"}[order_by.value]

    def cursor_of(row) -> str:
        value = getattr(row, sort_attr)
        if order_by is ContactOrder.CREATED_AT:
            value = value.isoformat()
        return encode_cursor(value or "", row.id)

    edges = [ContactEdge(cursor=cursor_of(row), node=node) for row, node in rows]

    async def total() -> int:
        async with context.session_factory() as session:
            return await ContactRepository(session, context.actor.builder_account_id).count(
                search=search, statuses=statuses
            )

    return ContactConnection(edges=edges, page_info=page_info(edges, page, has_more), _total=total)
