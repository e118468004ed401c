"""Reads for planned queries (planner/contact_relations.py, issue 15): a contact's
relations beside its rows, each one statement for every contact of the answer,
scoped to the viewer's read scope inside the statement (repository/read_scope.py),
and custom fields and merges by id (`node(id:)`). The rows are the ones the read
layer's repositories answer (repository/custom_fields.py, repository/merges.py,
repository/email_changes.py), as plain Core rows on the plan's connection rather
than ORM objects on a session of their own.

Also the one read of `inviteDetails`: the token is the credential, so that read is
scoped by the token (as repository/tokens.py reads it), not by a viewer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from domain.read_scope import ReadScope
from models import BuilderAccount, Contact, ContactMerge, CustomFieldDefinition, CustomFieldValue, EmailChange, Invite, User
from repository.read_scope import contact_in_full, params, shape_of

definitions_t, values_t = CustomFieldDefinition.__table__, CustomFieldValue.__table__
merges_t, changes_t, invites_t = ContactMerge.__table__, EmailChange.__table__, Invite.__table__
contacts_t = Contact.__table__


def _grouped(rows: Sequence[Row], key: str) -> dict[int, list[Row]]:
    found: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        found[getattr(row, key)].append(row)
    return found


class ContactRelationsRepository:
    def __init__(self, connection: AsyncConnection, scope: ReadScope):
        self.connection = connection
        self.scope = scope
        self.builder_account_id = scope.builder_account_id

    async def _rows(self, statement: Select) -> list[Row]:
        return list((await self.connection.execute(statement, params(self.scope))).all())

    def _definitions(self) -> Select:
        """The custom fields the viewer reads: for an owner, those marked visibleToOwner."""
        query = select(definitions_t).where(definitions_t.c.builder_account_id == self.builder_account_id)
        if self.scope.owner_visible_fields_only:
            query = query.where(definitions_t.c.visible_to_owner.is_(True))
        return query

    async def definitions(self) -> list[Row]:
        """The account's custom fields the viewer reads, in order."""
        return await self._rows(self._definitions().order_by(definitions_t.c.id))

    async def definitions_by_id(self, field_ids: Sequence[int]) -> dict[int, Row]:
        """The custom fields of these ids the viewer reads, by id."""
        query = self._definitions().where(definitions_t.c.id.in_(field_ids))
        return {row.id: row for row in await self._rows(query)}

    async def custom_values(self, contact_ids: Sequence[int]) -> dict[int, list[Row]]:
        """Each contact's set values the viewer reads (none of a contact seen by name
        only), each row its field's columns with `contact_id` and `value`, in field order."""
        query = (
            self._definitions()
            .add_columns(values_t.c.contact_id, values_t.c.value)
            .join(values_t, values_t.c.field_id == definitions_t.c.id)
            .where(values_t.c.contact_id.in_(contact_ids), contact_in_full(shape_of(self.scope), values_t.c.contact_id))
            .order_by(values_t.c.contact_id, definitions_t.c.id)
        )
        return _grouped(await self._rows(query), "contact_id")

    def _merges(self) -> Select:
        """The account's audited merges with the usernames of who merged (`merged_by`)
        and who undid (`undone_by`); null once deleted."""
        merger, undoer = aliased(User.__table__), aliased(User.__table__)
        return (
            select(merges_t, merger.c.username.label("merged_by"), undoer.c.username.label("undone_by"))
            .outerjoin(merger, merger.c.id == merges_t.c.performed_by_user_id)
            .outerjoin(undoer, undoer.c.id == merges_t.c.undone_by_user_id)
            .where(merges_t.c.builder_account_id == self.builder_account_id)
        )

    async def merges_by_survivor(self, survivor_ids: Sequence[int]) -> dict[int, list[Row]]:
        """The audited merges into each contact, newest first."""
        query = (
            self._merges()
            .where(merges_t.c.survivor_id.in_(survivor_ids))
            .order_by(merges_t.c.survivor_id, merges_t.c.merged_at.desc(), merges_t.c.id.desc())
        )
        return _grouped(await self._rows(query), "survivor_id")

    async def merges_by_id(self, merge_ids: Sequence[int]) -> dict[int, Row]:
        """The audited merges of these ids, by id."""
        return {row.id: row for row in await self._rows(self._merges().where(merges_t.c.id.in_(merge_ids)))}

    async def open_email_changes(self, contact_ids: Sequence[int], now: datetime) -> dict[int, Row]:
        """The open, unexpired primary email change of each contact (at most one is open)."""
        query = (
            select(changes_t)
            .join(contacts_t, contacts_t.c.id == changes_t.c.contact_id)
            .where(changes_t.c.contact_id.in_(contact_ids),
                   contacts_t.c.builder_account_id == self.builder_account_id,
                   changes_t.c.confirmed_at.is_(None), changes_t.c.revoked_at.is_(None),
                   changes_t.c.expires_at > now)
        )
        return {row.contact_id: row for row in await self._rows(query)}


async def live_invite_details(connection: AsyncConnection, token_hash: str, now: datetime) -> Any:
    """The live invite behind a token (unused, not revoked, not expired, its contact
    not merged away) with the contact's first name and status and the builder's
    name, or None: one statement for what `services.invites.invite_details` reads in two."""
    query = (
        select(invites_t.c.expires_at, contacts_t.c.first_name, contacts_t.c.activation_status,
               BuilderAccount.name.label("builder_name"))
        .join(contacts_t, contacts_t.c.id == invites_t.c.contact_id)
        .join(BuilderAccount, BuilderAccount.id == contacts_t.c.builder_account_id)
        .where(invites_t.c.token_hash == token_hash, invites_t.c.used_at.is_(None),
               invites_t.c.revoked_at.is_(None), invites_t.c.expires_at > now,
               contacts_t.c.merged_into_id.is_(None))
    )
    return (await connection.execute(query)).one_or_none()
