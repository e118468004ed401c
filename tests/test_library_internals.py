"""No library internals: the project's Python never uses a private name of
strawberry-graphql or graphql-core, so a minor release of either (pinned in
pyproject.toml) cannot quietly change what the server does (issue 15).

The rule, checked over every tracked `.py` file of the project:
- a private name is one that strawberry's or graphql-core's own source defines with
  a leading underscore (not a dunder): a function, method or class, a module, an
  attribute assigned (`self._schema = ...`), a class field (`_raw_info: ...`);
- the project must not read or write an attribute of that name (`info._raw_info`,
  `schema._schema`, `super()._process_errors`, `getattr(x, "_schema")`), define a
  method of that name in a class that extends one of theirs (overriding their
  internals, as `MaskErrors._process_errors` once was), or import a private name
  or a private module from them;
- `self._x` inside a class of our own that extends nothing of theirs is our own
  state and not checked; other receivers are, whatever they are, since the source
  cannot say which object is theirs. A private name of our own that happens to
  match one of theirs is listed in OWN_NAMES_THAT_MATCH, with where it is ours.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("strawberry", "graphql")

# Uses tolerated until the code that holds them goes; an entry that is no longer
# found fails. Empty since the per-field short path (schema/execution.py) went.
KNOWN_READ_PATH_USES: set[tuple[str, str]] = set()

# Private names of our own that the libraries also define privately: (file, name).
OWN_NAMES_THAT_MATCH: set[tuple[str, str]] = set()


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def library_roots() -> list[Path]:
    return [Path(importlib.util.find_spec(name).origin).parent for name in LIBRARIES]


def defined_private_names(tree: ast.AST) -> Iterator[str]:
    """The private names a module defines: functions, classes, assigned attributes
    and names, class fields, imported-as names."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            yield node.attr
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id


@cache
def library_private_names() -> frozenset[str]:
    names: set[str] = set()
    for root in library_roots():
        for path in root.rglob("*.py"):
            names.update(part.removesuffix(".py") for part in path.relative_to(root).parts)
            names.update(defined_private_names(ast.parse(path.read_text(encoding="utf-8"))))
    return frozenset(name for name in names if is_private(name))


def project_sources() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def is_library_module(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in LIBRARIES


def library_imports(tree: ast.Module) -> set[str]:
    """Local names bound to something imported from strawberry or graphql-core."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and is_library_module(node.module):
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                         if is_library_module(alias.name))
    return names


def extends_a_library_class(node: ast.ClassDef, imported: set[str]) -> bool:
    """True when a base is one of theirs (`MaskErrors`, `strawberry.Schema`)."""
    for base in node.bases:
        while isinstance(base, ast.Attribute):
            base = base.value
        if isinstance(base, ast.Name) and base.id in imported:
            return True
    return False


def private_uses(source: str, private: frozenset[str]) -> Iterator[tuple[int, str]]:
    """(line, name) of each use of one of the libraries' private names."""
    tree = ast.parse(source)
    imported = library_imports(tree)

    def visit(node: ast.AST, own_class: bool) -> Iterator[tuple[int, str]]:
        if isinstance(node, ast.ClassDef):
            theirs = extends_a_library_class(node, imported)
            for child in node.body:
                if theirs and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name in private:
                    yield child.lineno, child.name
            own_class = not theirs
        elif isinstance(node, ast.Attribute) and node.attr in private:
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not (on_self and own_class):
                yield node.lineno, node.attr
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr", "hasattr"):
            for argument in node.args[1:2]:
                if isinstance(argument, ast.Constant) and argument.value in private:
                    yield node.lineno, argument.value
        elif isinstance(node, ast.ImportFrom) and is_library_module(node.module):
            for name in [*node.module.split("."), *(alias.name for alias in node.names)]:
                if is_private(name):
                    yield node.lineno, name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if is_library_module(alias.name):
                    yield from ((node.lineno, part) for part in alias.name.split(".") if is_private(part))
        for child in ast.iter_child_nodes(node):
            yield from visit(child, own_class)

    yield from visit(tree, own_class=False)


def test_the_validating_schema_is_the_served_one():
    """`schema.graphql_schema` (resolvers/root/build.py), which documents are validated
    against, holds the very types Strawberry converted, and prints as the served
    schema does."""
    from graphql import print_schema

    from resolvers.root.build import schema

    for name, converted in schema.schema_converter.type_map.items():
        assert schema.graphql_schema.type_map[name] is converted.implementation, name
    served = schema.as_str().split("\n\n")
    assert sorted(print_schema(schema.graphql_schema).split("\n\n")) == sorted(served)


def test_the_libraries_private_names_are_read():
    # Guards the test itself: the names that have been used here, and must be seen.
    assert {"_raw_info", "_schema", "_process_errors", "_get_stream_transport_from_headers"} <= library_private_names()


def test_the_rule_catches_each_kind_of_use():
    private = library_private_names()
    source = '''
from strawberry.extensions import MaskErrors
from strawberry.schema._graphql_core import GraphQLExecutionResult
class Ours(MaskErrors):
    def _process_errors(self, errors):
        return super()._process_errors(errors)
class Plain:
    def __init__(self):
        self._schema = None
def read(info, schema):
    return info._raw_info, getattr(schema, "_schema")
'''
    found = sorted(private_uses(source, private))
    assert found == [
        (3, "_graphql_core"), (5, "_process_errors"), (6, "_process_errors"),
        (11, "_raw_info"), (11, "_schema"),
    ]


def test_no_private_name_of_strawberry_or_graphql_core_is_used():
    private = library_private_names()
    found = set()
    for path in project_sources():
        relative = path.relative_to(ROOT).as_posix()
        for line, name in private_uses(path.read_text(encoding="utf-8"), private):
            found.add((relative, line, name))
    allowed = KNOWN_READ_PATH_USES | OWN_NAMES_THAT_MATCH
    unexpected = sorted(use for use in found if use[::2] not in allowed)
    assert unexpected == [], "private names of strawberry or graphql-core:\n" + "\n".join(
        f"{path}:{line}: {name}" for path, line, name in unexpected
    )
    stale = sorted(KNOWN_READ_PATH_USES - {use[::2] for use in found})
    assert stale == [], f"no longer used, remove from KNOWN_READ_PATH_USES: {stale}"
