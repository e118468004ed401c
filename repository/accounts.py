"""All SQL about builder accounts, users and login sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.activation import ActivationStatus
from domain.usernames import username_key, username_skeleton
from models import AuthSession, BuilderAccount, Contact, User


class UsernameTaken(Exception):
    pass


class BuilderNameTaken(Exception):
    pass


@dataclass(frozen=True)
class SessionViewer:
    """Who a live session token belongs to."""

    session_id: int
    user_id: int
    builder_account_id: int
    kind: str
    role: str | None
    contact_id: int | None
    username: str


LIVE_SESSION = (
    select(
        AuthSession.id,
        User.id,
        User.builder_account_id,
        User.kind,
        User.role,
        User.contact_id,
        User.username,
        Contact.activation_status,
    )
    .join(User, User.id == AuthSession.user_id)
    .outerjoin(Contact, Contact.id == User.contact_id)
    .where(
        AuthSession.token_hash == bindparam("token_hash"),
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > bindparam("now"),
        User.is_enabled.is_(True),
    )
)
LIVE_SESSION_WIDTH = len(LIVE_SESSION.selected_columns)


async def live_session(connection: AsyncConnection, token_hash: str, now: datetime) -> SessionViewer | None:
    """The viewer of a token that is neither expired nor revoked, whose user is
    enabled and, for an owner, whose contact is ACTIVE. Every authenticated
    request runs this first: one statement, built once, on a plain connection."""
    row = (await connection.execute(LIVE_SESSION, {"token_hash": token_hash, "now": now})).first()
    return None if row is None else session_viewer(row)


def session_viewer(row) -> SessionViewer | None:
    """The viewer of a row that starts with `LIVE_SESSION`'s columns; None for an
    owner whose contact is not ACTIVE."""
    session_id, user_id, account_id, kind, role, contact_id, username, status = row[:LIVE_SESSION_WIDTH]
    if kind == "OWNER" and status != ActivationStatus.ACTIVE:
        return None
    return SessionViewer(session_id, user_id, account_id, kind, role, contact_id, username)


async def claim_username(session: AsyncSession, user: User) -> None:
    """Sets the user's comparison keys and flushes. A username that another user
    holds, or that reads like one another user holds (SPEC 12: the same
    confusable skeleton), raises `UsernameTaken`; the unique key decides races."""
    user.username_key = username_key(user.username)
    user.username_skeleton = username_skeleton(user.username)
    lookalike = select(User.id).where(User.username_skeleton == user.username_skeleton)
    if user.id is not None:
        lookalike = lookalike.where(User.id != user.id)
    if (await session.execute(lookalike.limit(1))).first() is not None:
        raise UsernameTaken(user.username)
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        raise UsernameTaken(user.username) from error


class AccountRepository:
    """Accounts are looked up before anyone is authenticated (login, tokens),
    so this repository is not scoped to one builder account."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def builder_by_name(self, name: str) -> BuilderAccount | None:
        return (
            await self.session.execute(select(BuilderAccount).where(BuilderAccount.name == name))
        ).scalar_one_or_none()

    async def builder(self, builder_account_id: int) -> BuilderAccount | None:
        return await self.session.get(BuilderAccount, builder_account_id)

    async def add_builder(self, name: str) -> BuilderAccount:
        account = BuilderAccount(name=name)
        self.session.add(account)
        try:
            await self.session.flush()
        except IntegrityError as error:
            raise BuilderNameTaken(name) from error
        return account

    async def user_by_username(self, username: str) -> User | None:
        return (
            await self.session.execute(select(User).where(User.username_key == username_key(username)))
        ).scalar_one_or_none()

    async def user(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def users_of_account(self, builder_account_id: int, user_ids: list[int]) -> dict[int, User]:
        """Enabled users of one builder account, by id; another account's are simply not found."""
        if not user_ids:
            return {}
        rows = await self.session.execute(
            select(User).where(
                User.id.in_(user_ids), User.builder_account_id == builder_account_id, User.is_enabled.is_(True)
            )
        )
        return {user.id: user for user in rows.scalars()}

    async def replace_password_hash(self, user_id: int, old_hash: str, new_hash: str) -> None:
        """Stores `new_hash` unless the password changed since `old_hash` was read
        (a reset or change in between wins)."""
        await self.session.execute(
            update(User)
            .where(User.id == user_id, User.password_hash == old_hash)
            .values(password_hash=new_hash)
            .execution_options(synchronize_session=False)
        )

    async def add_user(self, user: User) -> User:
        await claim_username(self.session, user)
        return user

    async def add_session(self, user_id: int, token_hash: str, expires_at: datetime) -> AuthSession:
        auth_session = AuthSession(user_id=user_id, token_hash=token_hash, expires_at=expires_at)
        self.session.add(auth_session)
        await self.session.flush()
        return auth_session

    async def revoke_session(self, session_id: int, now: datetime) -> None:
        await self.session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_user_sessions(self, user_id: int, now: datetime, *, except_session_id: int | None = None) -> None:
        query = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        if except_session_id is not None:
            query = query.where(AuthSession.id != except_session_id)
        await self.session.execute(query.values(revoked_at=now))
