"""The one way a mutation runs (issue 18).

    resolver   the GraphQL input -> a typed command of services/ (ids decoded
               once, by domain/ids.py; GraphQL names stay up here)
    run        [a check that counts, e.g. a rate limit] -> one unit of work:
               [the target contact, loaded once under its row lock, and the
               field's permission rule asked again of that row] -> the use
               case -> one commit -> the payload, from what the unit of work holds
    refusal    a RuleError -> the payload's userErrors, each path in the
               input's GraphQL names; nothing was written

Who may call a mutation is decided before, by the permission classes on its
field (permissions/classes.py), through permissions/policy.py. They hand
nothing over: the runner asks the same rule again of the row it locked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from strawberry.types import Info

from domain.errors import RuleError
from permissions.classes import still_allows
from repository.uow import StaleObject, UnitOfWork
from schema import payloads
from services.contacts import EditedContact, load_target

C = TypeVar("C")
R = TypeVar("R")
P = TypeVar("P")

Step = Callable[[UnitOfWork, C], Awaitable[R]]
Answer = Callable[[R], Awaitable[P]]
Refused = Callable[[RuleError], Awaitable[P]]


class Targeting(Protocol):
    """A command that acts on one contact (None: the id named no contact)."""

    contact_id: int | None


async def run(
    info: Info,
    step: Step | None,
    command: Any,
    *,
    answer: Answer,
    refused: Refused,
    first: Callable[[], Awaitable[Any]] | None = None,
):
    """Runs `step(uow, command)` in one unit of work and commits; `answer` builds the
    payload from its result, `refused` from a RuleError (of `first` too, which runs
    before the unit of work opens: a rate limit counts even when the step fails,
    and work that must not hold the write transaction, like rendering an upload,
    happens there; what it returns, if anything, is the command). Without a step
    nothing is written here: `answer` gets the command."""
    try:
        if first is not None:
            prepared = await first()
            command = command if prepared is None else prepared
        result = command
        if step is not None:
            async with info.context.unit_of_work() as uow:
                result = await step(uow, command)
                await uow.commit()
    except RuleError as error:
        return await refused(error)
    return await answer(result)


def on_contact(
    info: Info,
    step: Callable[[UnitOfWork, EditedContact, Any], Awaitable[R]],
    then: Callable[[Info, UnitOfWork, R], Awaitable[R]] | None = None,
) -> Step:
    """`step` given its target: the contact `command.contact_id` names, loaded once in
    the unit of work, under its row lock. `then` continues in the same unit of work
    with what the request adds to the use case (a rate-limited follow-up).

    The field's permission classes decided on the contact as it was before the
    resolver ran; the write happens on the locked row, so their rule is asked
    again of that row (permissions/classes.still_allows). A commit in between
    that leaves the decision as it was (a new phone number, another image) does
    not matter: the row lock orders the two writes and both are kept. One that
    turns the decision (the contact became PENDING or ACTIVE, the owner was
    deactivated) means the request lost a race: STALE_OBJECT, and nothing is
    written.

    Why STALE_OBJECT and not the refusal the permission class would now give
    (CONTACT_LOCKED, FORBIDDEN): those are top-level errors, which SPEC leaves to
    the permission classes alone, and the request was allowed when it was
    checked; what failed it is the client's out-of-date view of the contact,
    the case SPEC names STALE_OBJECT for. Reloading (or sending again) gets the
    permission class's own refusal, with its reason and what to do. A
    CONTACT_LOCKED user error would also be a new code in the schema's enum.
    """
    context = info.context

    async def with_target(uow: UnitOfWork, command: Targeting) -> R:
        target = await load_target(uow, context.actor.builder_account_id, command.contact_id)
        if not still_allows(info, target.row):
            raise StaleObject()
        result = await step(uow, target, command)
        return result if then is None else await then(info, uow, result)

    return with_target


def refused_with(payload_cls: type[P], **extra: Any) -> Refused:
    """The usual refusal: the payload with its userErrors and nothing else."""

    async def refused(error: RuleError) -> P:
        return payload_cls(user_errors=payloads.UserError.from_violations(error.violations), **extra)

    return refused
