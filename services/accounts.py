"""Sign-in: builder accounts and users, login, sessions (SPEC 1)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.activation import ActivationStatus
from domain.errors import Collected, RuleError, UserErrorCode, Violation
from domain.passwords import (
    HashParameters,
    hash_password,
    needs_rehash,
    password_problem,
    verify_against_dummy,
    verify_password,
)
from domain.text import check_visible
from domain.tokens import hash_token, new_token
from domain.usernames import normalise_username, username_problem
from models import BuilderAccount, User, utcnow
from permissions.policy import Actor, ActorKind
from repository.accounts import AccountRepository, BuilderNameTaken, SessionViewer, UsernameTaken, live_session
from repository.contacts import ContactRepository
from repository.uow import UnitOfWork

INVALID_LOGIN = "The username or password is not correct."
USERNAME_PATTERN_MESSAGE = "Choose a username of 3 to 150 characters without spaces."


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime
    user: User


def _refuse_hidden_characters(text: str, path: tuple[str, ...]) -> None:
    """INVALID_INPUT at `path` when `text` holds a control or invisible character
    (SPEC 12; the rule and its message are domain/text.py's)."""
    errors = Collected()
    check_visible(text, path, errors)
    errors.raise_if_any()


def check_username(username: str) -> str:
    """The normalised username (NFKC, trimmed), or INVALID_INPUT."""
    username = normalise_username(username)
    problem = username_problem(username)
    if problem == "invisible":
        _refuse_hidden_characters(username, ("username",))
    if problem is not None:
        raise RuleError(Violation(("username",), UserErrorCode.INVALID_INPUT, USERNAME_PATTERN_MESSAGE))
    return username


def check_new_password(password: str, *, username: str | None, emails=(), path=("password",)) -> None:
    if problem := password_problem(password, username=username, emails=emails):
        raise RuleError(Violation(path, UserErrorCode.WEAK_PASSWORD, problem))


async def issue_session(uow: UnitOfWork, user: User, ttl: timedelta) -> IssuedSession:
    """A new random session token; only its hash is stored."""
    token = new_token()
    expires_at = utcnow() + ttl
    await AccountRepository(uow.session).add_session(user.id, hash_token(token), expires_at)
    return IssuedSession(token, expires_at, user)


@dataclass(frozen=True)
class Authenticated:
    user: User
    # A hash of the password with the current parameters, when the stored one was
    # made with others; `start_session` stores it.
    upgraded_hash: str | None = None


async def authenticate(session, username: str, password: str, hashing: HashParameters) -> Authenticated:
    """The user these credentials belong to, or RuleError with one message for every failure.

    Runs in a read session and hashes in a worker thread, so a login neither
    blocks the event loop nor holds the database's write lock while Argon2 works.
    """
    accounts = AccountRepository(session)
    user = await accounts.user_by_username(username)
    if user is None:
        await asyncio.to_thread(verify_against_dummy, password, hashing)  # same work whether or not the name exists
        raise RuleError(Violation(("password",), UserErrorCode.INVALID_INPUT, INVALID_LOGIN))
    if not await asyncio.to_thread(verify_password, user.password_hash, password) or not user.is_enabled:
        raise RuleError(Violation(("password",), UserErrorCode.INVALID_INPUT, INVALID_LOGIN))
    if user.kind == "OWNER":
        contact = await ContactRepository(session, user.builder_account_id).get(user.contact_id)
        if contact is None or contact.activation_status != ActivationStatus.ACTIVE:
            raise RuleError(Violation(("password",), UserErrorCode.INVALID_INPUT, INVALID_LOGIN))
    if needs_rehash(user.password_hash, hashing):
        return Authenticated(user, await asyncio.to_thread(hash_password, password, hashing))
    return Authenticated(user)


async def start_session(uow: UnitOfWork, authenticated: Authenticated, ttl: timedelta) -> IssuedSession:
    """The session of a login; an outdated password hash is replaced on the way,
    unless the password changed since it was read."""
    if authenticated.upgraded_hash is not None:
        user = authenticated.user
        await AccountRepository(uow.session).replace_password_hash(user.id, user.password_hash, authenticated.upgraded_hash)
    return await issue_session(uow, authenticated.user, ttl)


async def viewer_for_token(connection, token: str) -> SessionViewer | None:
    return await live_session(connection, hash_token(token), utcnow())


async def logout(uow: UnitOfWork, session_id: int) -> None:
    await AccountRepository(uow.session).revoke_session(session_id, utcnow())


async def create_builder(
    uow: UnitOfWork, name: str, admin_username: str, admin_password: str, hashing: HashParameters
) -> BuilderAccount:
    name = name.strip()
    if not name:
        raise RuleError(Violation(("name",), UserErrorCode.INVALID_INPUT, "Give the builder account a name."))
    _refuse_hidden_characters(name, ("name",))
    accounts = AccountRepository(uow.session)
    try:
        account = await accounts.add_builder(name)
    except BuilderNameTaken:
        raise RuleError(Violation(("name",), UserErrorCode.INVALID_INPUT, f"A builder account named {name} exists already.")) from None
    await create_user(uow, account, admin_username, admin_password, "ADMIN", hashing)
    return account


async def create_user(
    uow: UnitOfWork, account: BuilderAccount, username: str, password: str, role: str, hashing: HashParameters
) -> User:
    if role not in ("ADMIN", "STAFF"):
        raise RuleError(Violation(("role",), UserErrorCode.INVALID_INPUT, "The role is ADMIN or STAFF."))
    username = check_username(username)
    check_new_password(password, username=username)
    user = User(
        builder_account_id=account.id,
        kind="BUILDER",
        role=role,
        username=username,
        password_hash=hash_password(password, hashing),
    )
    try:
        return await AccountRepository(uow.session).add_user(user)
    except UsernameTaken:
        raise RuleError(Violation(("username",), UserErrorCode.USERNAME_TAKEN, "This username is taken. Choose another one.")) from None


def actor_for_user_row(user) -> Actor:
    """The policy's view of a user (a `User` row or a `SessionViewer`)."""
    if user.kind == "BUILDER":
        return Actor(ActorKind.BUILDER, user.builder_account_id, role=user.role)
    return Actor(ActorKind.OWNER, user.builder_account_id, contact_id=user.contact_id)
