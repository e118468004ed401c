"""Relay's paging arguments, the same on every connection (SPEC 9, 12): `first`
and `after` page forwards, `last` and `before` backwards, 1 to 100 a page
(20 when neither `first` nor `last` is given)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.relay import PageInfo

from domain.errors import TopLevelErrorCode
from domain.paging import PageRefused, page_size
from repository.contacts import decode_cursor
from repository.keyset import PageRequest

First = Annotated[int | None, strawberry.argument(
    description="Page forwards: this many items (1 to 100) after `after`. The default when neither "
    "`first` nor `last` is given: 20."
)]
After = Annotated[str | None, strawberry.argument(
    description="The `cursor` of the item the page starts after (`pageInfo.endCursor` of the previous page)."
)]
Last = Annotated[int | None, strawberry.argument(
    description="Page backwards: this many items (1 to 100) before `before`, or at the end of the list. "
    "Not together with `first`."
)]
Before = Annotated[str | None, strawberry.argument(
    description="The `cursor` of the item the page ends before (`pageInfo.startCursor` of the next page)."
)]


def invalid(message: str) -> StrawberryGraphQLError:
    return StrawberryGraphQLError(message, extensions={"code": TopLevelErrorCode.INVALID_INPUT})


def page_request(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    key: Callable[[tuple[str, int] | None], tuple | None] = lambda cursor: cursor,
) -> PageRequest:
    """The arguments as one page; `key` types a decoded cursor for the list's order."""
    try:
        size = page_size(first, last)
    except PageRefused as refused:
        raise invalid(str(refused)) from None
    return PageRequest(
        size,
        after=key(decode_cursor(after)) if after else None,
        before=key(decode_cursor(before)) if before else None,
        backward=last is not None,
    )


def page_info(edges: list, page: PageRequest, has_more: bool) -> PageInfo:
    """Whether more items lie beyond the page, told for its reading direction; the
    other direction has more when the page was bounded on that side."""
    if page.backward:
        has_next, has_previous = page.before is not None, has_more
    else:
        has_next, has_previous = has_more, page.after is not None
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
