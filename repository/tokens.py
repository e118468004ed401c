"""All SQL that finds invites and password resets by their token (SPEC 3).

These lookups happen before anyone is signed in, so they are not scoped to a
builder account: the token is the credential, and only its SHA-256 is stored and
compared (an exact index match on a value nobody can choose). Consuming a token
is one conditional UPDATE, so of two concurrent uses exactly one changes a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Contact, Invite, PasswordReset, User


@dataclass(frozen=True)
class InviteWithContact:
    invite: Invite
    contact: Contact


@dataclass(frozen=True)
class LiveReset:
    user: User
    sent_to_email_key: str | None


class TokenRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def live_invite(self, token_hash: str, now: datetime) -> InviteWithContact | None:
        """The invite behind a token that is unused, not revoked, not expired, and
        whose contact still exists as itself (not merged away)."""
        row = (
            await self.session.execute(
                select(Invite, Contact)
                .join(Contact, Contact.id == Invite.contact_id)
                .where(
                    Invite.token_hash == token_hash,
                    Invite.used_at.is_(None),
                    Invite.revoked_at.is_(None),
                    Invite.expires_at > now,
                    Contact.merged_into_id.is_(None),
                )
            )
        ).one_or_none()
        return InviteWithContact(*row) if row is not None else None

    async def consume_invite(self, invite_id: int, now: datetime) -> bool:
        """Marks the invite used; False when another request used or revoked it first."""
        result = await self.session.execute(
            update(Invite)
            .where(Invite.id == invite_id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def add_reset(
        self, user_id: int, token_hash: str, now: datetime, expires_at: datetime, *, sent_to_email_key: str | None
    ) -> None:
        self.session.add(PasswordReset(
            user_id=user_id, token_hash=token_hash, created_at=now, expires_at=expires_at,
            sent_to_email_key=sent_to_email_key,
        ))
        await self.session.flush()

    async def live_reset(self, token_hash: str, now: datetime) -> LiveReset | None:
        """The enabled user behind an unused, unexpired reset token, with the
        address the link was mailed to."""
        row = (
            await self.session.execute(
                select(User, PasswordReset.sent_to_email_key)
                .join(PasswordReset, PasswordReset.user_id == User.id)
                .where(
                    PasswordReset.token_hash == token_hash,
                    PasswordReset.used_at.is_(None),
                    PasswordReset.expires_at > now,
                    User.is_enabled.is_(True),
                )
            )
        ).first()
        return None if row is None else LiveReset(*row)

    async def consume_reset(self, token_hash: str, now: datetime) -> bool:
        result = await self.session.execute(
            update(PasswordReset)
            .where(PasswordReset.token_hash == token_hash, PasswordReset.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def kill_resets(self, user_id: int, now: datetime) -> None:
        """Every outstanding reset link of the user dies (the password changed, or
        the owner was deactivated)."""
        await self.session.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
