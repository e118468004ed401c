"""The hand-written baseline: what the benchmark queries cost without GraphQL.

A Starlette endpoint taking the same POST body as /graphql, running the minimal
SQL with SQLAlchemy Core (3 statements per read, the session lookup included)
and answering with orjson. Its `data` is byte-identical to the GraphQL server's
answer for each benchmark document (tests/test_bench.py checks it); anything
else is refused. It checks what the real server checks: a live session, the
viewer's kind, the builder-account scope, the email rules of the writes and the
invite rules, and an invite writes what the server writes: the status change,
the invite row, the outbox mail and the contact's timeline entries (one INSERT
per write, as the server's unit of work does).

    uvicorn --factory bench.baseline:create_app_from_env
"""

from __future__ import annotations

import base64
import contextlib
import os
from datetime import datetime, timedelta, timezone

import orjson
from sqlalchemy import and_, bindparam, delete, func, insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.utils.str_converters import to_camel_case  # the rules name fields in snake_case

from bench import queries
from db.engine import WRITE_OPTION, create_engine
from domain.activation import CLAIMING_STATUSES, ActivationStatus, after_send_invite
from domain.emails import check_additional_emails, check_primary_change, email_key
from domain.errors import Collected, NotFound, RuleError, TopLevelErrorCode
from domain.timeline import SYSTEM, ActorKind, EventActor, EventKind, MessageKind, changes
from domain.tokens import hash_token, new_token
from mail import messages
from media.images import rendition_name
from models import (
    AuthSession, BuilderAccount, Contact, ContactEmail, Invite, Job, JobOwner, OutboxMessage, User,
)
from repository.outbox import EMAIL
from repository.timeline import TimelineBatch
from services.invites import email_claimed_error as email_claimed  # the server's refusal, word for word
from settings import Settings

contacts_t = Contact.__table__
emails_t = ContactEmail.__table__
jobs_t = Job.__table__
job_owners_t = JobOwner.__table__
accounts_t = BuilderAccount.__table__
invites_t = Invite.__table__
outbox_t = OutboxMessage.__table__

VIEWER = (
    select(User.id, User.builder_account_id, User.kind, User.contact_id, User.username, Contact.activation_status)
    .select_from(AuthSession.__table__)
    .join(User.__table__, User.id == AuthSession.user_id)
    .outerjoin(contacts_t, contacts_t.c.id == User.contact_id)
    .where(
        AuthSession.token_hash == bindparam("token_hash"),
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > bindparam("now"),
        User.is_enabled.is_(True),
    )
)

c = contacts_t.c
PROFILE_CONTACT = (
    select(c.id, c.first_name, c.last_name, c.phone, c.primary_email, c.activation_status,
           c.street, c.city, c.state, c.postal_code, c.profile_image_key, emails_t.c.email)
    .outerjoin(emails_t, emails_t.c.contact_id == c.id)
    .where(c.id == bindparam("contact_id"), c.builder_account_id == bindparam("account"), c.merged_into_id.is_(None))
    .order_by(emails_t.c.position)
)
mine, others = aliased(job_owners_t), aliased(job_owners_t)
owner_c = aliased(contacts_t)
PROFILE_JOBS = (
    select(jobs_t.c.id, jobs_t.c.name, jobs_t.c.street, jobs_t.c.city, jobs_t.c.state, jobs_t.c.postal_code,
           owner_c.c.id.label("owner_id"), owner_c.c.first_name, owner_c.c.last_name, owner_c.c.primary_email)
    .select_from(mine)
    .join(jobs_t, jobs_t.c.id == mine.c.job_id)
    .join(others, others.c.job_id == jobs_t.c.id)
    .join(owner_c, owner_c.c.id == others.c.contact_id)
    .where(mine.c.contact_id == bindparam("contact_id"), jobs_t.c.builder_account_id == bindparam("account"),
           owner_c.c.builder_account_id == bindparam("account"))
    .order_by(jobs_t.c.id, others.c.position)
)
SORT = func.coalesce(c.last_name, literal_column("''"))
# The invite's target under its row lock (FOR UPDATE OF contacts: PostgreSQL refuses
# to lock the nullable side of the outer join), with what the payload and the mail need.
INVITE_CONTACT = (
    select(c.id, c.first_name, c.last_name, c.primary_email, c.primary_email_key, c.activation_status, c.version,
           accounts_t.c.name.label("builder_name"), emails_t.c.email)
    .join(accounts_t, accounts_t.c.id == c.builder_account_id)
    .outerjoin(emails_t, emails_t.c.contact_id == c.id)
    .where(c.id == bindparam("contact_id"), c.builder_account_id == bindparam("account"), c.merged_into_id.is_(None))
    .order_by(emails_t.c.position)
    .with_for_update(of=contacts_t)
)
CLAIMER = (
    select(c.id, c.first_name, c.last_name, c.primary_email)
    .where(c.builder_account_id == bindparam("account"), c.merged_into_id.is_(None),
           c.primary_email_key == bindparam("key"), c.id != bindparam("contact_id"),
           c.activation_status.in_(CLAIMING_STATUSES))
    .order_by(c.id)
    .limit(1)
)
REVOKE_LIVE_INVITES = (
    update(invites_t)
    .where(invites_t.c.contact_id == bindparam("target"), invites_t.c.used_at.is_(None),
           invites_t.c.revoked_at.is_(None))
    .values(revoked_at=bindparam("now"))
    .returning(invites_t.c.expires_at)
)


def builder_actor(me) -> EventActor:
    return EventActor(ActorKind.BUILDER_USER, me.id)


def list_page(first: int):
    page = (
        select(c.id, c.first_name, c.last_name, c.primary_email, c.activation_status)
        .where(c.builder_account_id == bindparam("account"), c.merged_into_id.is_(None))
        .order_by(SORT, c.id)
        .limit(first + 1)
        .subquery()
    )
    return (
        select(page, emails_t.c.email)
        .outerjoin(emails_t, emails_t.c.contact_id == page.c.id)
        .order_by(func.coalesce(page.c.last_name, literal_column("''")), page.c.id, emails_t.c.position)
    )


LIST_JOBS = (
    select(job_owners_t.c.contact_id, jobs_t.c.id, jobs_t.c.name)
    .join(jobs_t, jobs_t.c.id == job_owners_t.c.job_id)
    .where(job_owners_t.c.contact_id.in_(bindparam("ids", expanding=True)),
           jobs_t.c.builder_account_id == bindparam("account"))
    .order_by(job_owners_t.c.contact_id, jobs_t.c.id)
)


def global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def cursor(sort_value: str, pk: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([sort_value, pk])).decode()


def display_name(first, last, email) -> str:
    return " ".join(p for p in (first, last) if p) or email or "Unnamed contact"


def address(row) -> dict | None:
    if not any((row.street, row.city, row.state, row.postal_code)):
        return None
    return {"street": row.street, "city": row.city, "state": row.state, "postalCode": row.postal_code}


def emails_of(primary, additional) -> list[str]:
    return ([primary] if primary else []) + additional


def image_url(app_url: str, key: str | None, size: str) -> dict | None:
    """`profileImage { url(size:) }` as schema/profile_images.py builds it."""
    return {"url": f"{app_url.rstrip('/')}/media/{rendition_name(key, size)}"} if key else None


def contact_id_of(data: dict) -> int:
    return int(base64.b64decode(data["contactId"]).decode().partition(":")[2])


def error(message: str, code: str) -> Response:
    return Response(orjson.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}),
                    media_type="application/json")


async def viewer(conn, request: Request):
    """The signed-in user of a live session, or None; an owner only while ACTIVE.
    `conn` is a connection or an ORM session (the peer's)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    row = (await conn.execute(VIEWER, {"token_hash": hash_token(token.strip()),
                                       "now": datetime.now(timezone.utc)})).first()
    if row is None or (row.kind == "OWNER" and row.activation_status != ActivationStatus.ACTIVE):
        return None
    return row


def create_app(settings: Settings) -> Starlette:
    engine = create_engine(settings.DATABASE_URL)

    async def profile(request: Request, body: dict) -> Response:
        async with engine.connect() as conn:
            me = await viewer(conn, request)
            if me is None:
                return Response(b'{"data":{"me":null}}', media_type="application/json")
            if me.kind != "OWNER":
                return error("the baseline serves the owner profile only", "UNSUPPORTED")
            params = {"contact_id": me.contact_id, "account": me.builder_account_id}
            rows = (await conn.execute(PROFILE_CONTACT, params)).all()
            job_rows = (await conn.execute(PROFILE_JOBS, params)).all()
        row = rows[0]
        jobs: dict[int, dict] = {}
        for j in job_rows:
            job = jobs.get(j.id)
            if job is None:
                job = jobs[j.id] = {"id": global_id("Job", j.id), "name": j.name, "address": address(j), "owners": []}
            job["owners"].append({"id": global_id("Contact", j.owner_id),
                                  "displayName": display_name(j.first_name, j.last_name, j.primary_email)})
        contact = {
            "id": global_id("Contact", row.id),
            "displayName": display_name(row.first_name, row.last_name, row.primary_email),
            "firstName": row.first_name, "lastName": row.last_name, "phone": row.phone,
            "primaryEmail": row.primary_email,
            "emails": emails_of(row.primary_email, [r.email for r in rows if r.email is not None]),
            "activationStatus": row.activation_status, "address": address(row),
            "profileImage": image_url(settings.APP_URL, row.profile_image_key, "SMALL"), "jobs": list(jobs.values()),
        }
        data = {"me": {"__typename": "OwnerUser", "username": me.username, "contact": contact}}
        return Response(orjson.dumps({"data": data}), media_type="application/json")

    async def contact_list(request: Request, body: dict) -> Response:
        first = (body.get("variables") or {}).get("first", 20)
        if not 1 <= first <= 100:
            return error("`first` must be between 1 and 100.", TopLevelErrorCode.INVALID_INPUT)
        async with engine.connect() as conn:
            me = await viewer(conn, request)
            if me is None or me.kind != "BUILDER":
                return error("You are not allowed to do this.", TopLevelErrorCode.FORBIDDEN)
            account = me.builder_account_id
            rows = (await conn.execute(list_page(first), {"account": account})).all()
            nodes: dict[int, dict] = {}
            for r in rows:
                node = nodes.get(r.id)
                if node is None:
                    node = nodes[r.id] = {"row": r, "emails": [r.primary_email] if r.primary_email else []}
                if r.email is not None:
                    node["emails"].append(r.email)
            has_next = len(nodes) > first
            page = list(nodes.values())[:first]
            ids = [n["row"].id for n in page]
            jobs: dict[int, list] = {}
            for j in (await conn.execute(LIST_JOBS, {"ids": ids, "account": account})):
                jobs.setdefault(j.contact_id, []).append({"id": global_id("Job", j.id), "name": j.name})
        edges = []
        for n in page:
            r = n["row"]
            edges.append({"cursor": cursor(r.last_name or "", r.id), "node": {
                "id": global_id("Contact", r.id), "displayName": display_name(r.first_name, r.last_name, r.primary_email),
                "emails": n["emails"], "activationStatus": r.activation_status, "jobs": jobs.get(r.id, [])}})
        data = {"contacts": {"edges": edges, "pageInfo": {"hasNextPage": has_next,
                                                         "endCursor": edges[-1]["cursor"] if edges else None}}}
        return Response(orjson.dumps({"data": data}), media_type="application/json")

    def contact_payload(name: str, contact_id: int, first, last, primary, additional, status) -> Response:
        contact = {"id": global_id("Contact", contact_id), "displayName": display_name(first, last, primary),
                   "emails": emails_of(primary, additional), "activationStatus": status}
        return Response(orjson.dumps({"data": {name: {"contact": contact, "userErrors": []}}}),
                        media_type="application/json")

    def user_errors(name: str, rule_error: RuleError) -> Response:
        errors = [{"field": [to_camel_case(part) for part in v.field] or None, "code": v.code, "message": v.message}
                  for v in rule_error.violations]
        return Response(orjson.dumps({"data": {name: {"contact": None, "userErrors": errors}}}),
                        media_type="application/json")

    def builder_write(step):
        """A write by a builder: one write transaction (BEGIN IMMEDIATE on SQLite), the
        session looked up inside it, anyone else refused; `step` answers from within it."""
        async def handler(request: Request, body: dict) -> Response:
            async with engine.connect() as conn:
                conn = await conn.execution_options(**{WRITE_OPTION: True})
                async with conn.begin():
                    me = await viewer(conn, request)
                    if me is None or me.kind != "BUILDER":
                        return error("You are not allowed to do this.", TopLevelErrorCode.FORBIDDEN)
                    return await step(conn, me, body["variables"]["input"])
        return handler

    @builder_write
    async def create_contact(conn, me, data: dict) -> Response:
        errors = Collected()
        try:
            primary = check_primary_change(data.get("primaryEmail"), [], ActivationStatus.INACTIVE, errors)
            additional = check_additional_emails(primary, data.get("additionalEmails") or [], errors)
            errors.raise_if_any()
        except RuleError as refused:
            return user_errors("createContact", refused)
        first, last = (data.get("firstName") or "").strip() or None, (data.get("lastName") or "").strip() or None
        now = datetime.now(timezone.utc)
        contact_id = (await conn.execute(insert(contacts_t).returning(c.id), {
            "builder_account_id": me.builder_account_id, "first_name": first, "last_name": last,
            "primary_email": primary, "primary_email_key": email_key(primary) if primary else None,
            "activation_status": ActivationStatus.INACTIVE, "sms_opt_in": False, "version": 1,
            "created_at": now, "updated_at": now})).scalar_one()
        if additional:
            await conn.execute(insert(emails_t), [
                {"contact_id": contact_id, "position": i, "email": e, "email_key": email_key(e)}
                for i, e in enumerate(additional)])
        timeline = TimelineBatch(builder_actor(me))
        timeline.record(me.builder_account_id, contact_id, EventKind.CONTACT_CREATED, changes=changes({}, {
            "firstName": first, "lastName": last, "primaryEmail": primary, "additionalEmails": additional}))
        await timeline.write(conn)
        return contact_payload("createContact", contact_id, first, last, primary, additional, ActivationStatus.INACTIVE)

    @builder_write
    async def set_emails(conn, me, data: dict) -> Response:
        contact_id = contact_id_of(data)
        row = (await conn.execute(
            select(c.id, c.first_name, c.last_name, c.primary_email, c.activation_status, c.version)
            .where(c.id == contact_id, c.builder_account_id == me.builder_account_id, c.merged_into_id.is_(None))
        )).first()
        errors = Collected()
        try:
            additional = check_additional_emails(row.primary_email, data["emails"], errors)
            errors.raise_if_any()
        except RuleError as refused:
            return user_errors("setAdditionalEmails", refused)
        removed = await conn.execute(delete(emails_t).where(emails_t.c.contact_id == contact_id)
                                     .returning(emails_t.c.position, emails_t.c.email))
        previous = [email for _position, email in sorted(removed.all())]
        if additional:
            await conn.execute(insert(emails_t), [
                {"contact_id": contact_id, "position": i, "email": e, "email_key": email_key(e)}
                for i, e in enumerate(additional)])
        await conn.execute(update(contacts_t).where(and_(c.id == contact_id, c.version == row.version))
                           .values(version=row.version + 1, updated_at=datetime.now(timezone.utc)))
        if found := changes({"additionalEmails": previous}, {"additionalEmails": additional}):
            timeline = TimelineBatch(builder_actor(me))
            timeline.record(me.builder_account_id, contact_id, EventKind.ADDITIONAL_EMAILS_SET, changes=found)
            await timeline.write(conn)
        return contact_payload("setAdditionalEmails", contact_id, row.first_name, row.last_name,
                               row.primary_email, additional, row.activation_status)

    async def claim(conn, row, status: str, account: int) -> None:
        """Sets the status. The claimed-email index decides whether another contact holds
        the email (SPEC 2.3.3), as in the server's race path; the claimer is read only then."""
        try:
            async with conn.begin_nested():
                await conn.execute(update(contacts_t).where(and_(c.id == row.id, c.version == row.version)).values(
                    activation_status=status, version=row.version + 1, updated_at=datetime.now(timezone.utc)))
        except IntegrityError:  # the status is the only change: the index is all it can break
            claimer = (await conn.execute(CLAIMER, {"account": account, "key": row.primary_email_key,
                                                    "contact_id": row.id})).first()
            raise email_claimed(claimer) from None

    async def queue_invite(conn, row, account: int, timeline: TimelineBatch) -> None:
        """A fresh token with the full lifetime, every earlier one revoked, one mail to
        the primary email. The subject needs no cut: mail.messages shortens the builder's name."""
        now = datetime.now(timezone.utc)
        token, expires_at = new_token(), now + timedelta(hours=settings.INVITE_TTL_HOURS)
        revoked = (await conn.execute(REVOKE_LIVE_INVITES, {"target": row.id, "now": now})).scalars().all()
        if revoked and max(revoked) <= now:
            timeline.record(account, row.id, EventKind.INVITE_EXPIRED, actor=SYSTEM, occurred_at=max(revoked))
        resent = row.activation_status == ActivationStatus.PENDING
        timeline.record(account, row.id, EventKind.INVITE_RESENT if resent else EventKind.INVITE_SENT)
        await conn.execute(insert(invites_t), {"contact_id": row.id, "token_hash": hash_token(token),
                                               "sent_to": row.primary_email, "sent_at": now, "expires_at": expires_at})
        content = messages.owner_invite(app_url=settings.APP_URL, builder_name=row.builder_name,
                                        first_name=row.first_name, token=token, expires_at=expires_at)
        message_id = (await conn.execute(insert(outbox_t).returning(outbox_t.c.id), {
            "builder_account_id": account, "channel": EMAIL, "recipient": row.primary_email,
            "subject": content.subject, "body_text": content.text, "body_html": content.html,
            "created_at": now, "available_at": now, "attempts": 0,
            "contact_id": row.id, "kind": MessageKind.INVITE.value})).scalar_one()
        timeline.record(account, row.id, EventKind.MESSAGE, outbox_message_id=message_id)
        await timeline.write(conn)

    @builder_write
    async def send_invite(conn, me, data: dict) -> Response:
        """The server also looks up the INACTIVE contacts sharing the email, for the
        payload's `duplicateContacts`: the benchmark does not select them."""
        account = me.builder_account_id
        rows = (await conn.execute(INVITE_CONTACT, {"contact_id": contact_id_of(data), "account": account})).all()
        try:
            if not rows:
                raise NotFound(("contactId",), "contact")
            row = rows[0]
            await claim(conn, row, after_send_invite(row.activation_status, row.primary_email), account)
        except RuleError as refused:
            return user_errors("sendInvite", refused)
        await queue_invite(conn, row, account, TimelineBatch(builder_actor(me)))
        return contact_payload("sendInvite", row.id, row.first_name, row.last_name, row.primary_email,
                               [r.email for r in rows if r.email is not None], ActivationStatus.PENDING)

    handlers = {
        queries.PROFILE: profile,
        queries.LIST: contact_list,
        queries.CREATE_CONTACT: create_contact,
        queries.SET_EMAILS: set_emails,
        queries.SEND_INVITE: send_invite,
    }

    async def graphql(request: Request) -> Response:
        body = orjson.loads(await request.body())
        handler = handlers.get(body.get("query"))
        if handler is None:
            return error("the baseline answers the benchmark documents only", "UNSUPPORTED")
        return await handler(request, body)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        await engine.dispose()

    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])], lifespan=lifespan)
    app.state.engine = engine
    return app


def create_app_from_env() -> Starlette:
    """The server's settings from the same environment, so both build the same URLs."""
    return create_app(Settings(DATABASE_URL=os.environ["DATABASE_URL"]))
