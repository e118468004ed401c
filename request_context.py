"""The per-request context every resolver and permission class receives."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from starlette.background import BackgroundTasks

from db.engine import ReadConnection
from domain.passwords import PRODUCTION_PARAMETERS, HashParameters
from domain.timeline import SYSTEM, ActorKind, EventActor
from models import utcnow
from permissions.policy import ANONYMOUS, Actor
from permissions.policy import ActorKind as ViewerKind
from repository.uow import UnitOfWork
from settings import Settings


# (connection, bearer token) -> the viewer (a repository.accounts.SessionViewer) or None.
ViewerLookUp = Callable[[AsyncConnection, str], Awaitable[Any]]


@dataclass
class RequestContext:
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    # The read engine (db/engine.create_read_engine), for reads of plain rows (the
    # viewer lookup, planned reads): a connection costs less than an ORM session.
    engine: AsyncEngine
    actor: Actor = ANONYMOUS
    user_id: int | None = None
    session_id: int | None = None
    username: str | None = None
    client_ip: str = "unknown"
    request: Any = None
    response: Any = None
    loaders: dict[str, Any] = field(default_factory=dict)
    # The time token lifetimes are measured against; tests replace the app's
    # `state.now` to move it (invite and reset expiry) without sleeping.
    now: Callable[[], datetime] = utcnow
    # Argon2id's cost for the passwords this request hashes (the app's choice).
    password_hashing: HashParameters = PRODUCTION_PARAMETERS
    # ratelimit.AuthRateLimiter for login, acceptInvite and the reset calls.
    rate_limiter: Any = None
    # Called after a commit that queued outbox mail, so the in-process sender
    # delivers it now instead of at its next poll.
    wake_outbox: Callable[[], None] = lambda: None
    # Where profile image renditions are stored (media.storage.MediaStorage).
    media_storage: Any = None
    # The process's media.decode_budget.DecodeBudget: uploads decode within it.
    decode_budget: Any = None
    # The automatic persisted query store (hardening/persisted.py).
    apq_store: Any = None
    # The `Authorization: Bearer` token, looked up by `resolve_viewer` only once
    # the document has validated (hardening/extensions.py).
    bearer_token: str | None = None
    # The server's schema.planned_reads.KnownDocuments, and the document this
    # request's plan answered (for the short way of planned reads).
    known_documents: Any = None
    planned_document: Any = None
    # The one lookup of the bearer token; fields that ask for the viewer while it
    # runs (two `me` under different aliases) wait for it rather than see anonymous.
    _viewer_lookup: asyncio.Future | None = None

    async def resolve_viewer(self, connection: AsyncConnection | None = None, look_up: ViewerLookUp | None = None) -> None:
        """Sets `actor` from the bearer token (by its hash); once per request. On
        `connection` when given (the caller's read goes on with it), else on its own.
        `look_up(connection, token)` finds the viewer when the lookup runs now
        (services.accounts.viewer_for_token unless given: a planned `me` reads
        more of the viewer in the same statement)."""
        if self._viewer_lookup is not None:
            await self._viewer_lookup
            return
        self._viewer_lookup = asyncio.get_running_loop().create_future()
        try:
            await self._look_up_viewer(connection, look_up)
        finally:
            self._viewer_lookup.set_result(None)

    async def _look_up_viewer(self, connection: AsyncConnection | None, look_up: ViewerLookUp | None) -> None:
        if not self.bearer_token:
            return
        from services.accounts import actor_for_user_row, viewer_for_token

        look_up = look_up or viewer_for_token
        if connection is None:
            async with self.read_connection() as own:
                viewer = await look_up(own, self.bearer_token)
        else:
            viewer = await look_up(connection, self.bearer_token)
        if viewer is not None:
            self.actor = actor_for_user_row(viewer)
            self.user_id = viewer.user_id
            self.session_id = viewer.session_id
            self.username = getattr(viewer, "username", None)

    @property
    def viewer_pending(self) -> bool:
        """A bearer token came in and its lookup has not finished."""
        return bool(self.bearer_token) and (self._viewer_lookup is None or not self._viewer_lookup.done())

    def unit_of_work(self) -> UnitOfWork:
        """The mutation's unit of work; its timeline entries name the viewer as actor."""
        return UnitOfWork(self.session_factory, actor=self.event_actor)

    @property
    def event_actor(self) -> EventActor:
        if self.actor.kind is ViewerKind.BUILDER:
            return EventActor(ActorKind.BUILDER_USER, self.user_id)
        if self.actor.kind is ViewerKind.OWNER:
            return EventActor(ActorKind.OWNER, self.user_id)
        return SYSTEM

    def read_connection(self) -> ReadConnection:
        """A connection for a read of plain rows (each statement a transaction of
        its own: db/engine.ReadConnection); use as `async with`."""
        return ReadConnection(self.engine)


def after_response(context: RequestContext, func: Callable[..., Any], *args: Any) -> None:
    """Runs `func(*args)` once the response has been sent (Starlette's background
    tasks of the response), for work whose duration must not show in the answer."""
    tasks = context.response.background
    if tasks is None:
        tasks = context.response.background = BackgroundTasks()
    tasks.add_task(func, *args)
