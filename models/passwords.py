"""Password resets (SPEC 3): one row per reset link, its token stored as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class PasswordReset(Base):
    """A single-use password-reset token (hash only) for an owner or builder user."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # The key of the primary email the link was mailed to (SPEC 12): once the
    # owner's primary email is another, the link no longer works. Null for a
    # builder user's reset, and for links made before the rule existed.
    sent_to_email_key: Mapped[str | None] = mapped_column(String(320))
