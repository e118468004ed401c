"""The ASGI application: GraphQL at /graphql, profile images at /media/<name>,
the owner pages (owner_pages/), health probes. `create_app()` is the factory; `app` is the instance uvicorn serves."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading

import orjson
from cross_web import FormData as GraphQLFormData
from cross_web import HTTPException, StarletteRequestAdapter
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types.unset import UNSET
from starlette.routing import Route

from db.engine import create_engine, create_read_engine, create_session_factory
from db.revision import schema_state
from domain.passwords import PRODUCTION_PARAMETERS, HashParameters
from hardening.graphiql import graphiql_routes
from hardening.http import JSON, HardenedGraphQL, media_type_and_charset
from hardening.middleware import hardening_middleware
from hardening.persisted import apq_store_from_settings
from hardening.request_shape import MalformedRequest, check_operation
from mail.sender import DEFAULT_MAX_ATTEMPTS, OutboxSender
from mail.transports import transports_from_settings
from models import utcnow
from media.decode_budget import DecodeBudget
from media.serving import media_endpoint
from media.storage import MediaStorage, storage_from_settings
from media.transport import (
    UploadRefused,
    allowed_upload_origins,
    close_files,
    multipart_csrf_refusal,
    read_bounded_form,
)
from observability.health import Readiness, RequiresUsableDatabase, healthz, readyz_endpoint
from observability.logging import configure_logging
from observability import tracing
from observability.metrics import metrics_endpoint
from observability.middleware import ObservabilityMiddleware
from owner_pages.routes import owner_page_routes
from owner_pages.session import cookie_session_token
from ratelimit import AuthRateLimiter
from request_context import RequestContext
from resolvers.root.build import schema
from schema.planned_reads import KnownDocuments, answer_known_document
from settings import Settings, get_settings

log = logging.getLogger("ownerhub.server")


class BoundedUploadRequestAdapter(StarletteRequestAdapter):
    """Reads multipart bodies within the upload limits of media/transport.py,
    instead of Starlette's defaults (which put no cap on a file's size)."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.starlette_request = request

    async def get_form_data(self) -> GraphQLFormData:
        form = await read_bounded_form(self.starlette_request)
        self.starlette_request.scope.setdefault(UPLOAD_FORMS, []).append(form)
        return GraphQLFormData(files=form, form=form)


UPLOAD_FORMS = "ownerhub.upload_forms"  # scope key: forms to close after the response


class OwnerHubGraphQL(HardenedGraphQL):  # GraphQL over HTTP, CSRF, limits: hardening/http.py
    """Strawberry's ASGI app with our per-request context: the viewer comes from
    the `Authorization: Bearer <token>` header, looked up by the token's hash, or
    from the owner pages' session cookie under the CSRF rules of owner_pages/session.py.
    Multipart uploads (the GraphQL multipart request spec) pass the CSRF guard and
    the size limits of media/transport.py before their body is read."""

    request_adapter_class = BoundedUploadRequestAdapter

    def __init__(self, settings: Settings, session_factory, media_storage: MediaStorage, **kwargs):
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            subscription_protocols=(),
            multipart_uploads_enabled=True,
            **kwargs,
        )
        self.settings = settings
        self.session_factory = session_factory
        self.media_storage = media_storage
        self.known_documents = KnownDocuments()
        self.upload_origins = allowed_upload_origins(
            settings.CORS_ORIGINS, settings.APP_URL, settings.cors_origin_pattern
        )

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Spooled upload files: closed now, not whenever they are collected.
            for form in scope.pop(UPLOAD_FORMS, ()):
                await close_files(form)

    async def run(self, request: Request, context=UNSET, root_value=UNSET):
        """A POST of a plain-text document whose plan answered it before (schema/
        planned_reads.py, the short way) is answered by that plan without the view's
        own steps around the operation (the request adapter, the request data, the
        operation-type checks of a document known to be a query); everything else,
        and such a document when its plan declines, goes Strawberry's whole way,
        which reads the body again from Starlette's copy."""
        if context is UNSET and root_value is UNSET and request.method == "POST":
            response = await self._answer_known_document(request)
            if response is not None:
                return response
        return await super().run(request, context, root_value)

    async def _answer_known_document(self, request: Request) -> Response | None:
        content_type, charset = media_type_and_charset(request.headers.get("content-type", ""))
        if content_type != JSON or charset not in ("utf-8", "utf8"):
            return None
        try:
            operation = check_operation(self.decode_json(await request.body()))
        except (ValueError, MalformedRequest):  # the whole way answers it
            return None
        query, operation_name = operation.get("query"), operation.get("operationName")
        if operation.get("extensions") or self.known_documents.get(query, operation_name) is None:
            return None
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        result = await answer_known_document(self.schema, query, operation_name, operation.get("variables"), context)
        if result is None:
            return None
        return self.create_response(await self.process_result(request, result), sub_response)

    async def parse_multipart(self, request) -> dict[str, str]:
        refusal = multipart_csrf_refusal(request.headers, self.upload_origins)
        try:
            if refusal is not None:
                raise refusal
            return await super().parse_multipart(request)
        except UploadRefused as error:
            raise HTTPException(error.status_code, error.message) from error

    async def get_context(self, request: Request, response) -> RequestContext:
        context = RequestContext(
            settings=self.settings,
            session_factory=self.session_factory,
            engine=request.app.state.read_engine,
            client_ip=request.client.host if request.client else "unknown",
            request=request,
            response=response,
            now=request.app.state.now,
            rate_limiter=request.app.state.rate_limiter,
            password_hashing=request.app.state.password_hashing,
            wake_outbox=request.app.state.outbox_sender.wake,
            media_storage=self.media_storage,
            decode_budget=request.app.state.decode_budget,
            apq_store=request.app.state.apq_store,
            known_documents=self.known_documents,
        )
        # Looked up once the document has validated (hardening/extensions.py).
        context.bearer_token = _bearer_token(request) or self._cookie_token(request)
        return context

    def _cookie_token(self, request: Request) -> str | None:
        if not self.settings.OWNER_PAGES:
            return None
        return cookie_session_token(request, self.upload_origins)

    def encode_json(self, data: object) -> bytes:
        # orjson is several times faster than json.dumps on a list page; it writes
        # UTF-8 where json.dumps writes \u escapes, which is the same JSON.
        return orjson.dumps(data)


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def dispose_engines(app: Starlette) -> None:
    """Closes the pools of the app's engines (the read engine's too, where it is one of its own)."""
    await app.state.engine.dispose()
    if app.state.read_engine is not app.state.engine:
        await app.state.read_engine.dispose()


def tracing_middleware() -> list[Middleware]:
    return [Middleware(tracing.instrument_asgi)] if tracing.is_on() else []


def _not_ready_from_sigterm(readiness: Readiness, drain_seconds: float):
    """Chains onto the SIGTERM handler of the server running us (uvicorn's): from the
    signal on, /readyz answers 503, and the server is told to stop `drain_seconds`
    later, so that load balancers stop sending traffic before it stops listening.
    Returns a function that puts the previous handler back (a no-op when nothing was
    installed: no server signal handler, or not on the main thread)."""
    previous = signal.getsignal(signal.SIGTERM)
    if not callable(previous) or threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()

    def on_sigterm(signum, frame):
        readiness.stopping = True
        log.info("SIGTERM: not ready; stopping in %ss", drain_seconds)
        loop.call_soon_threadsafe(loop.call_later, drain_seconds, previous, signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)

    def restore() -> None:
        if signal.getsignal(signal.SIGTERM) is on_sigterm:
            signal.signal(signal.SIGTERM, previous)

    return restore


def create_app(
    settings: Settings | None = None,
    *,
    password_hashing: HashParameters = PRODUCTION_PARAMETERS,
    tracer_provider=None,
) -> Starlette:
    """The application. `password_hashing` is Argon2id's cost for new password
    hashes: the production parameters unless a test suite passes cheaper ones.
    `tracer_provider` turns tracing on with that provider; without it, the OTEL_*
    environment variables decide (observability/tracing.py)."""
    settings = settings or get_settings()
    configure_logging(settings.LOG_FORMAT)
    tracing.start(tracer_provider)
    engine = create_engine(settings.DATABASE_URL)
    read_engine = create_read_engine(engine)
    tracing.instrument_engines(engine, read_engine)
    session_factory = create_session_factory(engine)
    media_storage = storage_from_settings(
        settings.MEDIA_DIR,
        s3_bucket=settings.MEDIA_S3_BUCKET,
        s3_endpoint_url=settings.MEDIA_S3_ENDPOINT_URL,
        s3_region=settings.MEDIA_S3_REGION,
        s3_access_key=settings.MEDIA_S3_ACCESS_KEY_ID,
        s3_secret_key=settings.MEDIA_S3_SECRET_ACCESS_KEY,
        s3_prefix=settings.MEDIA_S3_PREFIX,
    )

    apq_store = apq_store_from_settings(settings)
    rate_limiter = AuthRateLimiter(settings.REDIS_URL or "async+memory://", namespace=settings.REDIS_KEY_PREFIX)
    outbox_sender = OutboxSender(session_factory, *transports_from_settings(settings))
    readiness = Readiness(lambda: schema_state(engine), settings.REDIS_URL)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        # The outbox sender runs in this process unless another one drains the
        # outbox (`OUTBOX_WORKER=external`, `ownerhub send-outbox --forever`).
        stop = asyncio.Event()
        sending = None
        if settings.OUTBOX_WORKER != "external":
            sending = asyncio.create_task(outbox_sender.run_forever(stop))
        restore_sigterm = _not_ready_from_sigterm(readiness, settings.SHUTDOWN_DRAIN_SECONDS)
        await readiness.check_at_start()
        try:
            yield
        finally:
            readiness.stopping = True
            restore_sigterm()
            stop.set()
            if sending is not None:
                await sending
            await rate_limiter.aclose()
            if hasattr(apq_store, "aclose"):
                await apq_store.aclose()
            await dispose_engines(_app)
            aclose = getattr(media_storage, "aclose", None)
            if aclose is not None:
                await aclose()

    graphql_app = OwnerHubGraphQL(settings, session_factory, media_storage)
    app = Starlette(
        routes=[
            Route("/graphql", RequiresUsableDatabase(graphql_app, readiness), methods=["GET", "POST"]),
            Route("/media/{name}", media_endpoint(media_storage), methods=["GET", "HEAD"]),
            # Operations: observability/ (probes, Prometheus, request ids, JSON logs).
            Route("/healthz", healthz),
            Route("/readyz", readyz_endpoint(readiness)),
            Route("/metrics", metrics_endpoint(session_factory, DEFAULT_MAX_ATTEMPTS)),
            *graphiql_routes(settings.graphiql_enabled),
            *owner_page_routes(settings, graphql_app.upload_origins),
        ],
        # Tracing first (its span holds the whole request), then the request id every
        # layer below logs and echoes.
        middleware=[*tracing_middleware(), Middleware(ObservabilityMiddleware), *hardening_middleware(settings)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.read_engine = read_engine
    app.state.session_factory = session_factory
    app.state.now = utcnow
    app.state.rate_limiter = rate_limiter
    app.state.password_hashing = password_hashing
    app.state.outbox_sender = outbox_sender
    app.state.readiness = readiness
    app.state.media_storage = media_storage
    app.state.apq_store = apq_store
    app.state.known_documents = graphql_app.known_documents
    app.state.decode_budget = DecodeBudget(
        settings.IMAGE_DECODE_PIXELS, settings.IMAGE_DECODE_SLOTS, settings.IMAGE_DECODE_WAIT_SECONDS
    )
    return app


def __getattr__(name: str):
    # `uvicorn server:app` builds the app on first access, from the environment.
    if name == "app":
        return create_app()
    raise AttributeError(name)
