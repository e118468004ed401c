"""Root query resolvers for contacts."""

from __future__ import annotations

from strawberry import relay
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.relay import PageInfo
from strawberry.types import Info

import schema.types as types
from repository.contacts import ContactRepository, decode_cursor, encode_cursor
from resolvers import nodes
from resolvers.loaders import bundle_contacts
from schema.connections import ContactConnection, ContactEdge
from schema.enums import ActivationStatus, ContactOrder

MAX_PAGE_SIZE = 100


def check_page_size(first: int) -> None:
    """Lists are paginated with `first` from 1 to 100 (SPEC 9)."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise StrawberryGraphQLError(
            f"`first` must be between 1 and {MAX_PAGE_SIZE}.", extensions={"code": "INVALID_INPUT"}
        )


def page_info(edges: list, *, has_next: bool, has_previous: bool) -> PageInfo:
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )


async def contact(info: Info, id: relay.GlobalID) -> types.Contact | None:
    if id.type_name != "Contact":
        return None
    return (await nodes.contacts_by_ids(info, [id.node_id], required=False))[0]


async def contacts(
    info: Info,
    first: int = 20,
    after: str | None = None,
    search: str | None = None,
    status: list[ActivationStatus] | None = None,
    order_by: ContactOrder = ContactOrder.LAST_NAME,
) -> ContactConnection:
    check_page_size(first)
    context = info.context
    statuses = [s.value for s in status] if status else None
    cursor = decode_cursor(after) if after else None
    async with context.session_factory() as session:
        repo = ContactRepository(session, context.actor.builder_account_id)
        page = await repo.page(first=first, after=cursor, search=search, statuses=statuses, order_by=order_by.value)
        bundles = await bundle_contacts(repo, page.rows)

    sort_attr = {"LAST_NAME": "last_name", "FIRST_NAME": "first_name", "CREATED_AT": "created_at"}[order_by.value]

    def cursor_of(row) -> str:
        value = getattr(row, sort_attr)
        if order_by is ContactOrder.CREATED_AT:
            value = value.isoformat()
        return encode_cursor(value or "", row.id)

    edges = [
        ContactEdge(cursor=cursor_of(b.contact), node=types.Contact.from_model(b.contact, b.additional_emails, info))
        for b in bundles
    ]

    async def total() -> int:
        async with context.session_factory() as session:
            return await ContactRepository(session, context.actor.builder_account_id).count(
                search=search, statuses=statuses
            )

    return ContactConnection(
        edges=edges, page_info=page_info(edges, has_next=page.has_next, has_previous=cursor is not None), _total=total
    )
