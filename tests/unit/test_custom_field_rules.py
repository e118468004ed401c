"""The custom field value rules (SPEC 8), without a database."""

from __future__ import annotations

import pytest

from domain.custom_fields import InvalidValue, check_definition, clean_value, name_key
from domain.errors import Collected
from permissions.policy import ANONYMOUS, Actor, ActorKind, sees_only_owner_visible_fields


@pytest.mark.parametrize(
    "type_, raw, stored",
    [
        ("NUMBER", "42", "42"), ("NUMBER", "-0.5", "-0.5"), ("NUMBER", "+7", "7"), ("NUMBER", ".5", ".5"),
        ("DATE", "2028-02-29", "2028-02-29"),
        ("BOOLEAN", "False", "false"),
        ("SELECT", " dark   oak ", "Dark Oak"),
        ("TEXT", "  anything  ", "anything"),
    ],
)
def test_values_that_fit_are_stored_in_one_spelling(type_, raw, stored):
    assert clean_value("F", type_, ["Dark Oak"], raw) == stored


@pytest.mark.parametrize(
    "type_, raw",
    [("NUMBER", "NaN"), ("NUMBER", "1,000"), ("NUMBER", "--1"), ("DATE", "2027-02-29"), ("DATE", "20260301"),
     ("BOOLEAN", "1"), ("SELECT", "Oak")],
)
def test_values_that_do_not_fit_name_the_field(type_, raw):
    with pytest.raises(InvalidValue, match='^"Finish"'):
        clean_value("Finish", type_, ["Dark Oak"], raw)


def test_definitions_clean_names_and_options():
    errors = Collected()
    assert check_definition("  Move   in ", "SELECT", [" A ", "B"], errors) == ("Move in", ["A", "B"])
    assert errors.violations == []
    assert name_key(" Move  IN ") == "move in"
    check_definition("x" * 101, "TEXT", None, errors)
    assert [v.field for v in errors.violations] == [("name",)]


@pytest.mark.parametrize(
    "actor, only_visible",
    [(Actor(ActorKind.BUILDER, 1, role="STAFF"), False), (Actor(ActorKind.OWNER, 1, contact_id=3), True),
     (ANONYMOUS, True)],
)
def test_only_builders_see_fields_hidden_from_owners(actor, only_visible):
    assert sees_only_owner_visible_fields(actor) is only_visible
