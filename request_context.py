"""The per-request context every resolver and permission class receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from permissions.policy import ANONYMOUS, Actor
from settings import Settings


@dataclass
class RequestContext:
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    actor: Actor = ANONYMOUS
    user_id: int | None = None
    session_id: int | None = None
    username: str | None = None
    client_ip: str = "unknown"
    request: Any = None
    response: Any = None
    services: Any = None
    # contact id -> version seen by a permission check in this request; the
    # mutation refuses to write if the row changed since (STALE_OBJECT).
    checked_versions: dict[int, int] = field(default_factory=dict)
    loaders: dict[str, Any] = field(default_factory=dict)
    # The time token lifetimes are measured against; tests replace the app's
    # `state.now` to move it (invite and reset expiry) without sleeping.
    now: Callable[[], datetime] = utcnow
    # ratelimit.AuthRateLimiter for login, acceptInvite and the reset calls.
    rate_limiter: Any = None
    # Called after a commit that queued outbox mail, so the in-process sender
    # delivers it now instead of at its next poll.
    wake_outbox: Callable[[], None] = lambda: None
    # Where profile image renditions are stored (media.storage.MediaStorage).
    media_storage: Any = None
