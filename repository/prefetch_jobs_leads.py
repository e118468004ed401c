"""Reads of jobs and leads for planned queries (planner/jobs_leads.py,
planner/nodes.py): a page or a set of jobs or leads, their count, and the
contacts linked to them (a job's owners, a lead's contacts) with their
additional emails, each one statement on the plan's connection whatever the
number of rows.

The rows are the ones the read layer's statements answer (repository/jobs_leads.py):
the same lists (`listed`), the same keyset pages, scoped by the viewer's read
scope inside each statement (repository/read_scope.py)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.read_scope import ReadScope
from models import Contact, ContactEmail, Job, JobOwner, Lead, LeadContact
from repository.jobs_leads import ORDERS, listed
from repository.keyset import PageRequest, page_of, trim
from repository.prefetch import ContactRows
from repository.read_scope import ScopeShape, by_name_only, contact_in_full, job_found, params, shape_of

contacts_t = Contact.__table__
emails_t = ContactEmail.__table__
# The ordered contact links of each kind of record: (link table, its parent column).
LINKS = {Job: (JobOwner.__table__, JobOwner.__table__.c.job_id), Lead: (LeadContact.__table__, LeadContact.__table__.c.lead_id)}


class JobsLeadsRows:
    """Jobs and leads as the viewer of `scope` reads them, on one connection."""

    def __init__(self, connection: AsyncConnection, scope: ReadScope):
        self.connection = connection
        self.scope = scope
        self.shape = shape_of(scope)

    def _found(self, model) -> bool:
        """Leads are read at all only in a scope that reads leads."""
        return model is Job or self.scope.leads

    def _listed(self, model, search: str | None) -> Select:
        jobs_of = self.scope.jobs_of if model is Job else None
        return listed(model, self.scope.builder_account_id, search, jobs_of)

    async def page(self, model, *, page: PageRequest, order: str, search: str | None) -> tuple[list[Row], bool]:
        """A keyset page of `jobs` or `leads` (as `JobsLeadsRepository.page` reads it), in
        list order, and whether more rows lie beyond it in the direction of reading."""
        if not self._found(model):
            return [], False
        query = page_of(self._listed(model, search), ORDERS[order][model], model.id, page)
        return trim(list((await self.connection.execute(query)).all()), page)

    async def count(self, model, *, search: str | None) -> int:
        if not self._found(model):
            return 0
        listed_rows = self._listed(model, search).subquery()
        return (await self.connection.execute(select(func.count()).select_from(listed_rows))).scalar_one()

    async def by_id(self, model, ids: Sequence[int]) -> dict[int, Row]:
        """Jobs (an owner's own only) or leads by id."""
        if not ids or not self._found(model):
            return {}
        query = select(model).where(model.id.in_(ids), model.builder_account_id == self.scope.builder_account_id)
        if model is Job:
            query = query.where(job_found(self.shape, Job.id))
        rows = await self.connection.execute(query, params(self.scope))
        return {row.id: row for row in rows}

    async def linked_contacts(self, model, ids: Sequence[int], *, with_emails: bool) -> dict[int, list[ContactRows]]:
        """The contacts of each job (its owners) or lead, in order, each with whether the
        viewer sees it by name only and, when asked, its additional emails (none of a
        contact seen by name only): one statement."""
        found: dict[int, list[ContactRows]] = {key: [] for key in ids}
        if not ids or not self._found(model):
            return found
        rows = await self.connection.execute(
            _linked_statement(model, with_emails, self.shape), {**params(self.scope), "ids": list(ids)}
        )
        last: dict[int, ContactRows] = {}
        for row in rows:
            contact = last.get(row.parent_id)
            if contact is None or contact.row.id != row.id:
                contact = last[row.parent_id] = ContactRows(row, bool(row.by_name_only))
                found[row.parent_id].append(contact)
            if with_emails and row.email is not None:
                contact.additional_emails.append(row.email)
        return found


@functools.cache
def _linked_statement(model, with_emails: bool, shape: ScopeShape) -> Select:
    """The contacts of the jobs (or leads) `ids`: contact columns first, so that a
    row reads as the contact's, then `by_name_only`, the email, the parent's id."""
    link, parent = LINKS[model]
    columns: list[Any] = [*contacts_t.c, by_name_only(shape, contacts_t.c.id)]
    joined = link.join(contacts_t, contacts_t.c.id == link.c.contact_id)
    order: list[Any] = [parent, link.c.position]
    if with_emails:
        columns.append(emails_t.c.email)
        joined = joined.outerjoin(
            emails_t, (emails_t.c.contact_id == contacts_t.c.id) & contact_in_full(shape, contacts_t.c.id)
        )
        order.append(emails_t.c.position)
    query = (
        select(*columns, parent.label("parent_id"))
        .select_from(joined)
        .where(parent.in_(bindparam("ids", expanding=True)), contacts_t.c.builder_account_id == bindparam("account"))
    )
    if model is Job:
        query = query.where(job_found(shape, parent))
    return query.order_by(*order)
