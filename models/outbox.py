"""The transactional outbox (SPEC 6): messages are rows written in the same
transaction as the change that causes them, and a sender delivers them later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("channel IN ('EMAIL', 'SMS')", name="channel"),
        Index("ix_outbox_messages_due", "sent_at", "available_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    builder_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("builder_accounts.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(5))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Earliest time the sender may (re)try; pushed forward by backoff and by a claim.
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    # Set when the sender gave up after its last attempt (the message stays, unsent).
    failed_at: Mapped[datetime | None]
    # The contact it went to and why (domain.timeline.MessageKind), for the
    # contact's timeline; NULL for mail that concerns no contact.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str | None] = mapped_column(String(30))
    # Messages with one key are one notice in time (services/notifications.py):
    # a change within the quiet period is folded into the pending message.
    coalesce_key: Mapped[str | None] = mapped_column(String(200), index=True)
