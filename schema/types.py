"""GraphQL object types. Each is built explicitly from rows (`from_model`) and
carries only what it exposes; relations and lookups by id read through the read
layer (reads/), which applies who may see what, and build their types from its rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Iterable

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain.names import display_name
from permissions.policy import PolicyContact, viewer_can
from reads import nodes, relations
from reads.loaders import then
from schema.custom_fields import CustomFieldValue
from schema.enums import ActivationStatus, BuilderRole
from schema.nodes import answer_nodes, record_ids
from schema.paging import After, Before, First, Last
from schema.profile_images import ProfileImage
from schema.timeline import Kinds, TimelineConnection, contact_timeline

if TYPE_CHECKING:
    from schema.merges import ContactMerge


@strawberry.type(description="A postal address; null as a whole when every part is blank.")
class Address:
    street: str | None = strawberry.field(description="Street and number.")
    city: str | None = strawberry.field(description="City or town.")
    state: str | None = strawberry.field(description="State, province or region.")
    postal_code: str | None = strawberry.field(description="Postal or ZIP code.")

    @classmethod
    def from_columns(cls, row) -> Address | None:
        if not any((row.street, row.city, row.state, row.postal_code)):
            return None
        return cls(street=row.street, city=row.city, state=row.state, postal_code=row.postal_code)


@strawberry.type(description="What the viewer may do with a contact, from the same policy the server enforces.")
class ContactPermissions:
    edit_info: bool = strawberry.field(description="May change the contact info (`updateContactInfo`, `promoteAdditionalEmail`).")
    edit_additional_emails: bool = strawberry.field(description="May replace the additional emails (`setAdditionalEmails`).")
    edit_custom_fields: bool = strawberry.field(description="May set custom field values (`setCustomFieldValues`).")
    set_profile_image: bool = strawberry.field(description="May set or remove the profile image.")
    invite: bool = strawberry.field(description="May send (or resend) the owner invite (`sendInvite`).")
    cancel_invite: bool = strawberry.field(description="May cancel the pending invite (`cancelInvite`).")
    deactivate: bool = strawberry.field(description="May deactivate the active owner (`deactivateOwner`).")
    merge: bool = strawberry.field(description="May merge contacts (`mergeContacts`, `undoMerge`).")
    delete: bool = strawberry.field(description="May delete the contact (`deleteContact`).")
    locked_reason: str | None = strawberry.field(
        description="Why the contact info is locked, and what to do first; null when it is not locked."
    )


@strawberry.type(description="The live invite of a PENDING contact. Only builders see it.")
class PendingInvite:
    sent_at: datetime = strawberry.field(description="When the live invite was sent.")
    expires_at: datetime = strawberry.field(description="When its link stops working.")
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


# The relations of a contact, below: each asks the read layer (which applies who
# may see what) and builds its types from the rows, synchronously when a prefetch
# primed them.


def _each(build: Callable[[Any], Any]) -> Callable[[Iterable], list]:
    return lambda rows: [build(row) for row in rows]


def _pending_invite(root, info: Info) -> PendingInvite | None:
    def build(invite) -> PendingInvite | None:
        if invite is None:
            return None
        return PendingInvite(
            sent_at=invite.sent_at, expires_at=invite.expires_at,
            expired=invite.expires_at <= info.context.now(), sent_to=invite.sent_to,
        )

    return then(relations.live_invite_of_contact(info.context, root.id, root.activation_status), build)


def _pending_primary_email(root, info: Info) -> PendingPrimaryEmail | None:
    def build(change) -> PendingPrimaryEmail | None:
        return None if change is None else PendingPrimaryEmail(email=change.new_email, expires_at=change.expires_at)

    return then(relations.open_email_change_of_contact(info.context, root.id, root.activation_status), build)


def _contact_jobs(root, info: Info) -> list[Job]:
    return then(relations.jobs_of_contact(info.context, root.id, root._merging_ids), _each(Job.from_model))


def _contact_leads(root, info: Info) -> list[Lead]:
    return then(relations.leads_of_contact(info.context, root.id, root._merging_ids), _each(Lead.from_model))


def _contact_merges(root, info: Info) -> list[Annotated[ContactMerge, strawberry.lazy("schema.merges")]]:
    from schema.merges import ContactMerge

    return then(relations.merges_of_contact(info.context, root.id), _each(ContactMerge.from_model))


async def _contact_timeline(
    root,
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    kinds: Kinds = None,
) -> TimelineConnection:
    return await contact_timeline(info.context, root.id, (first, after, last, before), kinds)


def _contact_custom_fields(root, info: Info) -> list[CustomFieldValue]:
    return then(
        relations.custom_values_of_contact(info.context, root.id),
        lambda pairs: [CustomFieldValue.from_model(definition, value) for definition, value in pairs],
    )


@strawberry.type(description="The fields a contact and a merge preview share (never in the schema by itself).")
class ContactFields:
    first_name: str | None = strawberry.field(description="First name.")
    last_name: str | None = strawberry.field(description="Last name.")
    display_name: str = strawberry.field(
        description='First and last name, else the primary email, else "Unnamed contact".'
    )
    phone: str | None = strawberry.field(description="Phone number, as entered.")
    cell_phone: str | None = strawberry.field(description="Cell phone number, as entered (SMS notifications go here).")
    address: Address | None = strawberry.field(description="Postal address; null when blank.")
    primary_email: str | None = strawberry.field(
        description="The email invites and password resets go to; unique among claimed contacts of the account. "
        "Null for another contact an owner sees by name only."
    )
    additional_emails: list[str] = strawberry.field(
        description="Up to 5 more emails, which receive every notification the primary email receives."
    )
    activation_status: ActivationStatus = strawberry.field(
        description="Where the contact is in the owner-activation flow."
    )
    sms_opt_in: bool = strawberry.field(description="The owner also gets job notifications by SMS.")
    created_at: datetime = strawberry.field(description="When the contact was created.")
    updated_at: datetime = strawberry.field(description="When the contact last changed.")

    @classmethod
    def from_rows(cls, rows):
        """From a contact's rows (repository.prefetch.ContactRows) as the read layer
        answers them, flagged by the statement that read them when the viewer sees
        the contact by name only."""
        return cls.from_model(rows.row, rows.additional_emails, by_name_only=rows.by_name_only)

    @classmethod
    def from_model(cls, row, additional_emails: list[str], *, by_name_only: bool):
        """Builds the type for the viewer: a contact they see `by_name_only` (an
        owner's co-owner on their job) has every other detail left empty."""
        name = display_name(row.first_name, row.last_name, row.primary_email)
        if by_name_only:
            return cls(
                id=row.id, first_name=row.first_name, last_name=row.last_name, display_name=name,
                phone=None, cell_phone=None, address=None, primary_email=None, additional_emails=[], emails=[],
                activation_status=row.activation_status, sms_opt_in=False,
                created_at=row.created_at, updated_at=row.updated_at,
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
            activation_status=row.activation_status,
            sms_opt_in=row.sms_opt_in,
            created_at=row.created_at,
            updated_at=row.updated_at,
            profile_image=ProfileImage.from_columns(row),
        )

    @strawberry.field(description="What the viewer may do with this contact.")
    def viewer_can(self, info: Info) -> ContactPermissions:
        can = viewer_can(info.context.actor, PolicyContact(self.id, self.activation_status))
        return ContactPermissions(**vars(can))

    pending_invite: PendingInvite | None = strawberry.field(
        resolver=_pending_invite, description="The live invite while PENDING; null for owners."
    )
    pending_primary_email: PendingPrimaryEmail | None = strawberry.field(
        resolver=_pending_primary_email,
        description="The active owner's requested new primary email until it is confirmed, cancelled or expires. "
        "Only the owner sees it; null for everyone else.",
    )
    jobs: list[Job] = strawberry.field(resolver=_contact_jobs, description="The jobs this contact is an owner of.")
    leads: list[Lead] = strawberry.field(
        resolver=_contact_leads,
        description="Lead opportunities this contact is on (empty for an owner: owners never see leads).",
    )
    # A plain value set by from_model, not a resolver: it is on every list row.
    emails: list[str] = strawberry.field(description="Primary email first, then the additional emails.")

    profile_image: ProfileImage | None = strawberry.field(
        default=None,
        description="The owner's picture; null when none is set, and for other contacts an owner sees by name only.",
    )
    merges: list[Annotated[ContactMerge, strawberry.lazy("schema.merges")]] = strawberry.field(
        resolver=_contact_merges,
        description="Merges into this contact, newest first (builders only; empty for an owner).",
    )
    timeline = strawberry.field(
        resolver=_contact_timeline,
        description=(
            "What happened to this contact, newest first: changes with who made them, invites, messages with "
            "their delivery state, merges (events of contacts merged into this one included). Builders see "
            "every entry; the owner sees their own contact's, without the builder's internal ones; "
            "for anyone else it is empty."
        ),
    )
    # Only in a merge preview: the contacts that would merge into this one, so
    # its jobs and leads show theirs too, as the merge would leave them.
    _merging_ids: strawberry.Private[tuple[int, ...]] = ()

    custom_fields: list[CustomFieldValue] = strawberry.field(
        resolver=_contact_custom_fields,
        description=(
            "The contact's custom field values, in field order; fields without a value are left out "
            "(`customFieldDefinitions` lists them all). An owner sees only fields marked visibleToOwner."
        ),
    )


@strawberry.type(description="An Owner Contact: a homeowner the builder works for.")
class Contact(relay.Node, ContactFields):
    id: relay.NodeID[int]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await contacts_by_ids(info, list(node_ids), required)


@strawberry.type(
    description="A contact as a merge would leave it, computed and never stored. It has no `id`, so "
    "that no client cache takes it for the real contact: `survivorId` names the contact it previews."
)
class ContactPreview(ContactFields):
    # The survivor's database id, for the shared resolvers; not in the schema.
    id: strawberry.Private[int]

    @strawberry.field(description="The global id of the surviving contact this previews.")
    def survivor_id(self) -> relay.GlobalID:
        return relay.GlobalID("Contact", str(self.id))


@strawberry.type(description="A home the builder builds, with its owners.")
class Job(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The job's name.")
    address: Address | None = strawberry.field(description="Where the job is; null when blank.")
    created_at: datetime = strawberry.field(description="When the job was created.")
    updated_at: datetime = strawberry.field(description="When the job last changed.")

    @classmethod
    def from_model(cls, row) -> Job:
        return cls(id=row.id, name=row.name, address=Address.from_columns(row),
                   created_at=row.created_at, updated_at=row.updated_at)

    @strawberry.field(description="The job's owners, in order.")
    def owners(self, info: Info) -> list[Contact]:
        return then(relations.owners_of_job(info.context, self.id), _each(Contact.from_rows))

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        node_ids = list(node_ids)
        found = await nodes.jobs(info.context, record_ids(node_ids))
        return answer_nodes(node_ids, found, required, cls.from_model)


@strawberry.type(description="A lead opportunity.")
class Lead(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="The lead's title.")
    created_at: datetime = strawberry.field(description="When the lead was created.")
    updated_at: datetime = strawberry.field(description="When the lead last changed.")

    @classmethod
    def from_model(cls, row) -> Lead:
        return cls(id=row.id, title=row.title, created_at=row.created_at, updated_at=row.updated_at)

    @strawberry.field(description="The contacts on this lead, in order.")
    def contacts(self, info: Info) -> list[Contact]:
        return then(relations.contacts_of_lead(info.context, self.id), _each(Contact.from_rows))

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        node_ids = list(node_ids)
        found = await nodes.leads(info.context, record_ids(node_ids))
        return answer_nodes(node_ids, found, required, cls.from_model)


@strawberry.type(description="A home builder's company: its staff, contacts, jobs and leads.")
class BuilderAccount(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The builder's name, as owners see it.")

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        node_ids = list(node_ids)
        ids = record_ids(node_ids)
        names = await nodes.account_names(info.context, ids)
        found = [(i, name) if name is not None else None for i, name in zip(ids, names)]
        return answer_nodes(node_ids, found, required, lambda pair: cls(id=pair[0], name=pair[1]))


@strawberry.type(description="A member of a builder's staff.")
class BuilderUser(relay.Node):
    id: relay.NodeID[int]
    username: str = strawberry.field(description="The name the user signs in with.")
    role: BuilderRole = strawberry.field(description="What the user may do in the builder account.")
    builder_account: BuilderAccount = strawberry.field(description="The account the user works for.")

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        node_ids = list(node_ids)
        found = await nodes.users(info.context, record_ids(node_ids), "BUILDER")
        return answer_nodes(node_ids, found, required, cls.from_rows)

    @classmethod
    def from_rows(cls, rows: nodes.UserRows) -> BuilderUser:
        user = rows.user
        account = BuilderAccount(id=user.builder_account_id, name=rows.builder_name)
        return cls(id=user.id, username=user.username, role=BuilderRole(user.role), builder_account=account)


@strawberry.type(description="An owner signed in to their own contact.")
class OwnerUser(relay.Node):
    id: relay.NodeID[int]
    username: str = strawberry.field(description="The name the owner signs in with.")
    builder_account: BuilderAccount = strawberry.field(description="The builder the owner's home is built by.")
    contact: Contact = strawberry.field(description="The owner's own contact.")

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        node_ids = list(node_ids)
        found = await nodes.users(info.context, record_ids(node_ids), "OWNER")
        return answer_nodes(node_ids, found, required, cls.from_rows)

    @classmethod
    def from_rows(cls, rows: nodes.UserRows) -> OwnerUser:
        user = rows.user
        account = BuilderAccount(id=user.builder_account_id, name=rows.builder_name)
        return cls(id=user.id, username=user.username, builder_account=account,
                   contact=Contact.from_rows(rows.contact))


Viewer = Annotated[
    BuilderUser | OwnerUser,
    strawberry.union("Viewer", description="Who is signed in: a builder's staff member or an owner."),
]


def user_from_rows(rows: nodes.UserRows) -> BuilderUser | OwnerUser:
    """The `Viewer` of a user the read layer found."""
    return BuilderUser.from_rows(rows) if rows.user.kind == "BUILDER" else OwnerUser.from_rows(rows)


async def contacts_by_ids(info: Info, node_ids: Sequence[str], required: bool = False) -> list[Contact | None]:
    """Contacts by (string) id as the viewer may see them; merged ids resolve to the survivor."""
    found = await nodes.contacts(info.context, record_ids(node_ids))
    return answer_nodes(node_ids, found, required, Contact.from_rows)
