"""Reads for prefetch plans (reads/prefetch.py): a root field fetches what
the selection asks for in a constant number of statements, joining a parent
with its child rows instead of one query per relation.

Rows come back as SQLAlchemy Core rows (attribute access by column name, the same
names `from_model` reads), which is far cheaper than building ORM objects. Every
read is scoped to the viewer's read scope (repository/read_scope.py): the
statement answers only rows the viewer may read, and computes beside each
contact whether the viewer sees it by name only.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, String, and_, bindparam, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from domain.activation import ActivationStatus
from domain.read_scope import ReadScope
from models import BuilderAccount, Contact, ContactEmail, Job, JobOwner, User
from repository.accounts import LIVE_SESSION, LIVE_SESSION_WIDTH, SessionViewer, session_viewer
from repository.contacts import ORDERINGS_OF, page_query
from repository.keyset import PageRequest, trim
from repository.read_scope import ScopeShape, by_name_only, contact_in_full, job_found, params, shape_of

contacts_t = Contact.__table__
emails_t = ContactEmail.__table__
jobs_t = Job.__table__
job_owners_t = JobOwner.__table__


@dataclass
class ContactRows:
    """A contact row, whether the viewer sees it by name only (no details, jobs or
    custom fields: computed by the statement that read it), its additional emails
    (in order; none read for a contact seen by name only) and, when asked, its jobs."""

    row: Any
    by_name_only: bool
    additional_emails: list[str] = field(default_factory=list)
    jobs: list[JobRows] | None = None


@dataclass
class JobRows:
    row: Any
    owners: list[ContactRows] | None = None


@dataclass(frozen=True, slots=True)
class RowColumns:
    """The columns a read needs of its contacts, of their jobs and of the jobs'
    owners, by name (None: every column). A planned read asks only for what its
    selection shapes: a column not read is neither fetched nor converted."""

    contact: tuple[str, ...] | None = None
    job: tuple[str, ...] | None = None
    owner: tuple[str, ...] | None = None


EVERY_COLUMN = RowColumns()


def in_table_order(table, names) -> tuple[str, ...]:
    """`names` as a `RowColumns` entry: in the table's order, so the id comes first."""
    return tuple(column.name for column in table.c if column.name in names)


@dataclass
class ViewerRows:
    username: str
    kind: str
    role: str | None
    builder_name: str
    contact: ContactRows | None


def _group_contacts(rows: Sequence[Row], email_index: int | None) -> list[ContactRows]:
    """Folds joined rows (contact columns first, `by_name_only`, then an email) into
    one ContactRows per contact."""
    grouped: dict[int, ContactRows] = {}
    for row in rows:
        contact = grouped.get(row[0])
        if contact is None:
            contact = grouped[row[0]] = ContactRows(row, bool(row.by_name_only))
        if email_index is not None and row[email_index] is not None:
            contact.additional_emails.append(row[email_index])
    return list(grouped.values())


async def viewer_by_token(
    connection: AsyncConnection, token_hash: str, now: datetime, columns: tuple[str, ...] | None
) -> tuple[SessionViewer, ViewerRows] | None:
    """The viewer of a live session (`repository.accounts.live_session`'s answer)
    and, in the same statement, what `PrefetchRepository.viewer` reads of them, with
    the columns `columns` of an owner's contact: a planned `me` reads the user once.

    An owner's own contact is the one contact their read scope reads in full
    (permissions/policy.read_scope: `contact_id` is the user's), and it is not seen
    by name only; the scope is known only from this row, so the statement finds the
    contact by the user's own contact id, of the user's account and not merged away,
    as `_viewer_statement` finds it with the scope's parameters."""
    rows = (await connection.execute(_viewer_by_token_statement(columns), {"token_hash": token_hash, "now": now})).all()
    viewer = session_viewer(rows[0]) if rows else None
    if viewer is None:
        return None
    contact = _contact_of_viewer(rows, LIVE_SESSION_WIDTH + 1, columns)
    return viewer, ViewerRows(viewer.username, viewer.kind, viewer.role, rows[0][LIVE_SESSION_WIDTH], contact)


def _contact_of_viewer(rows: Sequence[Row], start: int, columns: tuple[str, ...] | None) -> ContactRows | None:
    """The contact of a viewer statement's rows, whose columns from `start` are the
    contact's `columns`, `by_name_only` and one additional email a row (None when
    the user has no contact the statement found)."""
    first = rows[0]
    if first[start] is None:
        return None
    width = _width(contacts_t, columns)
    emails = [row[start + width + 1] for row in rows if row[start + width + 1] is not None]
    return ContactRows(_view(contacts_t, columns)(first[start:start + width]), bool(first[start + width]), emails)


class PrefetchRepository:
    def __init__(self, connection: AsyncConnection, scope: ReadScope, columns: RowColumns = EVERY_COLUMN):
        # A plain connection, not an ORM session: the session's execute path
        # (events, identity map, result adaptation) is pure overhead for plain rows.
        self.connection = connection
        self.scope = scope
        self.builder_account_id = scope.builder_account_id
        self.shape = shape_of(scope)
        self.scope_params = params(scope)
        self.columns = columns

    async def _rows(self, statement: Select, values: dict) -> list[Row]:
        return (await self.connection.execute(statement, {**self.scope_params, **values})).all()

    async def contact_page(
        self,
        *,
        page: PageRequest,
        with_emails: bool,
        search: str | None,
        statuses: Sequence[ActivationStatus] | None,
        order_by: str,
    ) -> tuple[list[ContactRows], bool]:
        """A keyset page (the one `repository.contacts.page_query` reads) and, in the
        same statement, the additional emails of its contacts; and whether more
        contacts lie beyond it in the direction of reading."""
        columns = _with_sort_column(self.columns.contact, order_by)
        if search or statuses or page.backward or page.before is not None:
            query = page_query(
                self.builder_account_id, page=page, search=search, statuses=statuses, order_by=order_by
            )
            query, values = _with_emails(query, order_by, with_emails, self.shape, columns), {}
        else:
            # The plain forward page, the list screen's query, is built once per shape with
            # bound parameters: building a statement costs more than running it here.
            after_value = page.after[0] if page.after is not None else None
            query = _plain_page(order_by, after_value is not None, with_emails, self.shape, columns)
            values = {"limit": page.size + 1}
            if after_value is not None:
                values["after_value"], values["after_id"] = after_value, page.after[1]
        rows = await self._rows(query, values)
        found = _group_contacts(rows, _width(contacts_t, columns) + 1 if with_emails else None)
        # `_with_emails` orders the page again, in list order.
        return trim(found, page, reading_order=False)

    async def viewer(self, user_id: int, *, with_contact: bool) -> ViewerRows | None:
        """The signed-in user, their builder account's name and, for an owner, their
        contact with its additional emails: one statement."""
        columns = self.columns.contact
        rows = await self._rows(_viewer_statement(with_contact, self.shape, columns), {"user_id": user_id})
        if not rows:
            return None
        first = rows[0]
        contact = _contact_of_viewer(rows, 4, columns) if with_contact else None
        return ViewerRows(first.username, first.kind, first.role, first.name, contact)

    async def live_contacts(self, contact_ids: Sequence[int]) -> dict[int, ContactRows | None]:
        """For each id, the live contact it stands for (merge redirects followed, as
        `ContactRepository.resolve_id` follows them) with its additional emails, or
        None: one statement. Raises `MergeChainTooLong` for a chain of more than
        `MERGE_HOPS` merges, which this statement does not follow to its end."""
        columns = self.columns.contact
        rows = await self._rows(_live_contacts_statement(self.shape, columns), {"ids": list(contact_ids)})
        found: dict[int, ContactRows | None] = dict.fromkeys(contact_ids)
        width, view = _width(contacts_t, columns), _view(contacts_t, columns)
        for row in rows:
            if row.next_id is not None:
                raise MergeChainTooLong(row.start)
            contact = found[row.start]
            if contact is None:
                contact = found[row.start] = ContactRows(view(row[3:3 + width]), bool(row[3 + width]))
            if row[4 + width] is not None:
                contact.additional_emails.append(row[4 + width])
        return found

    async def attach_jobs(
        self, contacts: list[ContactRows], *, with_owners: bool, with_owner_emails: bool
    ) -> None:
        """Sets `jobs` of each contact (see `jobs_of_contacts`); nothing to read for none."""
        if not contacts:
            return
        jobs = await self.jobs_of_contacts(
            [c.row.id for c in contacts], with_owners=with_owners, with_owner_emails=with_owner_emails
        )
        for contact in contacts:
            contact.jobs = jobs[contact.row.id]

    async def jobs_of_contacts(
        self, contact_ids: Sequence[int], *, with_owners: bool, with_owner_emails: bool
    ) -> dict[int, list[JobRows]]:
        """The jobs of each contact (by job id) and, when asked, each job's owners in
        order, with their additional emails: one statement."""
        job_columns, owner_columns = self.columns.job, self.columns.owner
        one = len(contact_ids) == 1
        rows = await self._rows(
            _jobs_statement(with_owners, with_owner_emails, self.shape, job_columns, owner_columns, one),
            {"contact_id": contact_ids[0]} if one else {"contact_ids": list(contact_ids)},
        )

        job_width, contact_width = _width(jobs_t, job_columns), _width(contacts_t, owner_columns)
        job_view, owner_view = _view(jobs_t, job_columns), _view(contacts_t, owner_columns)
        result: dict[int, list[JobRows]] = {contact_id: [] for contact_id in contact_ids}
        last_job: dict[int, JobRows] = {}
        last_owner: dict[tuple[int, int], ContactRows] = {}
        for row in rows:
            contact_id, job_id = row[0], row[1]
            job = last_job.get(contact_id)
            if job is None or job.row.id != job_id:
                job = last_job[contact_id] = JobRows(job_view(row[1:1 + job_width]), [] if with_owners else None)
                result[contact_id].append(job)
            if with_owners:
                start = 1 + job_width
                owner_id = row[start]
                key = (contact_id, job_id)
                owner_rows = last_owner.get(key)
                if owner_rows is None or owner_rows.row.id != owner_id:
                    owner_rows = last_owner[key] = ContactRows(
                        owner_view(row[start:start + contact_width]), bool(row[start + contact_width])
                    )
                    job.owners.append(owner_rows)
                if with_owner_emails and row[start + contact_width + 1] is not None:
                    owner_rows.additional_emails.append(row[start + contact_width + 1])
        return result


# Merges a contact id is followed through; a longer chain raises MergeChainTooLong.
MERGE_HOPS = 64


class MergeChainTooLong(Exception):
    """A merged contact id whose chain of merges is longer than `MERGE_HOPS`."""


# Statements are built once per shape and set of columns; the sets come from the
# selections of documents clients send, so their caches are bounded.
STATEMENTS_CACHED = 256


def _width(table, names: tuple[str, ...] | None) -> int:
    return len(table.c) if names is None else len(names)


def _selected(table, names: tuple[str, ...] | None) -> list:
    """The columns `names` asks for of `table` (a table or an alias of one)."""
    return list(table.c) if names is None else [table.c[name] for name in names]


def _with_sort_column(names: tuple[str, ...] | None, order_by: str) -> tuple[str, ...] | None:
    """A page's columns with the one it is ordered by (its cursor's and its ORDER BY's)."""
    sort = {"LAST_NAME": "last_name", "FIRST_NAME": "first_name", "CREATED_AT": "created_at"}[order_by]
    return names if names is None or sort in names else in_table_order(contacts_t, {sort, *names})


@functools.lru_cache(maxsize=STATEMENTS_CACHED)
def _live_contacts_statement(shape: ScopeShape, columns: tuple[str, ...] | None) -> Select:
    """Only a contact the viewer reads in full is found by id (a chain cut at
    `MERGE_HOPS` is answered whatever it reached, to be reported)."""
    start = (
        select(contacts_t.c.id.label("start"), contacts_t.c.id, contacts_t.c.merged_into_id, literal(0).label("hops"))
        .where(contacts_t.c.id.in_(bindparam("ids", expanding=True)),
               contacts_t.c.builder_account_id == bindparam("account"))
        .cte("merge_chain", recursive=True)
    )
    step = aliased(contacts_t)
    chain = start.union_all(
        select(start.c.start, step.c.id, step.c.merged_into_id, start.c.hops + 1)
        .where(step.c.id == start.c.merged_into_id, step.c.builder_account_id == bindparam("account"),
               start.c.hops < MERGE_HOPS)
    )
    return (
        select(chain.c.start, chain.c.merged_into_id.label("next_id"), chain.c.hops, *_selected(contacts_t, columns),
               by_name_only(shape, contacts_t.c.id), emails_t.c.email)
        .select_from(chain.join(contacts_t, contacts_t.c.id == chain.c.id)
                     .outerjoin(emails_t, emails_t.c.contact_id == contacts_t.c.id))
        # The end of each chain: a live contact the viewer reads, or a chain cut at MERGE_HOPS.
        .where(or_(and_(chain.c.merged_into_id.is_(None), contact_in_full(shape, contacts_t.c.id)),
                   chain.c.hops >= MERGE_HOPS))
        .order_by(chain.c.start, emails_t.c.position)
    )


@functools.lru_cache(maxsize=STATEMENTS_CACHED)
def _viewer_statement(with_contact: bool, shape: ScopeShape, columns: tuple[str, ...] | None) -> Select:
    query = (
        select(User.username, User.kind, User.role, BuilderAccount.name)
        .join(BuilderAccount, BuilderAccount.id == User.builder_account_id)
        .where(User.id == bindparam("user_id"), User.builder_account_id == bindparam("account"))
    )
    if not with_contact:
        return query
    return (
        query.add_columns(*_selected(contacts_t, columns), by_name_only(shape, contacts_t.c.id), emails_t.c.email)
        .outerjoin(contacts_t, (contacts_t.c.id == User.contact_id)
                   & (contacts_t.c.builder_account_id == bindparam("account"))
                   & contacts_t.c.merged_into_id.is_(None)
                   & contact_in_full(shape, contacts_t.c.id))
        .outerjoin(emails_t, emails_t.c.contact_id == contacts_t.c.id)
        .order_by(emails_t.c.position)
    )


@functools.lru_cache(maxsize=STATEMENTS_CACHED)
def _viewer_by_token_statement(columns: tuple[str, ...] | None) -> Select:
    own = aliased(contacts_t, name="own_contact")
    return (
        LIVE_SESSION.add_columns(
            # The own contact is never seen by name only (ReadScope.by_name_only of the scope's own contact).
            BuilderAccount.name, *_selected(own, columns), literal(False).label("by_name_only"), emails_t.c.email
        )
        .join(BuilderAccount, BuilderAccount.id == User.builder_account_id)
        .outerjoin(own, (own.c.id == User.contact_id)
                   & (own.c.builder_account_id == User.builder_account_id)
                   & own.c.merged_into_id.is_(None))
        .outerjoin(emails_t, emails_t.c.contact_id == own.c.id)
        .order_by(emails_t.c.position)
    )


@functools.lru_cache(maxsize=STATEMENTS_CACHED)
def _jobs_statement(
    with_owners: bool,
    with_owner_emails: bool,
    shape: ScopeShape,
    job_columns: tuple[str, ...] | None,
    owner_columns: tuple[str, ...] | None,
    one: bool,
) -> Select:
    """The jobs the viewer finds of the contacts they read in full (none of a
    contact seen by name only), and their owners, each with `by_name_only`. Of
    `one` contact (a profile), by a plain parameter: an expanding IN is rendered
    again at every execution."""
    mine = aliased(job_owners_t)
    columns: list[Any] = [mine.c.contact_id, *_selected(jobs_t, job_columns)]
    wanted = (
        mine.c.contact_id == bindparam("contact_id") if one
        else mine.c.contact_id.in_(bindparam("contact_ids", expanding=True))
    )
    query = (
        select()
        .select_from(mine)
        .join(jobs_t, jobs_t.c.id == mine.c.job_id)
        .where(wanted,
               jobs_t.c.builder_account_id == bindparam("account"),
               contact_in_full(shape, mine.c.contact_id), job_found(shape, jobs_t.c.id))
    )
    order: list[Any] = [mine.c.contact_id, jobs_t.c.id]
    if with_owners:
        others, owner = aliased(job_owners_t), aliased(contacts_t)
        columns += [*_selected(owner, owner_columns), by_name_only(shape, owner.c.id)]
        query = query.join(others, others.c.job_id == jobs_t.c.id).join(
            owner, (owner.c.id == others.c.contact_id) & (owner.c.builder_account_id == bindparam("account"))
        )
        order.append(others.c.position)
        if with_owner_emails:
            owner_emails = aliased(emails_t)
            columns.append(owner_emails.c.email)
            query = query.outerjoin(
                owner_emails, (owner_emails.c.contact_id == owner.c.id) & contact_in_full(shape, owner.c.id)
            )
            order.append(owner_emails.c.position)
    return query.add_columns(*columns).order_by(*order)


@functools.lru_cache(maxsize=STATEMENTS_CACHED)
def _plain_page(
    order_by: str, keyset: bool, with_emails: bool, shape: ScopeShape, columns: tuple[str, ...] | None
) -> Select:
    sort = ORDERINGS_OF[order_by](Contact)
    query = select(Contact).where(
        Contact.builder_account_id == bindparam("account"), Contact.merged_into_id.is_(None)
    )
    if keyset:
        value = bindparam("after_value", type_=Contact.created_at.type if order_by == "CREATED_AT" else String())
        query = query.where(or_(sort > value, and_(sort == value, Contact.id > bindparam("after_id"))))
    return _with_emails(
        query.order_by(sort, Contact.id).limit(bindparam("limit")), order_by, with_emails, shape, columns
    )


def _with_emails(
    page_query: Select, order_by: str, with_emails: bool, shape: ScopeShape, columns: tuple[str, ...] | None
) -> Select:
    """The page (of the contacts the viewer reads in full), each with `by_name_only`
    and, when asked, its additional emails; `columns` holds the page's ORDER BY column."""
    page = (
        page_query.with_only_columns(*_selected(contacts_t, columns))
        .where(contact_in_full(shape, Contact.id))
        .subquery()
    )
    flag = by_name_only(shape, page.c.id)
    if not with_emails:
        return select(page, flag).order_by(ORDERINGS_OF[order_by](page.c), page.c.id)
    return (
        select(page, flag, emails_t.c.email)
        .outerjoin(emails_t, emails_t.c.contact_id == page.c.id)
        # A joined subquery's order is not kept: order again by the page's keys.
        .order_by(ORDERINGS_OF[order_by](page.c), page.c.id, emails_t.c.position)
    )


@functools.lru_cache(maxsize=STATEMENTS_CACHED)
def _view(table, names: tuple[str, ...] | None) -> type[tuple]:
    """A class of slices of joined rows holding the columns `names` of `table` (every
    column when None), read by column name like a Core row: each name a property
    over its place in the tuple, so reading one runs no Python code."""
    names = tuple(column.name for column in table.c) if names is None else names
    places = {name: property(operator.itemgetter(i)) for i, name in enumerate(names)}
    return type(f"{table.name}_columns", (tuple,), {"__slots__": (), **places})
