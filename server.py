"""The ASGI application: GraphQL at /graphql, health probes. `create_app()` is
the factory; `app` is the instance uvicorn serves."""

from __future__ import annotations

import contextlib
import logging

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route
from strawberry.asgi import GraphQL

from db.engine import create_engine, create_session_factory
from mail.sender import DEFAULT_MAX_ATTEMPTS
from observability.health import healthz, readyz_endpoint
from observability.logging import configure_logging
from observability.metrics import metrics_endpoint
from observability.middleware import ObservabilityMiddleware
from permissions.policy import ANONYMOUS
from request_context import RequestContext
from schema.build import schema
from services.auth import actor_for_user_row, viewer_for_token
from settings import Settings, get_settings

log = logging.getLogger("ownerhub.server")


class OwnerHubGraphQL(GraphQL):
    """Strawberry's ASGI app with our per-request context: the viewer comes from
    the `Authorization: Bearer <token>` header, looked up by the token's hash."""

    def __init__(self, settings: Settings, session_factory, **kwargs):
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            subscription_protocols=(),
            **kwargs,
        )
        self.settings = settings
        self.session_factory = session_factory

    async def get_context(self, request: Request, response) -> RequestContext:
        context = RequestContext(
            settings=self.settings,
            session_factory=self.session_factory,
            client_ip=request.client.host if request.client else "unknown",
            request=request,
            response=response,
        )
        token = _bearer_token(request)
        if token:
            async with self.session_factory() as session:
                viewer = await viewer_for_token(session, token)
            if viewer is not None:
                context.actor = actor_for_user_row(viewer)
                context.user_id = viewer.user_id
                context.session_id = viewer.session_id
            else:
                context.actor = ANONYMOUS
        return context


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    configure_logging()
    engine = create_engine(settings.DATABASE_URL)
    session_factory = create_session_factory(engine)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        try:
            yield
        finally:
            await engine.dispose()

    graphql_app = OwnerHubGraphQL(settings, session_factory)
    app = Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            # Operations: observability/ (probes, Prometheus, request ids, JSON logs).
            Route("/healthz", healthz),
            Route("/readyz", readyz_endpoint(session_factory, settings.REDIS_URL)),
            Route("/metrics", metrics_endpoint(session_factory, DEFAULT_MAX_ATTEMPTS)),
        ],
        middleware=[Middleware(ObservabilityMiddleware)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    return app


def __getattr__(name: str):
    # `uvicorn server:app` builds the app on first access, from the environment.
    if name == "app":
        return create_app()
    raise AttributeError(name)
