"""The execution context's short path for plain leaf fields (schema/execution.py):
every answer and every error must be the one graphql-core's own path gives.
Each query runs on a small schema twice, with Strawberry's stock execution
context and with ours, and the two results must be equal."""

from __future__ import annotations

import enum
from typing import Iterable

import pytest
import strawberry
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.execution import PlainLeafExecutionContext, plain_leaves


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Thing(relay.Node):
    id: relay.NodeID[int]
    name: str
    nickname: str | None
    tags: list[str]
    maybe_tags: list[str | None]
    colour: Colour

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        return self.name.upper() + suffix

    @classmethod
    def resolve_nodes(cls, *, info, node_ids: Iterable[str], required: bool = False):
        return [None for _ in node_ids]


@strawberry.type
class CustomId(relay.Node):
    """A node with its own resolve_id: must keep Strawberry's path."""

    pk: relay.NodeID[int]

    @classmethod
    def resolve_id(cls, root, *, info) -> str:
        return f"custom-{root.pk}"

    @classmethod
    def resolve_nodes(cls, *, info, node_ids: Iterable[str], required: bool = False):
        return [None for _ in node_ids]


GOOD = Thing(id=7, name="Ann", nickname=None, tags=["a", "b"], maybe_tags=["x", None], colour=Colour.BLUE)
# What a bug would hand the executor: nulls where the schema says non-null, a
# value the enum does not know.
BROKEN = Thing(id=8, name=None, nickname=None, tags=["a", None], maybe_tags=[], colour="green")  # type: ignore[arg-type]


@strawberry.type
class Query:
    @strawberry.field
    def good(self) -> Thing:
        return GOOD

    @strawberry.field
    def things(self) -> list[Thing]:
        return [GOOD, GOOD]

    @strawberry.field
    def broken(self) -> Thing | None:
        return BROKEN

    @strawberry.field
    def custom(self) -> CustomId:
        return CustomId(pk=3)


def _schema(context_class) -> strawberry.Schema:
    return strawberry.Schema(query=Query, execution_context_class=context_class)


STOCK, OURS = _schema(StrawberryGraphQLCoreExecutionContext), _schema(PlainLeafExecutionContext)


def _both(query: str):
    stock, ours = STOCK.execute_sync(query), OURS.execute_sync(query)
    assert ours.data == stock.data
    assert [e.formatted for e in ours.errors or []] == [e.formatted for e in stock.errors or []]
    return ours


def test_plain_leaves_are_the_attribute_fields_and_the_default_relay_ids():
    leaves = plain_leaves(OURS._schema)
    assert {name for (type_name, name) in leaves if type_name == "Thing"} == {
        "id", "name", "nickname", "tags", "maybeTags", "colour",
    }
    assert ("Thing", "shout") not in leaves  # a resolver with an argument
    assert ("CustomId", "id") not in leaves  # its own resolve_id


def test_values_are_those_of_graphql_cores_path():
    result = _both("{ good { id name nickname tags maybeTags colour shout } things { id name } custom { id } }")
    assert result.data["good"] == {
        "id": "VGhpbmc6Nw==", "name": "Ann", "nickname": None, "tags": ["a", "b"],
        "maybeTags": ["x", None], "colour": "BLUE", "shout": "ANN!",
    }
    assert result.data["custom"] == {"id": str(relay.GlobalID("CustomId", "custom-3"))}


@pytest.mark.parametrize(
    ("field", "path"), [("name", ["broken", "name"]), ("tags", ["broken", "tags", 1]), ("colour", ["broken", "colour"])]
)
def test_a_bad_value_gives_graphql_cores_located_error(field, path):
    result = _both(f"{{ broken {{ id {field} }} }}")
    assert result.data == {"broken": None}
    [error] = result.errors
    assert error.path == path


class _LongPathSpy(StrawberryGraphQLCoreExecutionContext):
    taken: list[str] = []

    def execute_field(self, parent_type, source, field_details_list, path, position_context):
        _LongPathSpy.taken.append(field_details_list[0].node.name.value)
        return super().execute_field(parent_type, source, field_details_list, path, position_context)


class _OursOverTheSpy(PlainLeafExecutionContext, _LongPathSpy):
    """Ours, whose fallback (super().execute_field) goes through the spy."""


def test_only_fields_that_need_graphql_cores_path_take_it():
    _LongPathSpy.taken.clear()
    result = _schema(_OursOverTheSpy).execute_sync("{ good { id name tags colour shout } broken { name } }")
    assert result.data["good"]["name"] == "Ann"
    # The root fields and the resolver take the long path; so does the refused
    # null of `broken.name`, which is how it gets its located error.
    assert _LongPathSpy.taken == ["good", "shout", "broken", "name"]
