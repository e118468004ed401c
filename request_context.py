"""The per-request context every resolver and permission class receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from permissions.policy import ANONYMOUS, Actor
from settings import Settings


@dataclass
class RequestContext:
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    actor: Actor = ANONYMOUS
    user_id: int | None = None
    session_id: int | None = None
    client_ip: str = "unknown"
    request: Any = None
    response: Any = None
    services: Any = None
    # contact id -> version seen by a permission check in this request; the
    # mutation refuses to write if the row changed since (STALE_OBJECT).
    checked_versions: dict[int, int] = field(default_factory=dict)
    loaders: dict[str, Any] = field(default_factory=dict)
    # Where profile image renditions are stored (media.storage.MediaStorage).
    media_storage: Any = None
