"""Owner Contacts and their additional emails."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.activation import ActivationStatus
from models.base import Base, utcnow


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(
            "activation_status IN ('INACTIVE', 'PENDING', 'ACTIVE')", name="activation_status"
        ),
        CheckConstraint(
            "activation_status = 'INACTIVE' OR primary_email_key IS NOT NULL",
            name="claimed_needs_primary",
        ),
        # SPEC 2.3.3: within a builder account no two PENDING/ACTIVE contacts share a
        # primary email. The database decides races between server processes.
        Index(
            "uq_contacts_claimed_primary_email",
            "builder_account_id",
            "primary_email_key",
            unique=True,
            sqlite_where=text("activation_status IN ('PENDING', 'ACTIVE') AND merged_into_id IS NULL"),
            postgresql_where=text(
                "activation_status IN ('PENDING', 'ACTIVE') AND merged_into_id IS NULL"
            ),
        ),
        Index("ix_contacts_builder_last_name", "builder_account_id", "last_name", "id"),
        Index("ix_contacts_builder_primary_email_key", "builder_account_id", "primary_email_key"),
        # The `contacts` connection's sort keys, exactly as repository/contacts.py
        # orders by them, so a keyset page reads an index range instead of sorting.
        Index("ix_contacts_builder_sort_last_name", "builder_account_id", text("coalesce(last_name, '')"), "id"),
        Index("ix_contacts_builder_sort_first_name", "builder_account_id", text("coalesce(first_name, '')"), "id"),
        Index("ix_contacts_builder_created_at", "builder_account_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    builder_account_id: Mapped[int] = mapped_column(
        ForeignKey("builder_accounts.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    cell_phone: Mapped[str | None] = mapped_column(String(40))
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    primary_email: Mapped[str | None] = mapped_column(String(320))
    primary_email_key: Mapped[str | None] = mapped_column(String(320))
    # Stored as the enum's string (VARCHAR(10), checked by the constraint above);
    # read back as ActivationStatus members.
    activation_status: Mapped[ActivationStatus] = mapped_column(
        Enum(ActivationStatus, native_enum=False, length=10), default=ActivationStatus.INACTIVE
    )
    sms_opt_in: Mapped[bool] = mapped_column(default=False)
    profile_image_key: Mapped[str | None] = mapped_column(String(100))
    profile_image_width: Mapped[int | None]
    profile_image_height: Mapped[int | None]
    profile_image_updated_at: Mapped[datetime | None]
    # Set when this contact was merged into another one: the row stays so that
    # its old ID keeps resolving (SPEC 4) and an undo can bring it back.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    additional_emails: Mapped[list[ContactEmail]] = relationship(
        lazy="raise",
        order_by="ContactEmail.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class ContactEmail(Base):
    """An additional email of a contact (the primary lives on the contact row)."""

    __tablename__ = "contact_emails"
    __table_args__ = (UniqueConstraint("contact_id", "email_key", name="uq_contact_emails_contact_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
