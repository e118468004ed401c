"""The peer: the benchmark's profile and list served by plain Strawberry, written the
way Strawberry's documentation teaches, to show where a textbook server stands
between the hand-written baseline and OwnerHub's own server (issue 15).

Its own small schema with the types the two documents select; per-request
DataLoaders made in the view's `get_context`; permission classes (`IsBuilder` on
the list, and `SeesDetails` with `fail_silently`, so an owner sees a co-owner by
name only, as the server shows them); no custom execution, no caches, Strawberry's
own ASGI view (`strawberry.asgi.GraphQL`); SQLAlchemy's async ORM on the same
database. tests/test_bench.py checks that it answers both documents as the server
does. It serves reads only: the write mix runs on the server and the baseline.

    uvicorn --factory bench.peer:create_app_from_env
"""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy import func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from strawberry import relay
from strawberry.asgi import GraphQL
from strawberry.dataloader import DataLoader
from strawberry.permission import BasePermission, PermissionExtension

from bench.baseline import cursor, display_name
from bench import baseline
from media.images import rendition_name
from models import Contact as ContactRow
from models import ContactEmail, JobOwner
from models import Job as JobRow
from settings import Settings


@strawberry.enum
class ActivationStatus(Enum):
    INACTIVE = "INACTIVE"
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"


@strawberry.enum
class ImageSize(Enum):
    SMALL = "SMALL"
    MEDIUM = "MEDIUM"
    LARGE = "LARGE"


@strawberry.enum
class ContactOrder(Enum):
    LAST_NAME = "LAST_NAME"


class IsBuilder(BasePermission):
    message = "You are not allowed to do this."

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        viewer = info.context["viewer"]
        return viewer is not None and viewer.kind == "BUILDER"


class SeesDetails(BasePermission):
    """A builder sees every contact of the account; an owner sees only their own in
    full, and a co-owner on their job by name only."""

    message = "Only the name of this contact is visible to you."

    def has_permission(self, source: Contact, info: strawberry.Info, **kwargs: Any) -> bool:
        viewer = info.context["viewer"]
        return viewer.kind == "BUILDER" or viewer.contact_id == source.id


def details(**options: Any) -> Any:
    """A contact field hidden (null or empty) from an owner looking at a co-owner."""
    return strawberry.field(extensions=[PermissionExtension(permissions=[SeesDetails()], fail_silently=True)],
                            **options)


@strawberry.type
class Address:
    street: str | None
    city: str | None
    state: str | None
    postal_code: str | None


@strawberry.type
class ProfileImage:
    key: strawberry.Private[str]

    @strawberry.field
    def url(self, info: strawberry.Info, size: ImageSize = ImageSize.LARGE) -> str:
        return f"{info.context['app_url']}/media/{rendition_name(self.key, size.value)}"


@strawberry.type
class Job(relay.Node):
    id: relay.NodeID[int]
    name: str
    address: Address | None

    @strawberry.field
    async def owners(self, info: strawberry.Info) -> list[Contact]:
        return await info.context["owners_by_job"].load(self.id)


@strawberry.type
class Contact(relay.Node):
    id: relay.NodeID[int]
    first_name: str | None
    last_name: str | None
    activation_status: ActivationStatus
    row: strawberry.Private[ContactRow]

    @classmethod
    def from_row(cls, row: ContactRow) -> Contact:
        return cls(id=row.id, first_name=row.first_name, last_name=row.last_name,
                   activation_status=ActivationStatus(row.activation_status), row=row)

    @strawberry.field
    def display_name(self) -> str:
        return display_name(self.row.first_name, self.row.last_name, self.row.primary_email)

    @details()
    def phone(self) -> str | None:
        return self.row.phone

    @details()
    def primary_email(self) -> str | None:
        return self.row.primary_email

    @details()
    async def emails(self, info: strawberry.Info) -> list[str]:
        additional = await info.context["emails_by_contact"].load(self.id)
        return ([self.row.primary_email] if self.row.primary_email else []) + additional

    @details()
    def address(self) -> Address | None:
        return address_of(self.row)

    @details()
    def profile_image(self) -> ProfileImage | None:
        return ProfileImage(key=self.row.profile_image_key) if self.row.profile_image_key else None

    @details()
    async def jobs(self, info: strawberry.Info) -> list[Job]:
        return await info.context["jobs_by_contact"].load(self.id)


def address_of(row: ContactRow | JobRow) -> Address | None:
    if not any((row.street, row.city, row.state, row.postal_code)):
        return None
    return Address(street=row.street, city=row.city, state=row.state, postal_code=row.postal_code)


@strawberry.type
class OwnerUser(relay.Node):
    id: relay.NodeID[int]
    username: str
    contact_id: strawberry.Private[int]

    @strawberry.field
    async def contact(self, info: strawberry.Info) -> Contact:
        return await info.context["contact_by_id"].load(self.contact_id)


@strawberry.type
class BuilderUser(relay.Node):
    id: relay.NodeID[int]
    username: str


Viewer = Annotated[OwnerUser | BuilderUser, strawberry.union("Viewer")]


@strawberry.type
class ContactEdge:
    cursor: str
    node: Contact


@strawberry.type
class ContactConnection:
    edges: list[ContactEdge]
    page_info: relay.PageInfo


@strawberry.type
class Query:
    @strawberry.field
    def me(self, info: strawberry.Info) -> Viewer | None:
        viewer = info.context["viewer"]
        if viewer is None:
            return None
        if viewer.kind == "OWNER":
            return OwnerUser(id=viewer.id, username=viewer.username, contact_id=viewer.contact_id)
        return BuilderUser(id=viewer.id, username=viewer.username)

    @strawberry.field(permission_classes=[IsBuilder])
    async def contacts(self, info: strawberry.Info, first: int = 20,
                       order_by: ContactOrder = ContactOrder.LAST_NAME) -> ContactConnection:
        sort = func.coalesce(ContactRow.last_name, literal_column("''"))
        async with info.context["sessions"]() as session:
            rows = (await session.scalars(
                select(ContactRow)
                .where(ContactRow.builder_account_id == info.context["viewer"].builder_account_id,
                       ContactRow.merged_into_id.is_(None))
                .order_by(sort, ContactRow.id)
                .limit(first + 1)
            )).all()
        edges = [ContactEdge(cursor=cursor(row.last_name or "", row.id), node=Contact.from_row(row))
                 for row in rows[:first]]
        return ContactConnection(edges=edges, page_info=relay.PageInfo(
            has_next_page=len(rows) > first, has_previous_page=False,
            start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None))


schema = strawberry.Schema(query=Query)


def loaders(sessions: async_sessionmaker, account: int) -> dict[str, DataLoader]:
    """The request's DataLoaders, each batch on a session of its own, all scoped to
    the viewer's builder account."""

    async def grouped(ids: list[int], statement, build) -> list[list]:
        """Runs a statement of (key, row) pairs; each key's rows, built, in the order of `ids`."""
        groups = defaultdict(list)
        async with sessions() as session:
            for key, row in await session.execute(statement):
                groups[key].append(build(row))
        return [groups[i] for i in ids]

    async def contacts_by_id(ids: list[int]) -> list[Contact]:
        async with sessions() as session:
            rows = await session.scalars(
                select(ContactRow).where(ContactRow.id.in_(ids), ContactRow.builder_account_id == account))
            found = {row.id: Contact.from_row(row) for row in rows}
        return [found[i] for i in ids]

    async def emails_by_contact(ids: list[int]) -> list[list[str]]:
        return await grouped(ids, select(ContactEmail.contact_id, ContactEmail.email)
                             .where(ContactEmail.contact_id.in_(ids))
                             .order_by(ContactEmail.contact_id, ContactEmail.position), str)

    async def jobs_by_contact(ids: list[int]) -> list[list[Job]]:
        return await grouped(ids, select(JobOwner.contact_id, JobRow).join(JobRow, JobRow.id == JobOwner.job_id)
                             .where(JobOwner.contact_id.in_(ids), JobRow.builder_account_id == account)
                             .order_by(JobOwner.contact_id, JobRow.id),
                             lambda row: Job(id=row.id, name=row.name, address=address_of(row)))

    async def owners_by_job(ids: list[int]) -> list[list[Contact]]:
        return await grouped(ids, select(JobOwner.job_id, ContactRow)
                             .join(ContactRow, ContactRow.id == JobOwner.contact_id)
                             .where(JobOwner.job_id.in_(ids), ContactRow.builder_account_id == account)
                             .order_by(JobOwner.job_id, JobOwner.position), Contact.from_row)

    return {
        "contact_by_id": DataLoader(load_fn=contacts_by_id),
        "emails_by_contact": DataLoader(load_fn=emails_by_contact),
        "jobs_by_contact": DataLoader(load_fn=jobs_by_contact),
        "owners_by_job": DataLoader(load_fn=owners_by_job),
    }


# Each request holds at most two sessions at once (two loaders batching side by
# side); with the project's pool (10 + 10 overflow) 16 clients would open and close
# overflow connections all the time, which on PostgreSQL costs more than the query.
POOL_SIZE = 32


class PeerGraphQL(GraphQL):
    """Strawberry's ASGI view; the context carries the viewer (from the bearer token)
    and fresh DataLoaders for every request."""

    def __init__(self, engine: AsyncEngine, app_url: str) -> None:
        super().__init__(schema, graphql_ide=None)
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.app_url = app_url.rstrip("/")

    async def get_context(self, request: Request, response: Any) -> dict[str, Any]:
        async with self.sessions() as session:
            viewer = await baseline.viewer(session, request)
        return {
            "request": request, "response": response, "viewer": viewer, "app_url": self.app_url,
            "sessions": self.sessions, **(loaders(self.sessions, viewer.builder_account_id) if viewer else {}),
        }


def create_app(settings: Settings) -> Starlette:
    """Strawberry's view mounted on Starlette, as Strawberry's Starlette guide does,
    on a plain SQLAlchemy engine with a pool that neither makes nor waits for
    connections at the benchmark's 16 connections."""
    engine = create_async_engine(settings.DATABASE_URL, pool_size=POOL_SIZE, max_overflow=0)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        await engine.dispose()

    app = Starlette(lifespan=lifespan)
    app.add_route("/graphql", PeerGraphQL(engine, settings.APP_URL))
    app.state.engine = engine
    return app


def create_app_from_env() -> Starlette:
    """The server's settings from the same environment, so both build the same URLs."""
    return create_app(Settings(DATABASE_URL=os.environ["DATABASE_URL"]))
