"""`nodes(ids:)`: objects of any type by their global ids, in the order asked."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.relay.types import GlobalIDValueError
from strawberry.types import Info

from domain.errors import TopLevelErrorCode
from domain.paging import MAX_NODES


async def nodes_by_global_ids(
    info: Info,
    ids: Annotated[list[relay.GlobalID], strawberry.argument(description="Global ids (at most 100), of any types.")],
) -> list[relay.Node | None]:
    """`nodes(ids:)`: each id as `node(id)` would answer it, in order, one batch per
    type. An id of an unknown type is reported like a missing object (null)."""
    if len(ids) > MAX_NODES:
        raise StrawberryGraphQLError(
            f"`ids` may hold at most {MAX_NODES} ids.", extensions={"code": TopLevelErrorCode.INVALID_INPUT}
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
