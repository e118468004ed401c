"""GraphQL object types. Each is built explicitly from rows (`from_model`) and
carries only what it exposes; relations resolve through per-request DataLoaders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Iterable

import strawberry
from strawberry import relay
from strawberry.types import Info

from permissions.policy import ContactFacts, sees_by_name_only, viewer_can
from resolvers import merge_audit, nodes, pending_email_changes, pending_invites, relations
from schema.custom_field_types import CustomFieldValue
from schema.enums import ActivationStatus, BuilderRole, UserErrorCode
from schema.media import ProfileImage

if TYPE_CHECKING:
    from schema.merge_types import ContactMerge


@strawberry.type
class Address:
    street: str | None
    city: str | None
    state: str | None
    postal_code: str | None

    @classmethod
    def from_columns(cls, row) -> Address | None:
        if not any((row.street, row.city, row.state, row.postal_code)):
            return None
        return cls(street=row.street, city=row.city, state=row.state, postal_code=row.postal_code)


@strawberry.type(description="What the viewer may do with a contact, from the same policy the server enforces.")
class ContactPermissions:
    edit_info: bool
    edit_additional_emails: bool
    edit_custom_fields: bool
    set_profile_image: bool
    invite: bool
    cancel_invite: bool
    deactivate: bool
    merge: bool
    delete: bool
    locked_reason: str | None


@strawberry.type
class UserError:
    field: list[str] | None = strawberry.field(description="Path into the mutation's input.")
    message: str
    code: UserErrorCode

    @classmethod
    def from_violations(cls, violations: Iterable) -> list[UserError]:
        return [cls(field=list(v.field) or None, message=v.message, code=UserErrorCode(v.code)) for v in violations]


@strawberry.type(description="The live invite of a PENDING contact. Only builders see it.")
class PendingInvite:
    sent_at: datetime
    expires_at: datetime
    expired: bool = strawberry.field(
        description="The link no longer works; the contact stays PENDING until the builder resends or cancels."
    )
    sent_to: str = strawberry.field(description="The primary email the invite went to.")


@strawberry.type(description="A new primary email the owner asked for, waiting for its confirmation link to be used.")
class PendingPrimaryEmail:
    email: str = strawberry.field(
        description="The requested address. The contact's `primaryEmail` stays as it is until it is confirmed."
    )
    expires_at: datetime = strawberry.field(
        description="When the confirmation link mailed to the new address stops working."
    )


# Enum(value) goes through EnumMeta.__call__, slow on every row of a list: look up once.
STATUS_BY_VALUE = {status.value: status for status in ActivationStatus}


def display_name(first: str | None, last: str | None, email: str | None) -> str:
    name = " ".join(part for part in (first, last) if part)
    return name or email or "Unnamed contact"


@strawberry.type(description="An Owner Contact: a homeowner the builder works for.")
class Contact(relay.Node):
    id: relay.NodeID[int]
    first_name: str | None
    last_name: str | None
    display_name: str
    phone: str | None
    cell_phone: str | None
    address: Address | None
    primary_email: str | None
    additional_emails: list[str]
    activation_status: ActivationStatus
    sms_opt_in: bool
    created_at: datetime
    updated_at: datetime
    _status: strawberry.Private[str]
    # Relations a root resolver prefetched (resolvers/prefetch.py); None: not fetched.
    _jobs: strawberry.Private[list[Job] | None] = None

    @classmethod
    def from_model(cls, row, additional_emails: list[str], info_or_context) -> Contact:
        """Builds the type for the viewer: an owner sees another contact (a co-owner on
        their job) by name only, with every other detail left empty."""
        context = getattr(info_or_context, "context", info_or_context)
        name = display_name(row.first_name, row.last_name, row.primary_email)
        if sees_by_name_only(context.actor, row.id):
            return cls(
                id=row.id, first_name=row.first_name, last_name=row.last_name, display_name=name,
                phone=None, cell_phone=None, address=None, primary_email=None, additional_emails=[], emails=[],
                activation_status=STATUS_BY_VALUE[row.activation_status], sms_opt_in=False,
                created_at=row.created_at, updated_at=row.updated_at, _status=row.activation_status,
            )
        return cls(
            id=row.id,
            first_name=row.first_name,
            last_name=row.last_name,
            display_name=name,
            phone=row.phone,
            cell_phone=row.cell_phone,
            address=Address.from_columns(row),
            primary_email=row.primary_email,
            additional_emails=list(additional_emails),
            emails=([row.primary_email] if row.primary_email else []) + list(additional_emails),
            activation_status=STATUS_BY_VALUE[row.activation_status],
            sms_opt_in=row.sms_opt_in,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _status=row.activation_status,
            profile_image=ProfileImage.from_columns(row),
        )

    @strawberry.field
    def viewer_can(self, info: Info) -> ContactPermissions:
        can = viewer_can(info.context.actor, ContactFacts(self.id, self._status))
        return ContactPermissions(**vars(can))

    pending_invite: PendingInvite | None = strawberry.field(
        resolver=pending_invites.pending_invite, description="The live invite while PENDING; null for owners."
    )
    pending_primary_email: PendingPrimaryEmail | None = strawberry.field(
        resolver=pending_email_changes.pending_primary_email,
        description="The active owner's requested new primary email until it is confirmed, cancelled or expires. "
        "Only the owner sees it; null for everyone else.",
    )
    jobs: list[Job] = strawberry.field(
        resolver=relations.contact_jobs, description="The jobs this contact is an owner of."
    )
    leads: list[Lead] = strawberry.field(
        resolver=relations.contact_leads,
        description="Lead opportunities this contact is on (empty for an owner: owners never see leads).",
    )
    # A plain value set by from_model, not a resolver: it is on every list row.
    emails: list[str] = strawberry.field(description="Primary email first, then the additional emails.")

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await nodes.contacts_by_ids(info, list(node_ids), required)

    profile_image: ProfileImage | None = strawberry.field(
        default=None,
        description="The owner's picture; null when none is set, and for other contacts an owner sees by name only.",
    )
    merges: list[Annotated[ContactMerge, strawberry.lazy("schema.merge_types")]] = strawberry.field(
        resolver=merge_audit.contact_merges,
        description="Merges into this contact, newest first (builders only; empty for an owner).",
    )
    # Only in `mergeContactsPreview`: the contacts that would merge into this one, so
    # its jobs and leads show theirs too, as the merge would leave them.
    _merging_ids: strawberry.Private[tuple[int, ...]] = ()

    custom_fields: list[CustomFieldValue] = strawberry.field(
        resolver=relations.contact_custom_fields,
        description=(
            "The contact's custom field values, in field order; fields without a value are left out "
            "(`customFieldDefinitions` lists them all). An owner sees only fields marked visibleToOwner."
        ),
    )


@strawberry.type
class Job(relay.Node):
    id: relay.NodeID[int]
    name: str
    address: Address | None
    created_at: datetime
    updated_at: datetime
    _owners: strawberry.Private[list[Contact] | None] = None

    @classmethod
    def from_model(cls, row) -> Job:
        return cls(id=row.id, name=row.name, address=Address.from_columns(row),
                   created_at=row.created_at, updated_at=row.updated_at)

    owners: list[Contact] = strawberry.field(resolver=relations.job_owners, description="The job's owners, in order.")

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await nodes.jobs_by_ids(info, list(node_ids), required)


@strawberry.type(description="A lead opportunity.")
class Lead(relay.Node):
    id: relay.NodeID[int]
    title: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, row) -> Lead:
        return cls(id=row.id, title=row.title, created_at=row.created_at, updated_at=row.updated_at)

    contacts: list[Contact] = strawberry.field(resolver=relations.lead_contacts)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await nodes.leads_by_ids(info, list(node_ids), required)


@strawberry.type
class BuilderAccount:
    name: str


@strawberry.type(description="A member of a builder's staff.")
class BuilderUser:
    username: str
    role: BuilderRole
    builder_account: BuilderAccount


@strawberry.type(description="An owner signed in to their own contact.")
class OwnerUser:
    username: str
    builder_account: BuilderAccount
    contact: Contact


Viewer = Annotated[BuilderUser | OwnerUser, strawberry.union("Viewer")]
