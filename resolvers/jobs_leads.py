"""Job and lead resolvers (SPEC 5): the root lists and lookups, and the mutations.

Mutations decode ids, run the use case in one unit of work, commit once and
answer with the payload; who may call them is decided by the permission classes
on the fields. An owner's lists are scoped inside the repository query.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

import schema.types as types
from domain.ids import global_record_id
from models import Job, Lead
from reads import lists
from repository.contacts import encode_cursor
from repository.keyset import keyset_key
from resolvers.runner import refused_with, run
from resolvers.support import INPUT, address_input, given, required_id
from schema.connections import JobConnection, JobEdge, LeadConnection, LeadEdge
from schema.enums import JobOrder, LeadOrder
from schema.jobs_leads import (
    CreateJobInput,
    CreateLeadInput,
    JobOwnerInput,
    JobPayload,
    LeadContactInput,
    LeadPayload,
    UpdateJobInput,
)
from schema.paging import After, Before, First, Last, page_info, page_request
from services import jobs_leads as service
from services.contacts import UNCHANGED


async def job(
    info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The job's global id.")]
) -> types.Job | None:
    if id.type_name != "Job":
        return None
    return (await types.Job.resolve_nodes(info=info, node_ids=[id.node_id]))[0]


async def lead(
    info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The lead's global id.")]
) -> types.Lead | None:
    if id.type_name != "Lead":
        return None
    return (await types.Lead.resolve_nodes(info=info, node_ids=[id.node_id]))[0]


async def _connection(info: Info, model, order: str, page_args: tuple, search: str | None):
    """One page of jobs or leads, by label (or creation) then id; `totalCount` costs
    a query only when it is selected. An owner's page holds only the jobs they are
    an owner of."""
    by_creation = order == "CREATED_AT"
    page = page_request(*page_args, key=lambda cursor: keyset_key(cursor, order))
    context = info.context
    found = await lists.jobs_leads_page(context, model, page=page, order=order, search=search)

    async def total() -> int:
        return await lists.jobs_leads_count(context, model, search=search)

    def cursor_of(row, label: str) -> str:
        return encode_cursor(row.created_at.isoformat() if by_creation else label, row.id)

    if model is Job:
        edges = [JobEdge(cursor=cursor_of(row, row.name), node=types.Job.from_model(row)) for row in found.rows]
        connection = JobConnection
    else:
        edges = [LeadEdge(cursor=cursor_of(row, row.title), node=types.Lead.from_model(row)) for row in found.rows]
        connection = LeadConnection
    return connection(edges=edges, page_info=page_info(edges, page, found.has_more), _total=total)


SEARCH_JOBS = "Only jobs whose name contains this text (case-insensitive)."
SEARCH_LEADS = "Only leads whose title contains this text (case-insensitive)."


async def jobs(
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    search: Annotated[str | None, strawberry.argument(description=SEARCH_JOBS)] = None,
    order_by: Annotated[JobOrder, strawberry.argument(
        description="The order of the list; ties are broken by id."
    )] = JobOrder.NAME,
) -> JobConnection:
    order = "CREATED_AT" if order_by is JobOrder.CREATED_AT else "LABEL"
    return await _connection(info, Job, order, (first, after, last, before), search)


async def leads(
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    search: Annotated[str | None, strawberry.argument(description=SEARCH_LEADS)] = None,
    order_by: Annotated[LeadOrder, strawberry.argument(
        description="The order of the list; ties are broken by id."
    )] = LeadOrder.TITLE,
) -> LeadConnection:
    order = "CREATED_AT" if order_by is LeadOrder.CREATED_AT else "LABEL"
    return await _connection(info, Lead, order, (first, after, last, before), search)


async def _job_answer(info: Info, job: Job) -> JobPayload:
    # Job changes may have queued owner notifications: deliver them now (SPEC 11: within 2 s).
    info.context.wake_outbox()
    return JobPayload(job=types.Job.from_model(job))


async def _lead_answer(lead: Lead) -> LeadPayload:
    return LeadPayload(lead=types.Lead.from_model(lead))


async def _job(info: Info, step, command) -> JobPayload:
    return await run(info, step, command, answer=partial(_job_answer, info), refused=refused_with(JobPayload))


async def _lead(info: Info, step, command) -> LeadPayload:
    return await run(info, step, command, answer=_lead_answer, refused=refused_with(LeadPayload))


def _account(info: Info) -> int:
    return info.context.actor.builder_account_id


async def _link(info: Info, record_type: str, record_id, contact_id, **options) -> service.Link:
    """Decodes both ids, the record's first: one that names nothing is NOT_FOUND."""
    return service.Link(
        _account(info), required_id(record_id, record_type), required_id(contact_id, "Contact"), **options
    )


async def create_job(info: Info, input: Annotated[CreateJobInput, INPUT]) -> JobPayload:
    return await _job(info, service.create_job, service.NewJob(_account(info), input.name, address_input(input.address)))


async def update_job(info: Info, input: Annotated[UpdateJobInput, INPUT]) -> JobPayload:
    context = info.context
    address = given(input.address)

    async def command() -> service.JobChange:
        return service.JobChange(
            _account(info), required_id(input.job_id, "Job"), name=given(input.name),
            address=address_input(address) if address is not UNCHANGED else address,
            app_url=context.settings.APP_URL, now=context.now(),
            notice_quiet=timedelta(minutes=context.settings.JOB_NOTICE_QUIET_MINUTES),
        )

    return await run(
        info, service.update_job, None, first=command,
        answer=partial(_job_answer, info), refused=refused_with(JobPayload),
    )


async def add_job_owner(info: Info, input: Annotated[JobOwnerInput, INPUT]) -> JobPayload:
    link = partial(_link, info, "Job", input.job_id, input.contact_id, app_url=info.context.settings.APP_URL)
    return await run(
        info, service.add_job_owner, None, first=link, answer=partial(_job_answer, info), refused=refused_with(JobPayload)
    )


async def remove_job_owner(info: Info, input: Annotated[JobOwnerInput, INPUT]) -> JobPayload:
    link = partial(_link, info, "Job", input.job_id, input.contact_id)
    return await run(
        info, service.remove_job_owner, None, first=link,
        answer=partial(_job_answer, info), refused=refused_with(JobPayload),
    )


async def create_lead(info: Info, input: Annotated[CreateLeadInput, INPUT]) -> LeadPayload:
    contact_ids = [global_record_id(c, "Contact") for c in input.contact_ids]
    return await _lead(info, service.create_lead, service.NewLead(_account(info), input.title, contact_ids))


async def add_lead_contact(info: Info, input: Annotated[LeadContactInput, INPUT]) -> LeadPayload:
    link = partial(_link, info, "Lead", input.lead_id, input.contact_id)
    return await run(info, service.add_lead_contact, None, first=link, answer=_lead_answer, refused=refused_with(LeadPayload))


async def remove_lead_contact(info: Info, input: Annotated[LeadContactInput, INPUT]) -> LeadPayload:
    link = partial(_link, info, "Lead", input.lead_id, input.contact_id)
    return await run(
        info, service.remove_lead_contact, None, first=link, answer=_lead_answer, refused=refused_with(LeadPayload)
    )
