"""The contacts the permission classes of one request decided on, each read once.

A permission class that needs a contact's row (its status) to decide reads it
here; the mutation runner (resolvers/runner.py) then writes only if the row is
still the version that was decided on, and answers STALE_OBJECT otherwise. A
decision that does not depend on the row reads nothing (policy.decision_without_row),
and the runner's own load under lock is then the only read of the target.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from permissions.policy import ContactFacts
from repository.contacts import ContactRepository


@dataclass(frozen=True)
class SeenContact:
    facts: ContactFacts
    version: int


class ContactReads:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]):
        self._session_factory = session_factory
        self._seen: dict[tuple[int, int], SeenContact | None] = {}

    async def read(self, builder_account_id: int, contact_id: int) -> SeenContact | None:
        """The contact as this request first saw it; None when it does not exist."""
        key = (builder_account_id, contact_id)
        if key not in self._seen:
            async with self._session_factory() as session:
                row = await ContactRepository(session, builder_account_id).get(contact_id)
            self._seen[key] = None if row is None else SeenContact(
                ContactFacts(row.id, row.activation_status), row.version
            )
        return self._seen[key]

    def version_seen(self, builder_account_id: int, contact_id: int) -> int | None:
        """The version a decision of this request was made on; None if none read it."""
        seen = self._seen.get((builder_account_id, contact_id))
        return seen.version if seen is not None else None
