"""Which documents leave the viewer lookup to `me` (hardening/extensions.py)."""

from __future__ import annotations

import pytest
from graphql import parse
from strawberry.types.graphql import OperationType

from hardening.extensions import only_asks_for_me


@pytest.mark.parametrize(
    ("document", "operation_name", "expected"),
    [
        ("{ me { __typename } }", None, True),
        ("query Profile { __typename me { __typename } }", "Profile", True),
        ("{ a: me { __typename } b: me { __typename } }", None, True),
        ("{ __typename }", None, False),
        ("{ me { __typename } contacts(first: 1) { totalCount } }", None, False),
        ("{ ...F } fragment F on Query { me { __typename } }", None, False),
        ("{ ... on Query { me { __typename } } }", None, False),
        ("query A { me { __typename } } query B { jobs(first: 1) { totalCount } }", "B", False),
        ("query A { me { __typename } } query B { jobs(first: 1) { totalCount } }", "A", True),
    ],
)
def test_only_a_query_of_me_alone_defers_the_lookup(document, operation_name, expected):
    assert only_asks_for_me(OperationType.QUERY, parse(document), operation_name) is expected


def test_a_mutation_never_defers_it():
    assert only_asks_for_me(OperationType.MUTATION, parse("mutation { me }"), None) is False
