"""Job and lead resolvers (SPEC 5): the root lists and lookups, and the mutations.

Mutations decode ids, run the use case in one unit of work, commit once and
answer with the payload; who may call them is decided by the permission classes
on the fields. An owner's lists are scoped inside the repository query.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

import schema.types as types
from domain.errors import RuleError
from models import Job, Lead
from permissions.classes import decode_node_id
from reads import lists
from repository.contacts import encode_cursor
from repository.keyset import keyset_key
from resolvers.support import INPUT, contact_id_or_error, node_id_or_error, present, violation_payload
from schema.connections import JobConnection, JobEdge, LeadConnection, LeadEdge
from schema.enums import JobOrder, LeadOrder
from schema.paging import After, Before, First, Last, page_info, page_request
from schema.work_inputs import (
    CreateJobInput,
    CreateLeadInput,
    JobOwnerInput,
    JobPayload,
    LeadContactInput,
    LeadPayload,
    UpdateJobInput,
)
from services import work as service

ADDRESS_INPUT_FIELDS = ["street", "city", "state", "postalCode"]


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
    found = await lists.work_page(context, model, page=page, order=order, search=search)

    async def total() -> int:
        return await lists.work_count(context, model, search=search)

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


def _address(value) -> dict | None:
    return None if value is None else present(value, ADDRESS_INPUT_FIELDS)


async def _run(info: Info, payload_cls, work) -> JobPayload | LeadPayload:
    """Runs `work(uow)`, which returns the changed job or lead, in one unit of work."""
    try:
        async with info.context.unit_of_work() as uow:
            row = await work(uow)
            await uow.commit()
    except RuleError as error:
        return violation_payload(payload_cls, error)
    if isinstance(row, Job):
        # Job changes may have queued owner notifications: deliver them now (SPEC 11: within 2 s).
        info.context.wake_outbox()
        return JobPayload(job=types.Job.from_model(row))
    return LeadPayload(lead=types.Lead.from_model(row))


def _account(info: Info) -> int:
    return info.context.actor.builder_account_id


def _job_id(input) -> int:
    return node_id_or_error(input.job_id, "Job", "jobId")


def _lead_id(input) -> int:
    return node_id_or_error(input.lead_id, "Lead", "leadId")


async def create_job(info: Info, input: Annotated[CreateJobInput, INPUT]) -> JobPayload:
    address = _address(input.address)
    return await _run(info, JobPayload, lambda uow: service.create_job(uow, _account(info), input.name, address))


async def update_job(info: Info, input: Annotated[UpdateJobInput, INPUT]) -> JobPayload:
    changes = present(input, ["name"])
    if input.address is not None:
        changes["address"] = _address(input.address.value)
    context = info.context
    quiet = timedelta(minutes=context.settings.JOB_NOTICE_QUIET_MINUTES)
    return await _run(
        info, JobPayload,
        lambda uow: service.update_job(
            uow, _account(info), _job_id(input), changes,
            app_url=context.settings.APP_URL, now=context.now(), notice_quiet=quiet,
        ),
    )


async def add_job_owner(info: Info, input: Annotated[JobOwnerInput, INPUT]) -> JobPayload:
    app_url = info.context.settings.APP_URL
    return await _run(
        info, JobPayload,
        lambda uow: service.add_job_owner(
            uow, _account(info), _job_id(input), contact_id_or_error(input.contact_id), app_url=app_url
        ),
    )


async def remove_job_owner(info: Info, input: Annotated[JobOwnerInput, INPUT]) -> JobPayload:
    return await _run(
        info, JobPayload,
        lambda uow: service.remove_job_owner(uow, _account(info), _job_id(input), contact_id_or_error(input.contact_id)),
    )


async def create_lead(info: Info, input: Annotated[CreateLeadInput, INPUT]) -> LeadPayload:
    contact_ids = [decode_node_id(c, "Contact") for c in input.contact_ids]
    return await _run(
        info, LeadPayload, lambda uow: service.create_lead(uow, _account(info), input.title, contact_ids)
    )


async def add_lead_contact(info: Info, input: Annotated[LeadContactInput, INPUT]) -> LeadPayload:
    return await _run(
        info, LeadPayload,
        lambda uow: service.add_lead_contact(uow, _account(info), _lead_id(input), contact_id_or_error(input.contact_id)),
    )


async def remove_lead_contact(info: Info, input: Annotated[LeadContactInput, INPUT]) -> LeadPayload:
    return await _run(
        info, LeadPayload,
        lambda uow: service.remove_lead_contact(
            uow, _account(info), _lead_id(input), contact_id_or_error(input.contact_id)
        ),
    )
