"""Root query fields for sign-in and contacts (merged into `Query` in resolvers/root/build.py)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from permissions.classes import IsBuilder
from resolvers import auth, queries
from schema.connections import ContactConnection
from schema.types import Contact, Viewer


@strawberry.type
class ContactQuery:
    node: relay.Node | None = relay.node(description="Any object by its global id; null when not found or not yours.")
    nodes: list[relay.Node | None] | None = strawberry.field(
        resolver=queries.nodes_by_global_ids,
        description="Objects by their global ids (at most 100), in the order asked; null for each one "
        "not found or not yours.",
    )
    me: Viewer | None = strawberry.field(resolver=auth.me, description="The signed-in user; null when anonymous.")
    contact: Contact | None = strawberry.field(
        resolver=queries.contact,
        description="A contact by id. Ids of merged contacts resolve to the surviving contact.",
    )
    contacts: ContactConnection | None = strawberry.field(
        resolver=queries.contacts,
        permission_classes=[IsBuilder],
        description="The builder account's contacts, paginated both ways (`first`/`after` or `last`/`before`, "
        "1 to 100).",
    )
