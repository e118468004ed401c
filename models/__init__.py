"""SQLAlchemy tables. Relationships never load implicitly (`lazy="raise"`)."""

from models.accounts import AuthSession, BuilderAccount, User
from models.base import Base, utcnow
from models.contacts import Contact, ContactEmail
from models.custom_fields import CustomFieldDefinition, CustomFieldValue
from models.email_changes import EmailChange
from models.invites import Invite
from models.jobs_leads import Job, JobOwner, Lead, LeadContact
from models.merges import ContactMerge
from models.outbox import OutboxMessage
from models.passwords import PasswordReset
from models.timeline import ContactEvent

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
