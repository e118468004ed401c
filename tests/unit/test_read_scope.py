"""The read scope's translation into SQL (repository/read_scope.py) answers, row
for row, what the scope permissions/policy.py decides says (domain/read_scope.py),
for every kind of viewer: one test per rule, each running the clause in SQLite
over the same rows the predicate is asked about."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, insert, literal, select, union_all

from domain.read_scope import ReadScope
from models import JobOwner
from permissions.policy import ANONYMOUS, Actor, ActorKind, read_scope
from repository.read_scope import by_name_only, contact_in_full, job_found, params, shape_of

OWN, CO_OWNER, STRANGER = 7, 8, 9
SCOPES = {
    "builder": read_scope(Actor(ActorKind.BUILDER, 1, role="STAFF")),
    "an owner": read_scope(Actor(ActorKind.OWNER, 1, contact_id=OWN)),
    "their co-owner": read_scope(Actor(ActorKind.OWNER, 1, contact_id=CO_OWNER)),
}
# Job id -> its owners: shared, the co-owner's alone, a stranger's, nobody's.
JOBS = {1: {OWN, CO_OWNER}, 2: {CO_OWNER}, 3: {STRANGER}, 4: set()}


@pytest.fixture(scope="module")
def engine():
    engine = create_engine("sqlite://")
    JobOwner.__table__.create(engine)
    with engine.begin() as connection:
        connection.execute(insert(JobOwner), [
            {"job_id": job, "contact_id": owner, "position": position}
            for job, owners in JOBS.items() for position, owner in enumerate(sorted(owners))
        ])
    yield engine
    engine.dispose()


def answers(engine, scope: ReadScope, clause_of, ids) -> dict[int, bool]:
    """{id: what the clause answers for it}, in SQL."""
    rows = union_all(*(select(literal(i).label("id")) for i in ids)).subquery("asked")
    clause = clause_of(shape_of(scope), rows.c.id)
    with engine.connect() as connection:
        return {i: bool(answer) for i, answer in connection.execute(select(rows.c.id, clause), params(scope))}


def test_an_anonymous_viewer_has_no_scope_to_read_with():
    assert read_scope(ANONYMOUS) is None


@pytest.mark.parametrize("viewer", SCOPES)
def test_contact_in_full_is_reads_in_full(engine, viewer):
    scope = SCOPES[viewer]
    contacts = (OWN, CO_OWNER, STRANGER)
    assert answers(engine, scope, contact_in_full, contacts) == {c: scope.reads_in_full(c) for c in contacts}


@pytest.mark.parametrize("viewer", SCOPES)
def test_the_by_name_only_column_is_by_name_only(engine, viewer):
    scope = SCOPES[viewer]
    contacts = (OWN, CO_OWNER, STRANGER)
    expected = {c: scope.by_name_only(c) for c in contacts}
    assert answers(engine, scope, by_name_only, contacts) == expected
    assert any(expected.values()) is (viewer != "builder")


@pytest.mark.parametrize("viewer", SCOPES)
def test_job_found_is_a_job_of_jobs_of(engine, viewer):
    scope = SCOPES[viewer]
    expected = {job: scope.jobs_of is None or scope.jobs_of in owners for job, owners in JOBS.items()}
    assert answers(engine, scope, job_found, JOBS) == expected
    assert all(expected.values()) is (viewer == "builder")
