"""All SQL about Owner Contacts. Every query is scoped to one builder account,
so a contact of another account is simply not found."""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii

from sqlalchemy import ColumnElement, Select, bindparam, delete, exists, func, insert, literal_column, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from domain.activation import CLAIMING_STATUSES, ActivationStatus
from domain.emails import email_key
from domain.ids import is_record_id
from domain.read_scope import ReadScope
from repository.keyset import PageRequest, keyset_key, page_of
from models import BuilderAccount, Contact, ContactEmail, Invite, utcnow
from repository.read_scope import by_name_only, contact_in_full, params, shape_of
from repository.uow import StaleObject

CLAIMED_EMAIL_INDEX = "uq_contacts_claimed_primary_email"


@dataclass
class EditedContact:
    """The contact a mutation changes: its row, locked in the unit of work, its
    additional emails, and what its use cases ask of it besides (the account's
    name for mails, whether an invite is live). The use case keeps the row and
    the emails current; the payload is read from them."""

    row: Contact
    additional_emails: list[str]
    builder_name: str
    has_live_invite: bool


class EmailClaimConflict(Exception):
    """The claimed-primary-email unique index refused a write (SPEC 2.3.3)."""


# Sort keys of `contacts(orderBy:)`; blanks sort first, ties break on id (keyset pagination).
# The '' is a literal, not a bound parameter, so the expression matches the
# sort indexes (ix_contacts_builder_sort_*) and a page is an index range read.
ORDERINGS_OF = {
    "LAST_NAME": lambda columns: func.coalesce(columns.last_name, literal_column("''")),
    "FIRST_NAME": lambda columns: func.coalesce(columns.first_name, literal_column("''")),
    "CREATED_AT": lambda columns: columns.created_at,
}
ORDERINGS = {name: (lambda of=of: of(Contact)) for name, of in ORDERINGS_OF.items()}


def encode_cursor(sort_value, contact_id: int) -> str:
    # The compact JSON `["<sort value>",<id>]`, written directly: the bytes json.dumps
    # writes, for a fraction of its cost (a list page encodes one cursor per edge).
    raw = f"[{encode_basestring_ascii(str(sort_value))},{int(contact_id)}]".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[str, int] | None:
    try:
        sort_value, contact_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(sort_value, str) or "\x00" in sort_value or not is_record_id(contact_id):
        return None
    return sort_value, contact_id


def scoped_contacts(builder_account_id: int) -> Select:
    """The live (not merged away) contacts of one builder account."""
    return select(Contact).where(
        Contact.builder_account_id == builder_account_id,
        Contact.merged_into_id.is_(None),
    )


def filtered(query: Select, search: str | None, statuses: Sequence[ActivationStatus] | None) -> Select:
    if statuses:
        query = query.where(Contact.activation_status.in_(statuses))
    if search and search.strip():
        term = search.strip().lower()
        query = query.where(
            or_(
                func.lower(Contact.first_name).contains(term, autoescape=True),
                func.lower(Contact.last_name).contains(term, autoescape=True),
                Contact.primary_email_key.contains(term, autoescape=True),
                (func.lower(Contact.first_name) + " " + func.lower(Contact.last_name)).contains(
                    term, autoescape=True
                ),
            )
        )
    return query


def page_query(
    builder_account_id: int,
    *,
    page: PageRequest,
    search: str | None,
    statuses: Sequence[ActivationStatus] | None,
    order_by: str,
) -> Select:
    """One keyset page of contacts (`page` holds typed keys, see `keyset_key`), plus
    one row to tell whether more exist, in reading order."""
    query = filtered(scoped_contacts(builder_account_id), search, statuses)
    return page_of(query, ORDERINGS[order_by](), Contact.id, page)


def sharing_primary_email(
    email: str, *, exclude_id: int | None, statuses: Sequence[ActivationStatus] | None = None
) -> ColumnElement[bool]:
    """The contacts whose primary email equals `email` (normalised), but `exclude_id`,
    in one of `statuses` when given."""
    condition = Contact.primary_email_key == email_key(email)
    if exclude_id is not None:
        condition = condition & (Contact.id != exclude_id)
    if statuses is not None:
        condition = condition & Contact.activation_status.in_(statuses)
    return condition


def _for_change() -> Select:
    """`ContactRepository.get_for_change`'s statement, built once: the contact (by the
    parameters `account` and `contact_id`) with its additional emails, the account's
    name, whether an invite is live and its version as of the statement's start."""
    live_invite = exists().where(
        Invite.contact_id == Contact.id, Invite.used_at.is_(None), Invite.revoked_at.is_(None)
    )
    before = aliased(Contact)
    version_before_lock = select(before.version).where(before.id == Contact.id).scalar_subquery()
    return (
        select(Contact, ContactEmail.email, BuilderAccount.name, live_invite, version_before_lock)
        .join(BuilderAccount, BuilderAccount.id == Contact.builder_account_id)
        .outerjoin(ContactEmail, ContactEmail.contact_id == Contact.id)
        .where(
            Contact.id == bindparam("contact_id"),
            Contact.builder_account_id == bindparam("account"),
            Contact.merged_into_id.is_(None),
        )
        .order_by(ContactEmail.position)
        .with_for_update(of=Contact)
    )


FOR_CHANGE = _for_change()
# A contact's additional emails, written as plain rows (no ORM objects of them are
# ever loaded, so there is nothing in a session to keep in step).
_emails = ContactEmail.__table__
REMOVE_EMAILS = (
    delete(_emails).where(_emails.c.contact_id == bindparam("contact_id")).returning(_emails.c.position, _emails.c.email)
)
ADD_EMAILS = insert(_emails)


def _with_primary_email(excluding: bool, in_statuses: bool) -> Select:
    """`ContactRepository.with_primary_email`'s statement, by the parameters `account`
    and `key`, and `exclude_id` and `statuses` when asked for."""
    query = select(Contact).where(
        Contact.builder_account_id == bindparam("account"),
        Contact.merged_into_id.is_(None),
        Contact.primary_email_key == bindparam("key"),
    )
    if excluding:
        query = query.where(Contact.id != bindparam("exclude_id"))
    if in_statuses:
        query = query.where(Contact.activation_status.in_(bindparam("statuses", expanding=True)))
    return query.order_by(Contact.id)


# Built once each: building the statement per call cost more than running it.
_WITH_PRIMARY_EMAIL = {
    (excluding, in_statuses): _with_primary_email(excluding, in_statuses)
    for excluding in (False, True) for in_statuses in (False, True)
}
_contacts = Contact.__table__
# One contact row written with plain statements: a new row, and a change whose SET
# clause is the values given (so its compiled form is cached per set of columns),
# checked against the version the caller read.
_INSERT = insert(_contacts).returning(*_contacts.c)
_WRITE = update(_contacts).where(
    _contacts.c.id == bindparam("row_id"), _contacts.c.version == bindparam("row_version")
)


class ContactRepository:
    def __init__(self, session: AsyncSession, builder_account_id: int):
        self.session = session
        self.builder_account_id = builder_account_id

    def _scoped(self) -> Select:
        return scoped_contacts(self.builder_account_id)

    async def get(self, contact_id: int, *, for_update: bool = False) -> Contact | None:
        query = self._scoped().where(Contact.id == contact_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def get_for_change(self, contact_id: int) -> EditedContact | None:
        """The contact under its row lock, with what a change of it needs, in one
        statement (FOR UPDATE OF contacts: PostgreSQL refuses to lock the nullable
        side of the outer join; SQLite's writer transaction already excludes other
        writers).

        On PostgreSQL a lock that waited for another writer returns the row as
        that writer left it, but the joined rows as they were when the statement
        began: the version read beside the row, as of that beginning, tells, and
        the statement runs again, under the lock now held, to see them as they are."""
        for _attempt in range(2):
            rows = (await self.session.execute(FOR_CHANGE, {"account": self.builder_account_id, "contact_id": contact_id})).all()
            if not rows:
                return None
            contact, _email, builder_name, has_live_invite, version_before_lock = rows[0]
            if version_before_lock == contact.version:
                break
        return EditedContact(
            contact, [row[1] for row in rows if row[1] is not None], builder_name, bool(has_live_invite)
        )

    async def resolve_id(self, contact_id: int) -> int | None:
        """Follows merge redirects: the id a (possibly merged) contact id now stands for."""
        return (await self.resolve_ids([contact_id])).get(contact_id)

    async def resolve_ids(self, contact_ids: Iterable[int]) -> dict[int, int]:
        """Follows merge redirects for many ids at once: each id found -> the id it now
        stands for (missing ids, and a cycle, are left out). One statement per level
        of redirects, whatever the number of ids."""
        ids = set(contact_ids)
        redirect: dict[int, int | None] = {}
        asked = fetched = ids
        while asked:
            rows = await self.session.execute(
                select(Contact.id, Contact.merged_into_id).where(
                    Contact.id.in_(asked), Contact.builder_account_id == self.builder_account_id
                )
            )
            redirect.update((row.id, row.merged_into_id) for row in rows)
            asked = {target for target in redirect.values() if target is not None and target not in fetched}
            fetched = fetched | asked

        def survivor(current: int) -> int | None:
            seen: set[int] = set()
            while current in redirect and current not in seen:
                seen.add(current)
                if redirect[current] is None:
                    return current
                current = redirect[current]
            return None

        found = {contact_id: survivor(contact_id) for contact_id in ids}
        return {contact_id: target for contact_id, target in found.items() if target is not None}

    async def as_seen(
        self, scope: ReadScope, condition: ColumnElement[bool], *, by_id: bool
    ) -> list[tuple[Contact, bool]]:
        """The live contacts of `condition` the viewer of `scope` reads, in id order,
        each with whether they see it by name only. `by_id`: a lookup by id, which
        finds only a contact the viewer reads in full."""
        shape = shape_of(scope)
        query = self._scoped().add_columns(by_name_only(shape, Contact.id)).where(condition).order_by(Contact.id)
        if by_id:
            query = query.where(contact_in_full(shape, Contact.id))
        return [(row, bool(flag)) for row, flag in await self.session.execute(query, params(scope))]

    async def get_many(self, contact_ids: Sequence[int]) -> dict[int, Contact]:
        if not contact_ids:
            return {}
        rows = (await self.session.execute(self._scoped().where(Contact.id.in_(contact_ids)))).scalars()
        return {row.id: row for row in rows}

    async def additional_emails_by_contact(self, contact_ids: Sequence[int]) -> dict[int, list[str]]:
        result: dict[int, list[str]] = defaultdict(list)
        if contact_ids:
            rows = await self.session.execute(
                select(ContactEmail.contact_id, ContactEmail.email)
                .where(ContactEmail.contact_id.in_(contact_ids))
                .order_by(ContactEmail.contact_id, ContactEmail.position)
            )
            for contact_id, email in rows:
                result[contact_id].append(email)
        return result

    async def count(self, *, search: str | None, statuses: Sequence[ActivationStatus] | None) -> int:
        query = filtered(
            select(func.count()).select_from(Contact).where(
                Contact.builder_account_id == self.builder_account_id,
                Contact.merged_into_id.is_(None),
            ),
            search,
            statuses,
        )
        return (await self.session.execute(query)).scalar_one()

    async def with_primary_email(
        self, email: str, *, exclude_id: int | None, statuses: Sequence[ActivationStatus] | None = None
    ) -> list[Contact]:
        """Contacts of this account whose primary email equals `email` (normalised)."""
        values = {"account": self.builder_account_id, "key": email_key(email)}
        if exclude_id is not None:
            values["exclude_id"] = exclude_id
        if statuses is not None:
            values["statuses"] = list(statuses)
        query = _WITH_PRIMARY_EMAIL[exclude_id is not None, statuses is not None]
        return list((await self.session.execute(query, values)).scalars())

    async def claimed_by_email(self, email: str, *, exclude_id: int | None) -> Contact | None:
        """The PENDING or ACTIVE contact that holds `email` as its primary, if any."""
        rows = await self.with_primary_email(email, exclude_id=exclude_id, statuses=CLAIMING_STATUSES)
        return rows[0] if rows else None

    def add(self, contact: Contact) -> None:
        contact.builder_account_id = self.builder_account_id
        self.session.add(contact)

    async def insert(self, values: dict) -> Contact:
        """A new contact of this account with `values` (columns), in one INSERT; the
        columns it leaves out take the model's defaults (INACTIVE, version 1, the
        times), which SQLAlchemy applies to a Core INSERT as to a flush. The Contact
        returned holds the row as written (RETURNING) and is not in the session: a
        later change of it is written with `write`, not by a flush."""
        written = await self.session.execute(_INSERT, {**values, "builder_account_id": self.builder_account_id})
        return Contact(**written.mappings().one())

    async def write(self, contact: Contact, **values: object) -> None:
        """Writes `values` (columns), a new version and `updated_at` to the contact's
        row, and to `contact` as what the row holds, in one UPDATE that expects the
        version `contact` was read with: a row another transaction changed since is
        a lost race (StaleObject), and a refusal of the claimed-email index is
        EmailClaimConflict. Cheaper than an ORM flush of the row, which it replaces
        where a use case changes the contact alone."""
        changes = {**values, "version": contact.version + 1, "updated_at": utcnow()}
        try:
            written = await self.session.execute(_WRITE, {**changes, "row_id": contact.id, "row_version": contact.version})
        except IntegrityError as error:
            if _claim_refused(error):
                raise EmailClaimConflict() from error
            raise
        if written.rowcount != 1:
            raise StaleObject()
        for column, value in changes.items():
            set_committed_value(contact, column, value)

    async def replace_additional_emails(self, contact: Contact, emails: Sequence[str]) -> list[str]:
        """Returns the emails replaced, in their order (for the timeline), read by the
        DELETE itself. The new ones go in with one INSERT."""
        removed = await self.session.execute(REMOVE_EMAILS, {"contact_id": contact.id})
        previous = [email for _position, email in sorted(removed.all())]
        await self.add_additional_emails(contact, emails)
        return previous

    async def add_additional_emails(self, contact: Contact, emails: Sequence[str]) -> None:
        """Appends to a contact that has none (a new one, or one just emptied)."""
        if emails:
            await self.session.execute(ADD_EMAILS, [
                {"contact_id": contact.id, "position": index, "email": email, "email_key": email_key(email)}
                for index, email in enumerate(emails)
            ])

    def touch(self, contact: Contact) -> None:
        """Marks the contact changed, bumping its version (optimistic concurrency)."""
        contact.updated_at = utcnow()

    async def delete(self, contact: Contact) -> None:
        await self.session.execute(
            update(Contact).where(Contact.merged_into_id == contact.id).values(merged_into_id=None)
        )
        await self.session.delete(contact)

    async def flush_claim(self) -> None:
        """Flushes, reporting a lost race for a claimed primary email as EmailClaimConflict."""
        try:
            await self.session.flush()
        except IntegrityError as error:
            if _claim_refused(error):
                raise EmailClaimConflict() from error
            raise


def _claim_refused(error: IntegrityError) -> bool:
    """Whether the claimed-primary-email unique index refused the write."""
    return CLAIMED_EMAIL_INDEX in str(error.orig) or "primary_email_key" in str(error.orig)
