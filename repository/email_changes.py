"""All SQL about pending primary email changes (SPEC 12, "A new primary email
proves itself").

A contact has at most one open request (neither confirmed nor revoked): a new
request revokes the open one in the same transaction, under the contact's row
lock, and a partial unique index holds it should anything slip past. The token
lookup happens before anyone is signed in, so it is not scoped to a builder
account: the token is the credential, only its SHA-256 is stored, and using it
is one conditional UPDATE, so of two concurrent confirmations exactly one wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.activation import ActivationStatus
from models import Contact, EmailChange


@dataclass(frozen=True)
class LiveEmailChange:
    change: EmailChange
    builder_account_id: int


def _open():
    return (EmailChange.confirmed_at.is_(None), EmailChange.revoked_at.is_(None))


class EmailChangeRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, contact_id: int, new_email: str, token_hash: str, now: datetime, expires_at: datetime) -> EmailChange:
        change = EmailChange(
            contact_id=contact_id, new_email=new_email, token_hash=token_hash, requested_at=now, expires_at=expires_at
        )
        self.session.add(change)
        await self.session.flush()
        return change

    async def revoke_open(self, contact_id: int, now: datetime) -> bool:
        """Revokes the contact's open request (superseded, cancelled, or the owner
        was deactivated); True when there was one."""
        result = await self.session.execute(
            update(EmailChange)
            .where(EmailChange.contact_id == contact_id, *_open())
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount > 0

    async def live_by_token(self, token_hash: str, now: datetime) -> LiveEmailChange | None:
        """The open, unexpired request behind a token, while its contact is still an
        ACTIVE owner as itself (not merged away). The contact row itself is left for
        the caller to read under its lock."""
        row = (
            await self.session.execute(
                select(EmailChange, Contact.builder_account_id)
                .join(Contact, Contact.id == EmailChange.contact_id)
                .where(
                    EmailChange.token_hash == token_hash,
                    *_open(),
                    EmailChange.expires_at > now,
                    Contact.activation_status == ActivationStatus.ACTIVE,
                    Contact.merged_into_id.is_(None),
                )
            )
        ).one_or_none()
        return LiveEmailChange(*row) if row is not None else None

    async def confirm(self, change_id: int, now: datetime) -> bool:
        """Marks the request confirmed; False when another request confirmed or
        revoked it first."""
        result = await self.session.execute(
            update(EmailChange)
            .where(EmailChange.id == change_id, *_open())
            .values(confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def live_by_contact(
        self, builder_account_id: int, contact_ids: Sequence[int], now: datetime
    ) -> dict[int, EmailChange]:
        """The open, unexpired request of each contact of one builder account."""
        if not contact_ids:
            return {}
        rows = await self.session.execute(
            select(EmailChange)
            .join(Contact, Contact.id == EmailChange.contact_id)
            .where(
                EmailChange.contact_id.in_(contact_ids),
                Contact.builder_account_id == builder_account_id,
                *_open(),
                EmailChange.expires_at > now,
            )
        )
        return {change.contact_id: change for change in rows.scalars()}
