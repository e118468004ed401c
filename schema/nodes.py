"""How every node type answers lookups by global id (`resolve_nodes`): the ids decoded, the rows
read through the read layer, one answer per id in the order asked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Iterable

from domain.ids import record_id


def record_ids(node_ids: Iterable[str]) -> list[int | None]:
    """The database ids behind the node ids of global ids; None for a malformed one."""
    return [record_id(i) for i in node_ids]


def answer_nodes(node_ids: Sequence[str], found: Sequence[Any], required: bool, build: Callable[[Any], Any]) -> list:
    """One answer per id asked: `build(rows)` where the read layer found rows, else
    null (or, when `required`, the error Strawberry's relay turns into one)."""
    answers = []
    for node_id, rows in zip(node_ids, found):
        if rows is None and required:
            raise ValueError(f"No object with id {node_id}.")
        answers.append(None if rows is None else build(rows))
    return answers
