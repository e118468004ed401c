"""Bad merge input (SPEC 4, issue 5): each refusal with its code and field, the same
answer from the preview, and proof that nothing changed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import make_active_owner
from merge_support import PREVIEW, create_contact, gid, make_active, merge, table_rows


@dataclass
class Scene:
    """The contacts a case can pick from (global ids)."""

    a: str
    b: str
    c: str
    others: list[str]
    foreign: str
    active: str
    second_active: str
    many: str


@pytest.fixture
async def scene(app, client, builder, other_builder) -> Scene:
    a = await create_contact(builder, firstName="A", primaryEmail="a@example.com", additionalEmails=["a1@example.com"])
    b = await create_contact(builder, firstName="B", primaryEmail="b@example.com")
    c = await create_contact(builder, firstName="C")
    others = [await create_contact(builder, firstName=f"N{i}") for i in range(9)]
    foreign = await create_contact(other_builder, firstName="Theirs")
    _, active = await make_active_owner(app, client, builder, first_name="Olive")
    second_active = await create_contact(builder, firstName="Oscar", primaryEmail="oscar@example.com")
    await make_active(app, second_active)
    many = await create_contact(
        builder, firstName="M", primaryEmail="m@example.com", additionalEmails=[f"m{i}@example.com" for i in range(5)]
    )
    return Scene(a, b, c, others, foreign, gid("Contact", active), second_active, many)


CASES = {
    "survivor among merged": (lambda s: (s.a, [s.b, s.a], None), "INVALID_INPUT", ["mergedIds"]),
    "id twice": (lambda s: (s.a, [s.b, s.b], None), "INVALID_INPUT", ["mergedIds"]),
    "one contact": (lambda s: (s.a, [], None), "INVALID_INPUT", ["mergedIds"]),
    "eleven contacts": (lambda s: (s.a, [s.b, *s.others], None), "INVALID_INPUT", ["mergedIds"]),
    "unknown id": (lambda s: (s.a, [gid("Contact", 987654)], None), "NOT_FOUND", ["mergedIds", "0"]),
    "unknown survivor": (lambda s: (gid("Contact", 987654), [s.a], None), "NOT_FOUND", ["survivorId"]),
    "not a contact id": (lambda s: (s.a, [s.b, gid("Job", 1)], None), "NOT_FOUND", ["mergedIds", "1"]),
    "another builder's contact": (lambda s: (s.a, [s.foreign], None), "NOT_FOUND", ["mergedIds", "0"]),
    "two active owners": (lambda s: (s.active, [s.second_active], None), "MERGE_CONFLICT", ["mergedIds"]),
    "active owner not the survivor": (lambda s: (s.a, [s.active], None), "MERGE_CONFLICT", ["survivorId"]),
    "more than 5 emails, no choice": (lambda s: (s.a, [s.many], None), "EMAIL_LIMIT_EXCEEDED", ["additionalEmails"]),
    "a choice not among the candidates": (
        lambda s: (s.a, [s.many], ["a1@example.com", "stranger@example.com"]), "INVALID_INPUT", ["additionalEmails"],
    ),
    "the primary chosen as additional": (
        lambda s: (s.a, [s.many], ["a@example.com"]), "INVALID_INPUT", ["additionalEmails"],
    ),
    "more than 5 chosen": (
        lambda s: (s.a, [s.many], ["a1@example.com", "m@example.com", *(f"m{i}@example.com" for i in range(4))]),
        "EMAIL_LIMIT_EXCEEDED",
        ["additionalEmails"],
    ),
}
CANDIDATES_WITH_MANY = ["a1@example.com", "m@example.com", *(f"m{i}@example.com" for i in range(5))]


async def test_bad_input_is_refused_with_its_code_and_changes_nothing(app, builder, scene):
    # One scene for every case: each refusal must leave it exactly as it was.
    before = await table_rows(app)
    for case, (build, code, field) in CASES.items():
        survivor, merged, chosen = build(scene)
        variables = {"input": {"survivorId": survivor, "mergedIds": merged}}
        if chosen is not None:
            variables["input"]["additionalEmails"] = chosen

        payload = await merge(builder, survivor, merged, chosen)
        preview = (await builder.gql(PREVIEW, variables))["data"]["mergeContactsPreview"]

        assert payload["contact"] is None and payload["merge"] is None, case
        for answer in (payload, preview):
            assert (code, field) in [(e["code"], e["field"]) for e in answer["userErrors"]], (case, answer)
            assert all(e["message"] for e in answer["userErrors"]), case
            if code == "EMAIL_LIMIT_EXCEEDED":
                assert answer["candidateEmails"] == CANDIDATES_WITH_MANY, case
        assert await table_rows(app) == before, case


async def test_a_choice_of_at_most_5_candidates_merges_and_drops_the_rest(app, builder, scene):
    chosen = ["m4@example.com", "A1@EXAMPLE.COM", "m@example.com"]

    payload = await merge(builder, scene.a, [scene.many], chosen)

    assert payload["userErrors"] == []
    assert payload["contact"]["emails"] == ["a@example.com", "m4@example.com", "a1@example.com", "m@example.com"]
    assert payload["merge"]["kept"]["droppedEmails"] == [f"m{i}@example.com" for i in range(4)]


async def test_a_contact_merged_already_is_a_conflict(app, builder, scene):
    await merge(builder, scene.a, [scene.b])
    before = await table_rows(app)

    payload = await merge(builder, scene.c, [scene.b])

    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("MERGE_CONFLICT", ["mergedIds", "0"])]
    assert await table_rows(app) == before
