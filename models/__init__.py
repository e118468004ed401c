"""SQLAlchemy tables. Relationships never load implicitly (`lazy="raise"`)."""

from models.accounts import AuthSession, BuilderAccount, PasswordReset, User
from models.base import Base, utcnow
from models.contacts import (
    Contact,
    ContactEmail,
    ContactMerge,
    CustomFieldDefinition,
    CustomFieldValue,
    EmailChange,
    Invite,
)
from models.outbox import OutboxMessage
from models.timeline import ContactEvent
from models.work import Job, JobOwner, Lead, LeadContact

__all__ = [
    "AuthSession",
    "Base",
    "BuilderAccount",
    "Contact",
    "ContactEmail",
    "ContactEvent",
    "ContactMerge",
    "CustomFieldDefinition",
    "CustomFieldValue",
    "EmailChange",
    "Invite",
    "Job",
    "JobOwner",
    "Lead",
    "LeadContact",
    "OutboxMessage",
    "PasswordReset",
    "User",
    "utcnow",
]
