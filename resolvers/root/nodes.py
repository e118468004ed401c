"""Root fields that find any object by its global id (Relay's `node` and `nodes`), merged into
`Query` in resolvers/root/build.py."""

from __future__ import annotations

import strawberry
from strawberry import relay

from resolvers.nodes import nodes_by_global_ids


@strawberry.type
class NodeQuery:
    node: relay.Node | None = relay.node(description="Any object by its global id; null when not found or not yours.")
    nodes: list[relay.Node | None] | None = strawberry.field(
        resolver=nodes_by_global_ids,
        description="Objects by their global ids (at most 100), in the order asked; null for each one "
        "not found or not yours.",
    )
