"""The hand-written baseline: what the benchmark queries cost without GraphQL.

A Starlette endpoint taking the same POST body as /graphql, running the minimal
SQL with SQLAlchemy Core (3 statements per read, the session lookup included)
and answering with orjson. Its `data` is byte-identical to the GraphQL server's
answer for each benchmark document (tests/test_bench.py checks it); anything
else is refused. It checks what the real server checks: a live session, the
viewer's kind, the builder-account scope, and the email rules of the writes.

    uvicorn --factory bench.baseline:create_app_from_env
"""

from __future__ import annotations

import base64
import contextlib
import os
from datetime import datetime, timezone

import orjson
from sqlalchemy import and_, bindparam, delete, func, insert, literal_column, select, update
from sqlalchemy.orm import aliased
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import queries
from db.engine import WRITE_OPTION, create_engine
from domain.emails import check_additional_emails, check_primary_change, email_key
from domain.errors import Collected, RuleError
from domain.tokens import hash_token
from models import AuthSession, Contact, ContactEmail, Job, JobOwner, User

contacts_t = Contact.__table__
emails_t = ContactEmail.__table__
jobs_t = Job.__table__
job_owners_t = JobOwner.__table__

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
           c.street, c.city, c.state, c.postal_code, emails_t.c.email)
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


def error(message: str, code: str) -> Response:
    return Response(orjson.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}),
                    media_type="application/json")


def create_app(database_url: str) -> Starlette:
    engine = create_engine(database_url)

    async def viewer(conn, request: Request):
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        row = (await conn.execute(VIEWER, {"token_hash": hash_token(token.strip()),
                                           "now": datetime.now(timezone.utc)})).first()
        if row is None or (row.kind == "OWNER" and row.activation_status != "ACTIVE"):
            return None
        return row

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
            "activationStatus": row.activation_status, "address": address(row), "jobs": list(jobs.values()),
        }
        data = {"me": {"__typename": "OwnerUser", "username": me.username, "contact": contact}}
        return Response(orjson.dumps({"data": data}), media_type="application/json")

    async def contact_list(request: Request, body: dict) -> Response:
        first = (body.get("variables") or {}).get("first", 20)
        if not 1 <= first <= 100:
            return error("`first` must be between 1 and 100.", "INVALID_INPUT")
        async with engine.connect() as conn:
            me = await viewer(conn, request)
            if me is None or me.kind != "BUILDER":
                return error("You are not allowed to do this.", "FORBIDDEN")
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
        errors = [{"field": list(v.field) or None, "code": v.code, "message": v.message} for v in rule_error.violations]
        return Response(orjson.dumps({"data": {name: {"contact": None, "userErrors": errors}}}),
                        media_type="application/json")

    async def create_contact(request: Request, body: dict) -> Response:
        data = body["variables"]["input"]
        async with engine.connect() as conn:
            conn = await conn.execution_options(**{WRITE_OPTION: True})
            async with conn.begin():
                me = await viewer(conn, request)
                if me is None or me.kind != "BUILDER":
                    return error("You are not allowed to do this.", "FORBIDDEN")
                errors = Collected()
                try:
                    primary = check_primary_change(data.get("primaryEmail"), [], "INACTIVE", errors)
                    additional = check_additional_emails(primary, data.get("additionalEmails") or [], errors)
                    errors.raise_if_any()
                except RuleError as refused:
                    return user_errors("createContact", refused)
                first, last = (data.get("firstName") or "").strip() or None, (data.get("lastName") or "").strip() or None
                now = datetime.now(timezone.utc)
                contact_id = (await conn.execute(insert(contacts_t).returning(c.id), {
                    "builder_account_id": me.builder_account_id, "first_name": first, "last_name": last,
                    "primary_email": primary, "primary_email_key": email_key(primary) if primary else None,
                    "activation_status": "INACTIVE", "sms_opt_in": False, "version": 1,
                    "created_at": now, "updated_at": now})).scalar_one()
                if additional:
                    await conn.execute(insert(emails_t), [
                        {"contact_id": contact_id, "position": i, "email": e, "email_key": email_key(e)}
                        for i, e in enumerate(additional)])
        return contact_payload("createContact", contact_id, first, last, primary, additional, "INACTIVE")

    async def set_emails(request: Request, body: dict) -> Response:
        data = body["variables"]["input"]
        raw_id = base64.b64decode(data["contactId"]).decode()
        contact_id = int(raw_id.partition(":")[2])
        async with engine.connect() as conn:
            conn = await conn.execution_options(**{WRITE_OPTION: True})
            async with conn.begin():
                me = await viewer(conn, request)
                if me is None or me.kind != "BUILDER":
                    return error("You are not allowed to do this.", "FORBIDDEN")
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
                await conn.execute(delete(emails_t).where(emails_t.c.contact_id == contact_id))
                if additional:
                    await conn.execute(insert(emails_t), [
                        {"contact_id": contact_id, "position": i, "email": e, "email_key": email_key(e)}
                        for i, e in enumerate(additional)])
                await conn.execute(update(contacts_t).where(and_(c.id == contact_id, c.version == row.version))
                                   .values(version=row.version + 1, updated_at=datetime.now(timezone.utc)))
        return contact_payload("setAdditionalEmails", contact_id, row.first_name, row.last_name,
                               row.primary_email, additional, row.activation_status)

    handlers = {
        queries.PROFILE: profile,
        queries.LIST: contact_list,
        queries.CREATE_CONTACT: create_contact,
        queries.SET_EMAILS: set_emails,
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
    return create_app(os.environ["DATABASE_URL"])
