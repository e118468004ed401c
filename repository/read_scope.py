"""The viewer's read scope (domain/read_scope.py, decided by permissions/policy.py)
as SQL: the clauses that keep a statement to the rows the viewer may read, and
the `by_name_only` column computed beside a contact's.

A statement is built for the scope's shape (`ScopeShape`: which parts restrict
anything), so it can be built once and cached; the scope's values are bound
parameters (`params`), passed with every execution. Every clause answers for a
row exactly what the matching predicate of `ReadScope` answers
(tests/unit/test_read_scope.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, false, true
from sqlalchemy.orm import aliased

from domain.read_scope import ReadScope
from models import JobOwner

# The parameter names the clauses bind; "account" is the one every scoped statement binds.
ACCOUNT, CONTACT, JOBS_OF = "account", "scope_contact", "scope_jobs_of"


@dataclass(frozen=True, slots=True)
class ScopeShape:
    """Which parts of a scope restrict the rows: what a statement's SQL depends on."""

    one_contact: bool
    jobs_of_one: bool
    leads: bool
    owner_visible_fields_only: bool


def shape_of(scope: ReadScope) -> ScopeShape:
    return ScopeShape(
        scope.contact_id is not None, scope.jobs_of is not None, scope.leads, scope.owner_visible_fields_only
    )


def params(scope: ReadScope) -> dict[str, Any]:
    return {ACCOUNT: scope.builder_account_id, CONTACT: scope.contact_id, JOBS_OF: scope.jobs_of}


def contact_in_full(shape: ScopeShape, contact_id: ColumnElement) -> ColumnElement[bool]:
    """`ReadScope.reads_in_full` of the contact `contact_id` names."""
    return contact_id == bindparam(CONTACT) if shape.one_contact else true()


def by_name_only(shape: ScopeShape, contact_id: ColumnElement) -> ColumnElement[bool]:
    """`ReadScope.by_name_only`, as a column named `by_name_only`."""
    flag = contact_id != bindparam(CONTACT) if shape.one_contact else false()
    return flag.label("by_name_only")


def job_found(shape: ScopeShape, job_id: ColumnElement) -> ColumnElement[bool]:
    """`ReadScope.finds_job` of the job `job_id` names: one of its owners is `jobs_of`."""
    if not shape.jobs_of_one:
        return true()
    link = aliased(JobOwner.__table__, name="scope_job_owner")
    return exists().where(link.c.job_id == job_id, link.c.contact_id == bindparam(JOBS_OF))
