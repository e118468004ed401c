"""All SQL about owners' logins: the `users` row (kind OWNER) of a contact.

Not scoped to a builder account: a password reset names an owner by username or
email before anyone is signed in. Every builder-side use goes through a contact
that the caller already loaded within its own account.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.activation import ActivationStatus
from domain.emails import email_key
from models import Contact, User
from domain.usernames import username_key
from repository.accounts import claim_username


@dataclass(frozen=True)
class OwnerLogin:
    user: User
    contact: Contact


class OwnerAccountRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def _active_owners(self):
        return (
            select(User, Contact)
            .join(Contact, Contact.id == User.contact_id)
            .where(
                User.kind == "OWNER",
                User.is_enabled.is_(True),
                Contact.activation_status == ActivationStatus.ACTIVE,
                Contact.merged_into_id.is_(None),
            )
        )

    async def active_by_login(self, login: str) -> list[OwnerLogin]:
        """Active owners named by `login`: by username, or by primary email (never
        by an additional email, SPEC 3). A primary email is unique per builder
        account only, so one address may name owners of several accounts."""
        rows = await self.session.execute(
            self._active_owners()
            .where(or_(User.username_key == username_key(login), Contact.primary_email_key == email_key(login)))
            .order_by(User.id)
        )
        return [OwnerLogin(user, contact) for user, contact in rows]

    async def for_contact(self, contact_id: int) -> User | None:
        return (
            await self.session.execute(select(User).where(User.contact_id == contact_id).with_for_update())
        ).scalar_one_or_none()

    async def save_credentials(self, user: User) -> User:
        """Adds or updates an owner's user row; a username someone else holds
        (case-insensitively, or a look-alike of it) raises `UsernameTaken`, also when a concurrent
        request took it a moment ago (the unique index decides). The transaction
        is then unusable: the caller reports the error and rolls back."""
        await claim_username(self.session, user)
        return user
