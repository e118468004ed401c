"""How a plan shapes the answer from rows: for each object type it covers, the
getters of its fields, compiled once per selection into a tuple of (response
key, getter) pairs. Shaping an object is then one dict built in selection
order, with no resolver, no typed object and no per-field lookup.

Who sees what comes from permissions/policy.py: the statements read only what
the viewer may read, and flag a contact the viewer sees by name only (a
co-owner on an owner's job), whose details the shapes leave empty exactly as
the types of the schema do (`Contact.from_rows`)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode, GraphQLSchema
from graphql.execution import VariableValues, get_argument_values

from domain.activation import ActivationStatus
from domain.names import display_name
from media.images import rendition_name
from permissions.policy import Actor, ActorKind, PolicyContact, sees_invites, sees_leads, viewer_can
from planner.selection import Collector
from repository.prefetch import RowColumns, contacts_t, in_table_order, jobs_t

Getter = Callable[[Any, "Env"], Any]


class NotCovered(Exception):
    """The selection asks for something the planner does not shape: graphql-core runs it."""


class Declined(Exception):
    """A planned run met a case it does not reproduce (an error to report, a refusal):
    the whole request runs on graphql-core instead."""


@dataclass
class Env:
    """What a planned run needs of its request."""

    context: Any
    schema: GraphQLSchema
    variables: VariableValues
    memo: dict[int, Any] = field(default_factory=dict)
    # Rows of the relations read beside the contacts, by relation then contact id.
    related: dict[str, dict[int, Any]] = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        return self.context.actor

    def arguments(self, type_name: str, node: FieldNode) -> dict[str, Any]:
        """The field's coerced arguments (defaults included), once per request and node."""
        found = self.memo.get(id(node))
        if found is None:
            definition = self.schema.get_type(type_name).fields[node.name.value]
            found = self.memo[id(node)] = get_argument_values(definition, node, self.variables)
        return found


def global_id(type_name: str, record_id: int) -> str:
    """A relay global id, as Strawberry's `GlobalID` writes it."""
    return base64.b64encode(f"{type_name}:{record_id}".encode()).decode()


def isoformat(value) -> Any:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class ObjectShape:
    fields: tuple[tuple[str, Getter], ...]

    def __call__(self, source: Any, env: Env) -> dict[str, Any]:
        return {key: get(source, env) for key, get in self.fields}


@dataclass
class ContactNeeds:
    """What the contacts of one level of a root field must be read with: the root's
    contacts, or the contacts linked to the jobs or leads of the level above, each
    level with its own needs, read in a fixed number of statements for all its contacts."""

    emails: bool = False
    jobs: bool = False
    total: bool = False
    leads: bool = False
    invites: bool = False
    # The owners of the contacts' jobs (or of a Job root's jobs) and the contacts of
    # their leads (or of a Lead root's leads): the needs of the level below, None
    # when not asked.
    job_owners: ContactNeeds | None = None
    lead_contacts: ContactNeeds | None = None
    # The reads of the relations planner/contact_relations.py and planner/timeline.py
    # shape, by the key of Env.related their rows go under: each one statement for
    # all the contacts (contact_relations.read_relations runs them).
    relations: dict[str, Callable] = field(default_factory=dict)
    # The columns the shapes read of the contacts and of their jobs (Compiler.read);
    # the id and, of a contact, its status are read always (the reads of relations
    # beside the contacts ask for them).
    contact_columns: set[str] = field(default_factory=lambda: {"id", "activation_status"})
    job_columns: set[str] = field(default_factory=lambda: {"id"})
    _row_columns: RowColumns | None = None

    def row_columns(self) -> RowColumns:
        """The columns to read of the contacts, their jobs and the jobs' owners (the
        level below's contacts), once the plan is compiled (its needs do not change after)."""
        if self._row_columns is None:
            owners = self.job_owners.contact_columns if self.job_owners is not None else {"id"}
            self._row_columns = RowColumns(
                in_table_order(contacts_t, self.contact_columns),
                in_table_order(jobs_t, self.job_columns),
                in_table_order(contacts_t, owners),
            )
        return self._row_columns


# Types shaped from the row of the object that holds them: their columns are that row's.
SHAPED_FROM_HOLDER = {"Address", "ProfileImage"}


class Compiler:
    """Builds the shapes of one operation for one set of directive values."""

    def __init__(self, collector: Collector):
        self.collector = collector
        self.needs = ContactNeeds()
        self.linked_level = False  # compiling the contacts linked to a job or a lead
        self.row_columns: set[str] | None = None  # where `read` notes columns, while a row is shaped

    def read(self, *names: str) -> None:
        """Notes the columns a getter reads of the row being shaped (a contact's or a job's)."""
        if self.row_columns is not None:
            self.row_columns.update(names)

    def shape(self, type_name: str, nodes: list[FieldNode], table: dict[str, Callable]) -> ObjectShape:
        holder = self.row_columns
        if type_name == "Contact":
            self.row_columns = self.needs.contact_columns
        elif type_name == "Job":
            self.row_columns = self.needs.job_columns
        elif type_name not in SHAPED_FROM_HOLDER:
            self.row_columns = None
        try:
            fields = []
            for key, field_nodes in self.collector.subfields(nodes, type_name).items():
                name = field_nodes[0].name.value
                if name == "__typename":
                    fields.append((key, _constant(type_name)))
                    continue
                build = table.get(name)
                if build is None:
                    raise NotCovered(f"{type_name}.{name}")
                fields.append((key, build(self, field_nodes)))
        finally:
            self.row_columns = holder
        return ObjectShape(tuple(fields))


def _constant(value: Any) -> Getter:
    return lambda source, env: value


def leaf(getter: Getter) -> Callable[[Compiler, list[FieldNode]], Getter]:
    return lambda compiler, nodes: getter


def reading(*names: str, getter: Getter) -> Callable[[Compiler, list[FieldNode]], Getter]:
    """A field whose getter reads the columns `names` of the row being shaped."""

    def build(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
        compiler.read(*names)
        return getter

    return build


def column(name: str) -> Callable[[Compiler, list[FieldNode]], Getter]:
    return reading(name, getter=lambda source, env: getattr(source, name))


def datetime_column(name: str) -> Callable[[Compiler, list[FieldNode]], Getter]:
    return reading(name, getter=lambda source, env: isoformat(getattr(source, name)))


ADDRESS = {
    "street": column("street"),
    "city": column("city"),
    "state": column("state"),
    "postalCode": column("postal_code"),
}


def has_address(row) -> bool:
    return bool(row.street or row.city or row.state or row.postal_code)


def address_of(row_of: Callable[[Any], Any], hidden: Callable[[Any, Env], bool] | None = None):
    """`address` of the row `row_of(source)`: null when blank (and when hidden)."""

    def build(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
        compiler.read("street", "city", "state", "postal_code")  # has_address reads them all
        shape = compiler.shape("Address", nodes, ADDRESS)

        def get(source, env):
            row = row_of(source)
            if (hidden is not None and hidden(source, env)) or not has_address(row):
                return None
            return shape(row, env)

        return get

    return build


# --- Contact (source: repository.prefetch.ContactRows) ---------------------------------

def _hidden(contact, env: Env) -> bool:
    return contact.by_name_only


def _detail(name: str) -> Callable[[Compiler, list[FieldNode]], Getter]:
    """A contact detail: null for a contact the viewer sees by name only."""
    return reading(name, getter=lambda c, env: None if _hidden(c, env) else getattr(c.row, name))


def _emails(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    compiler.needs.emails = True
    compiler.read("primary_email")

    def get(c, env):
        if _hidden(c, env):
            return []
        primary = c.row.primary_email
        return ([primary] if primary else []) + c.additional_emails

    return get


def _additional_emails(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    compiler.needs.emails = True
    return lambda c, env: [] if _hidden(c, env) else list(c.additional_emails)


PROFILE_IMAGE = {
    "width": column("profile_image_width"),
    "height": column("profile_image_height"),
    "updatedAt": datetime_column("profile_image_updated_at"),
}


def _image_url(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    node = nodes[0]

    def get(row, env):
        size = env.arguments("ProfileImage", node)["size"]
        base = env.context.settings.APP_URL.rstrip("/")
        return f"{base}/media/{rendition_name(row.profile_image_key, size)}"

    return get


def _profile_image(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    compiler.read("profile_image_key")
    shape = compiler.shape("ProfileImage", nodes, {**PROFILE_IMAGE, "url": _image_url})

    def get(c, env):
        if _hidden(c, env) or not c.row.profile_image_key:
            return None
        return shape(c.row, env)

    return get


VIEWER_CAN = {
    name: column(attribute)
    for name, attribute in (
        ("editInfo", "edit_info"), ("editAdditionalEmails", "edit_additional_emails"),
        ("editCustomFields", "edit_custom_fields"), ("setProfileImage", "set_profile_image"),
        ("invite", "invite"), ("cancelInvite", "cancel_invite"), ("deactivate", "deactivate"),
        ("merge", "merge"), ("delete", "delete"), ("lockedReason", "locked_reason"),
    )
}


def _viewer_can(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    shape = compiler.shape("ContactPermissions", nodes, VIEWER_CAN)
    return lambda c, env: shape(viewer_can(env.actor, PolicyContact(c.row.id, c.row.activation_status)), env)


def _top_level(compiler: Compiler, relation: str) -> None:
    """A relation read for the contacts of the root field only, not for the contacts
    linked to a job or a lead."""
    if compiler.linked_level:
        raise NotCovered(f"the {relation} of the contacts of a job or a lead")
    setattr(compiler.needs, relation, True)


def _jobs(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    """The contact's jobs, at any level (the jobs of a job's owners or of a lead's
    contacts: one statement more for each level)."""
    compiler.needs.jobs = True
    shape = compiler.shape("Job", nodes, JOB)
    return lambda c, env: [] if _hidden(c, env) else [shape(job, env) for job in c.jobs]


def _leads(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    """Leads: the builder's pipeline, none for owners (reads/relations.leads_of_contact)."""
    _top_level(compiler, "leads")
    shape = compiler.shape("Lead", nodes, LEAD)

    def get(c, env):
        if not sees_leads(env.actor):
            return []
        return [shape(lead, env) for lead in env.related["leads"].get(c.row.id, ())]

    return get


PENDING_INVITE = {
    "sentAt": datetime_column("sent_at"),
    "expiresAt": datetime_column("expires_at"),
    "expired": leaf(lambda invite, env: invite.expires_at <= env.context.now()),
    "sentTo": column("sent_to"),
}


def _pending_invite(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    """The live invite of a PENDING contact, builders only (reads/relations.live_invite_of_contact)."""
    _top_level(compiler, "invites")
    shape = compiler.shape("PendingInvite", nodes, PENDING_INVITE)

    def get(c, env):
        if not sees_invites(env.actor) or c.row.activation_status != ActivationStatus.PENDING:
            return None
        invite = env.related["invites"].get(c.row.id)
        return None if invite is None else shape(invite, env)

    return get


# The relations below hold contacts again (a merge's survivor, a timeline entry's
# actor), so their modules import this one: each is imported when a plan is
# compiled, inside the function, where import-linter still sees the dependency.

def _pending_primary_email(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    from planner.contact_relations import pending_primary_email

    return pending_primary_email(compiler, nodes)


def _custom_fields(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    from planner.contact_relations import custom_fields

    return custom_fields(compiler, nodes)


def _merges(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    from planner.contact_relations import merges

    return merges(compiler, nodes)


def _timeline(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    from planner.timeline import timeline

    return timeline(compiler, nodes)


CONTACT: dict[str, Callable[[Compiler, list[FieldNode]], Getter]] = {
    "id": leaf(lambda c, env: global_id("Contact", c.row.id)),
    "firstName": reading("first_name", getter=lambda c, env: c.row.first_name),
    "lastName": reading("last_name", getter=lambda c, env: c.row.last_name),
    "displayName": reading(
        "first_name", "last_name", "primary_email",
        getter=lambda c, env: display_name(c.row.first_name, c.row.last_name, c.row.primary_email),
    ),
    "phone": _detail("phone"),
    "cellPhone": _detail("cell_phone"),
    "primaryEmail": _detail("primary_email"),
    "address": address_of(lambda c: c.row, _hidden),
    "additionalEmails": _additional_emails,
    "emails": _emails,
    "activationStatus": leaf(lambda c, env: c.row.activation_status),
    "smsOptIn": reading("sms_opt_in", getter=lambda c, env: False if _hidden(c, env) else c.row.sms_opt_in),
    "createdAt": reading("created_at", getter=lambda c, env: isoformat(c.row.created_at)),
    "updatedAt": reading("updated_at", getter=lambda c, env: isoformat(c.row.updated_at)),
    "profileImage": _profile_image,
    "viewerCan": _viewer_can,
    "jobs": _jobs,
    "leads": _leads,
    "pendingInvite": _pending_invite,
    "pendingPrimaryEmail": _pending_primary_email,
    "customFields": _custom_fields,
    "merges": _merges,
    "timeline": _timeline,
}


def contact_shape(compiler: Compiler, nodes: list[FieldNode]) -> ObjectShape:
    return compiler.shape("Contact", nodes, CONTACT)


# --- Job and Lead (sources: repository.prefetch.JobRows, LeadRows) ----------------------

@dataclass(frozen=True, slots=True)
class LeadRows:
    """A lead's row with its contacts (read when asked)."""

    row: Any
    contacts: list


def linked_contacts(level: str, contacts_of: Callable[[Any], list]) -> Callable[[Compiler, list[FieldNode]], Getter]:
    """The contacts linked to a job (its owners) or a lead (its contacts), in order,
    compiled with the needs of their own level (`ContactNeeds.job_owners` or
    `lead_contacts` of the level above): their emails, their jobs and so on down;
    the relations read beside a root's contacts are not covered for them."""

    def build(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
        above, was_linked = compiler.needs, compiler.linked_level
        needs = getattr(above, level) or ContactNeeds()
        setattr(above, level, needs)
        compiler.needs, compiler.linked_level = needs, True
        try:
            shape = contact_shape(compiler, nodes)
        finally:
            compiler.needs, compiler.linked_level = above, was_linked
        return lambda source, env: [shape(contact, env) for contact in contacts_of(source)]

    return build


JOB: dict[str, Callable[[Compiler, list[FieldNode]], Getter]] = {
    "id": leaf(lambda job, env: global_id("Job", job.row.id)),
    "name": reading("name", getter=lambda job, env: job.row.name),
    "address": address_of(lambda job: job.row),
    "createdAt": reading("created_at", getter=lambda job, env: isoformat(job.row.created_at)),
    "updatedAt": reading("updated_at", getter=lambda job, env: isoformat(job.row.updated_at)),
    "owners": linked_contacts("job_owners", lambda job: job.owners),
}
LEAD: dict[str, Callable[[Compiler, list[FieldNode]], Getter]] = {
    "id": leaf(lambda lead, env: global_id("Lead", lead.row.id)),
    "title": leaf(lambda lead, env: lead.row.title),
    "createdAt": leaf(lambda lead, env: isoformat(lead.row.created_at)),
    "updatedAt": leaf(lambda lead, env: isoformat(lead.row.updated_at)),
    "contacts": linked_contacts("lead_contacts", lambda lead: lead.contacts),
}
