"""Root query resolvers for contacts, and `nodes(ids:)`."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.relay.types import GlobalIDValueError
from strawberry.types import Info

import schema.types as types
from reads import lists, prefetch
from repository.contacts import encode_cursor
from repository.keyset import keyset_key
from resolvers.selection import selected_paths
from schema.connections import ContactConnection, ContactEdge
from schema.enums import ActivationStatus, ContactOrder
from schema.paging import After, Before, First, Last, page_info, page_request

MAX_NODES = 100


async def contact(
    info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The contact's global id.")]
) -> types.Contact | None:
    if id.type_name != "Contact":
        return None
    return (await types.contacts_by_ids(info, [id.node_id]))[0]


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
    statuses = [s.value for s in status] if status else None
    found, has_more = await prefetch.contact_page(
        context, selected_paths(info), page=page, search=search, statuses=statuses, order_by=order_by.value
    )

    sort_attr = {"LAST_NAME": "last_name", "FIRST_NAME": "first_name", "CREATED_AT": "created_at"}[order_by.value]

    def cursor_of(row) -> str:
        value = getattr(row, sort_attr)
        if order_by is ContactOrder.CREATED_AT:
            value = value.isoformat()
        return encode_cursor(value or "", row.id)

    edges = [ContactEdge(cursor=cursor_of(rows.row), node=types.Contact.from_rows(rows, info)) for rows in found]

    async def total() -> int:
        return await lists.contact_count(context, search=search, statuses=statuses)

    return ContactConnection(edges=edges, page_info=page_info(edges, page, has_more), _total=total)


async def nodes_by_global_ids(
    info: Info,
    ids: Annotated[list[relay.GlobalID], strawberry.argument(description="Global ids (at most 100), of any types.")],
) -> list[relay.Node | None]:
    """`nodes(ids:)`: each id as `node(id)` would answer it, in order, one batch per
    type. An id of an unknown type is reported like a missing object (null)."""
    if len(ids) > MAX_NODES:
        raise StrawberryGraphQLError(
            f"`ids` may hold at most {MAX_NODES} ids.", extensions={"code": "INVALID_INPUT"}
        )
    by_type: dict[type, list[tuple[int, str]]] = {}
    for index, global_id in enumerate(ids):
        try:
            node_type = global_id.resolve_type(info)
        except GlobalIDValueError:
            continue
        by_type.setdefault(node_type, []).append((index, global_id.node_id))
    found = await asyncio.gather(*(
        node_type.resolve_nodes(info=info, node_ids=[node_id for _, node_id in entries], required=False)
        for node_type, entries in by_type.items()
    ))
    result: list[relay.Node | None] = [None] * len(ids)
    for entries, nodes in zip(by_type.values(), found):
        for (index, _), node in zip(entries, nodes):
            result[index] = node
    return result
