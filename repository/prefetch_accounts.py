"""Reads of users and builder accounts for planned queries (planner/nodes.py):
the rows `AccountRepository.users_of_account` and `.builder` answer the read
layer (reads/nodes.users, reads/nodes.account_names), as plain rows on the
plan's connection, one statement each whatever the number of ids."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from models import BuilderAccount, User


async def users_of_account(connection: AsyncConnection, builder_account_id: int, user_ids: Sequence[int]) -> dict[int, Row]:
    """Enabled users of one builder account by id, with the account's name (`builder_name`)."""
    if not user_ids:
        return {}
    rows = await connection.execute(_users_statement(), {"ids": list(user_ids), "account": builder_account_id})
    return {row.id: row for row in rows}


async def builder_name(connection: AsyncConnection, builder_account_id: int) -> str | None:
    return (await connection.execute(
        select(BuilderAccount.name).where(BuilderAccount.id == builder_account_id)
    )).scalar_one_or_none()


@functools.cache
def _users_statement() -> Select:
    return (
        select(User.id, User.username, User.kind, User.role, User.contact_id, BuilderAccount.name.label("builder_name"))
        .join(BuilderAccount, BuilderAccount.id == User.builder_account_id)
        .where(User.id.in_(bindparam("ids", expanding=True)), User.builder_account_id == bindparam("account"),
               User.is_enabled.is_(True))
    )
