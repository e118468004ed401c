"""Keyset pages in both directions, for the Relay connections (`first`/`after`
forwards, `last`/`before` backwards; SPEC 12).

A page is ordered by one sort expression, then by id, so that every row has one
place. Forwards, a page is the `size` rows after the `after` key; backwards, the
`size` rows before the `before` key, read in reverse order and handed back in
list order. One row more than the page is read to tell whether more exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_


@dataclass(frozen=True)
class PageRequest:
    size: int
    after: tuple[Any, int] | None = None  # (sort value, id) of the row before the page
    before: tuple[Any, int] | None = None  # (sort value, id) of the row after the page
    backward: bool = False  # `last`: the page ends at `before`, or at the end of the list


def keyset_key(cursor: tuple[str, int] | None, order_by: str) -> tuple[Any, int] | None:
    """A decoded cursor (sort value as text, id) as a key of this order: the sort
    value typed for its column, a datetime for `CREATED_AT` (None when it does
    not parse, which bounds nothing)."""
    if cursor is None:
        return None
    sort_value, row_id = cursor
    if order_by == "CREATED_AT":
        try:
            return datetime.fromisoformat(sort_value), row_id
        except ValueError:
            return None, row_id
    return sort_value, row_id


def bounded(query: Select, sort: Any, id_column: Any, page: PageRequest) -> Select:
    """The rows strictly between the `after` and `before` keys; a key whose sort
    value is None (a cursor that did not decode for this order) bounds nothing."""
    if page.after is not None and page.after[0] is not None:
        value, row_id = page.after
        query = query.where(or_(sort > value, and_(sort == value, id_column > row_id)))
    if page.before is not None and page.before[0] is not None:
        value, row_id = page.before
        query = query.where(or_(sort < value, and_(sort == value, id_column < row_id)))
    return query


def page_of(query: Select, sort: Any, id_column: Any, page: PageRequest) -> Select:
    """One page plus one row, in reading order (reversed for a backward page)."""
    query = bounded(query, sort, id_column, page)
    if page.backward:
        query = query.order_by(sort.desc(), id_column.desc())
    else:
        query = query.order_by(sort, id_column)
    return query.limit(page.size + 1)


def trim(rows: list, page: PageRequest, *, reading_order: bool = True) -> tuple[list, bool]:
    """The page's rows in list order, and whether more rows lie beyond it (in the
    direction of reading). `reading_order=False`: the rows are already in list
    order (an outer query ordered them again)."""
    more = len(rows) > page.size
    if not page.backward:
        return rows[: page.size], more
    if reading_order:
        return list(reversed(rows[: page.size])), more
    return rows[len(rows) - page.size:] if more else rows, more
