"""The contact's timeline (issue 19): one append-only row per event, written in the
unit of work of the change it describes. Nothing updates or deletes these rows
except the deletion of the contact itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ContactEvent(Base):
    __tablename__ = "contact_events"
    __table_args__ = (
        CheckConstraint("actor_kind IN ('BUILDER_USER', 'OWNER', 'SYSTEM')", name="actor_kind"),
        # A page of a timeline reads newest first by id within one contact.
        Index("ix_contact_events_contact_id_id", "contact_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    builder_account_id: Mapped[int] = mapped_column(ForeignKey("builder_accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(12))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    # False for the builder's own entries (custom fields not visible to owners,
    # leads, merges): the owner's view of their timeline leaves them out.
    owner_visible: Mapped[bool] = mapped_column(default=True)
    # Details: {"changes": [{field, old, new}], "related": [{type, id, name}]}.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # A MESSAGE entry's outbox row, whose delivery state the sender keeps current.
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
