"""Relay paging's one rule (SPEC 9, 12), for every connection and every path that
reads one (the schema's resolvers, the planner, the cost limit): `first` pages
forwards, `last` backwards, not both; 1 to 100 items a page, 20 when neither is
given. `nodes(ids:)` answers at most 100 ids."""

from __future__ import annotations

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_NODES = 100


class PageRefused(ValueError):
    """Paging arguments the rule refuses; the message says why, in the arguments' names."""


def page_size(first: int | None, last: int | None) -> int:
    """The size of the page the arguments ask for (PageRefused when the rule refuses them)."""
    if first is not None and last is not None:
        raise PageRefused("Give `first` or `last`, not both.")
    name, size = ("last", last) if last is not None else ("first", DEFAULT_PAGE_SIZE if first is None else first)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise PageRefused(f"`{name}` must be between 1 and {MAX_PAGE_SIZE}.")
    return size
