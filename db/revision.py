"""Is the database reachable, and does it hold the migrations this code needs?

Migrations are written expand-then-contract, so a release runs on a database its
own migrations reached, and on one that a newer release already migrated further
(a rolling deploy migrates before the last old process stops). It cannot run on a
database that lacks any of its migrations: that is `BEHIND` (an empty database too).
"""

from __future__ import annotations

import asyncio
import enum
import time
from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.migrate import alembic_config

MIGRATE_HINT = "the database is not migrated: run `ownerhub migrate` first"
# One connection attempt must give up before a prober or an operator does.
CONNECT_ATTEMPT_SECONDS = 5.0
RETRY_PAUSE_SECONDS = 1.0


class SchemaState(enum.Enum):
    CURRENT = "current"  # at this code's head
    AHEAD = "ahead"  # at a revision this code does not know: a newer release's
    BEHIND = "behind"  # lacks migrations this code needs (or has none at all)

    @property
    def usable(self) -> bool:
        return self is not SchemaState.BEHIND


class DatabaseUnreachable(Exception):
    """The database could not be reached; the message is one line, with no secret."""


@cache
def _known_revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(this code's heads, every revision this code knows), read once per process."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(scripts.get_heads()), frozenset(rev.revision for rev in scripts.walk_revisions())


def state_of(revisions: set[str] | frozenset[str]) -> SchemaState:
    """The state of a database whose `alembic_version` holds `revisions`."""
    heads, known = _known_revisions()
    if not revisions:
        return SchemaState.BEHIND
    if revisions <= heads and revisions >= heads:
        return SchemaState.CURRENT
    if revisions <= known:
        return SchemaState.BEHIND  # known, not the head: an ancestor of it
    return SchemaState.AHEAD


VERSION_TABLE = "alembic_version"


def _applied_revisions(connection) -> set[str]:
    # Read directly, not through Alembic's MigrationContext, which logs on every use
    # (and /readyz asks often).
    if not inspect(connection).has_table(VERSION_TABLE):
        return set()
    return set(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


async def schema_state(engine: AsyncEngine) -> SchemaState:
    async with engine.connect() as connection:
        revisions = await connection.run_sync(_applied_revisions)
    return state_of(revisions)


def describe_failure(error: BaseException) -> str:
    """One line about why a connection failed: the driver's own reason, without
    SQLAlchemy's statement and background link (never the URL, which may hold a password)."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        return "timed out"
    reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {reason}" if reason else type(error).__name__


async def _try_connect(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def wait_for_database(url: str, wait_seconds: float = 0) -> SchemaState:
    """Connects, trying again for up to `wait_seconds`; the schema's state, or
    DatabaseUnreachable with the last reason."""
    deadline = time.monotonic() + wait_seconds
    engine = create_engine(url)
    try:
        while True:
            try:
                await asyncio.wait_for(_try_connect(engine), CONNECT_ATTEMPT_SECONDS)
                return await schema_state(engine)
            except (OSError, DBAPIError, asyncio.TimeoutError) as error:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DatabaseUnreachable(describe_failure(error)) from None
            # The last try comes at the end of the window, not a pause before it.
            await asyncio.sleep(min(RETRY_PAUSE_SECONDS, left))
    finally:
        await engine.dispose()
