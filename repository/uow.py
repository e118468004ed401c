"""Unit of work: one session and one transaction per mutation (cosmicpython).

Used as `async with UnitOfWork(factory) as uow:`; nothing is kept unless
`await uow.commit()` is called. On SQLite the transaction is opened as a writer
(`BEGIN IMMEDIATE`, see db/engine.py) so concurrent writers queue for the lock.

Every unit of work carries the contact timeline's batch of events (`uow.timeline`,
repository/timeline.py), recorded by the use cases as they change things and
written by `commit` in one statement, in the same transaction as the change.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from domain.errors import RuleError, UserErrorCode, Violation
from domain.timeline import SYSTEM, EventActor
from db.engine import WRITE_OPTION
from repository.timeline import SESSION_KEY, TimelineBatch


class StaleObject(RuleError):
    def __init__(self):
        super().__init__(
            Violation((), UserErrorCode.STALE_OBJECT, "Someone else changed this record at the same time. Reload and try again.")
        )


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], actor: EventActor = SYSTEM):
        """`actor` is who the timeline says made the changes (the request's viewer)."""
        self._factory = session_factory
        self._actor = actor
        self.session: AsyncSession
        self.timeline: TimelineBatch

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.timeline = TimelineBatch(self._actor)
        self.session.info[SESSION_KEY] = self.timeline
        await self.session.connection(execution_options={WRITE_OPTION: True})
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        try:
            await self.session.flush()
            await self.timeline.write(self.session)
            await self.session.commit()
        except StaleDataError as error:
            raise StaleObject() from error

    async def flush(self) -> None:
        """Flushes pending writes, turning a lost optimistic-concurrency race into STALE_OBJECT."""
        try:
            await self.session.flush()
        except StaleDataError as error:
            raise StaleObject() from error


def constraint_name(error: IntegrityError) -> str:
    """The violated constraint's name, as both drivers report it (best effort)."""
    orig = getattr(error, "orig", None)
    name = getattr(getattr(orig, "__cause__", None), "constraint_name", None) or getattr(
        orig, "constraint_name", None
    )
    return name or str(orig)
