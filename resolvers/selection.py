"""What a root field's selection asks for, as dotted paths, for the read layer's
prefetch plans (reads/prefetch.py)."""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types import Info
from strawberry.types.nodes import SelectedField


def selected_paths(info: Info) -> frozenset[str]:
    """Dotted paths of the fields selected under the current field, through
    fragments ("edges.node.jobs.owners"), from Strawberry's public
    `Info.selected_fields`. Directives are ignored, so a plan may fetch a relation
    a @skip leaves out, never miss one."""
    paths: set[str] = set()

    def walk(selections: Iterable, prefix: str) -> None:
        for selection in selections:
            if isinstance(selection, SelectedField):
                path = prefix + selection.name
                paths.add(path)
                walk(selection.selections, path + ".")
            else:  # inline fragment or fragment spread
                walk(selection.selections, prefix)

    for field in info.selected_fields:
        walk(field.selections, "")
    return frozenset(paths)
