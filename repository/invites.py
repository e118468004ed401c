"""All SQL about the invites of one builder account's contacts (SPEC 3).

A contact has at most one live invite (neither used nor revoked): sending a new
one revokes the earlier ones in the same transaction, under the contact's row
lock, so two resends of one contact never leave two live tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Contact, Invite

_ADD = insert(Invite.__table__)


class InviteRepository:
    def __init__(self, session: AsyncSession, builder_account_id: int):
        self.session = session
        self.builder_account_id = builder_account_id

    async def add(self, contact: Contact, token_hash: str, sent_at: datetime, expires_at: datetime) -> None:
        """A live invite to the contact's primary email: one INSERT of its row."""
        await self.session.execute(_ADD, {
            "contact_id": contact.id, "token_hash": token_hash, "sent_to": contact.primary_email,
            "sent_at": sent_at, "expires_at": expires_at,
        })

    async def revoke_live(self, contact_id: int, now: datetime) -> datetime | None:
        """Kills every token of the contact that is still usable (resend, cancel,
        deactivate). Returns when the latest of them had expired, if it had (the
        timeline records the expiry then), in the same statement."""
        result = await self.session.execute(
            update(Invite)
            .where(Invite.contact_id == contact_id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(Invite.expires_at)
            .execution_options(synchronize_session=False)
        )
        expiries = list(result.scalars())
        latest = max(expiries, default=None)
        return latest if latest is not None and latest <= now else None

    async def live_by_contact(self, contact_ids: Sequence[int]) -> dict[int, Invite]:
        """The live invite of each contact (expired ones included: a pending invite
        stays pending, shown as expired, until the builder resends or cancels)."""
        if not contact_ids:
            return {}
        rows = await self.session.execute(
            select(Invite)
            .join(Contact, Contact.id == Invite.contact_id)
            .where(
                Invite.contact_id.in_(contact_ids),
                Contact.builder_account_id == self.builder_account_id,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
            )
            .order_by(Invite.contact_id, Invite.sent_at, Invite.id)
        )
        # Ordered by time: the latest wins should an old row ever survive.
        return {invite.contact_id: invite for invite in rows.scalars()}
