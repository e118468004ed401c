"""Pending primary email changes (SPEC 12): one row per request, its token stored as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class EmailChange(Base):
    """An active owner's request to make another address their primary email.

    The contact keeps its primary email until the token mailed to the new address
    is used (`confirmed_at`); a newer request, a cancel or a deactivation sets
    `revoked_at`. Only the SHA-256 of the token is stored. At most one request
    per contact is open (neither confirmed nor revoked): the database holds that.
    """

    __tablename__ = "email_changes"
    __table_args__ = (
        Index(
            "uq_email_changes_open_contact",
            "contact_id",
            unique=True,
            sqlite_where=text("confirmed_at IS NULL AND revoked_at IS NULL"),
            postgresql_where=text("confirmed_at IS NULL AND revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    new_email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
