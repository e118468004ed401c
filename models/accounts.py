"""Builder accounts, the users who log in (builder staff and owners), and their sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class BuilderAccount(Base):
    __tablename__ = "builder_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """Anyone who logs in: builder staff (`kind` BUILDER) or an owner (`kind` OWNER).

    One table so that usernames are unique case-insensitively across everybody,
    enforced by the unique `username_key`.
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("kind IN ('BUILDER', 'OWNER')", name="kind"),
        CheckConstraint(
            "(kind = 'BUILDER' AND role IN ('ADMIN', 'STAFF') AND contact_id IS NULL)"
            " OR (kind = 'OWNER' AND role IS NULL AND contact_id IS NOT NULL)",
            name="kind_shape",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    builder_account_id: Mapped[int] = mapped_column(
        ForeignKey("builder_accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    role: Mapped[str | None] = mapped_column(String(10))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    username: Mapped[str] = mapped_column(String(150))
    username_key: Mapped[str] = mapped_column(String(150), unique=True)
    # The confusable skeleton (domain/usernames.py): a new username may not read
    # like an existing one. Null on rows written before it existed.
    username_skeleton: Mapped[str | None] = mapped_column(String(150), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # An owner's login works only while their contact is ACTIVE; this flag is the
    # switch that deactivation turns off (and builder staff can be disabled too).
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthSession(Base):
    """A login session. Only the SHA-256 of the bearer token is stored."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_user_live", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
