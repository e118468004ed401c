"""GraphQL over HTTP, the way browsers and the graphql-http audit expect it
(SPEC 9, SECURITY-CASES 6, 10-12): a base class for our Strawberry ASGI view.

* Content negotiation: `application/graphql-response+json` when the client
  accepts it, else `application/json` (also for `*/*` or no `Accept`), always
  UTF-8. A request error (syntax, validation, variables, persisted query) has
  no `data` entry, and answers 400 under `application/graphql-response+json`
  (200 under `application/json`, as legacy clients expect).
* CSRF: a POST must be `application/json` (or multipart, which the upload code
  guards with its preflight header rule); `text/plain` and form posts, which a
  browser sends cross-site without a preflight, get 415. GET runs queries only;
  a mutation by GET gets 405. JSON arrays (batches) get 400.
* Malformed requests (a body that is not one JSON object, members of the wrong
  type, a multipart `map` that does not fit its `operations`, U+0000 in any
  text): 400 with the code `BAD_USER_INPUT` (hardening/request_shape.py).
* Limits: a request body larger than `MAX_BODY_BYTES` is refused (413) while it
  is read, whatever `Content-Length` says; the whole request is cut off after
  `REQUEST_TIMEOUT_SECONDS` (503), and the process carries on.
* HTTP caching: a GET answer has a strong `ETag` (304 on `If-None-Match`) and
  `Cache-Control: private, no-cache`, or `no-store` with a credential; nothing
  else is ever stored (hardening/caching.py).
* Errors of the transport are GraphQL-shaped JSON, and an exception that
  escapes is logged with its trace and answered "Unexpected error." (500).
"""

from __future__ import annotations

import asyncio
import json
import logging

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError

from domain.errors import TopLevelErrorCode
from hardening.caching import apply_http_caching
from hardening.graphiql import graphiql_page
from hardening.request_shape import MalformedRequest, check_files_map, check_operation, place_files
from observability.request_id import current_request_id

log = logging.getLogger("ownerhub.http")

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def negotiate(accept: str | None) -> str:
    """The response media type for an `Accept` header (GraphQL over HTTP 6.4.1)."""
    if not accept or not accept.strip():
        return JSON
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, params = parse_content_type(part.strip())
        quality = 1.0
        if "q" in params:
            try:
                quality = float(params["q"])
            except ValueError:
                quality = 0.0
        if quality > 0:
            ranges.append((-quality, index, media))
    for _, _, media in sorted(ranges):
        if media == GRAPHQL_RESPONSE_JSON:
            return GRAPHQL_RESPONSE_JSON
        if media in (JSON, "application/*", "*/*"):
            return JSON
    return JSON


def error_body(message: str, code: TopLevelErrorCode) -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


HTTP_ERROR_CODES = {
    400: TopLevelErrorCode.BAD_USER_INPUT,  # SPEC 12: a malformed body
    404: TopLevelErrorCode.NOT_FOUND,
    405: TopLevelErrorCode.METHOD_NOT_ALLOWED,
    413: TopLevelErrorCode.PAYLOAD_TOO_LARGE,
    415: TopLevelErrorCode.UNSUPPORTED_MEDIA_TYPE,
    503: TopLevelErrorCode.TIMEOUT,
}

TIMED_OUT = (
    "The request took too long and the server stopped waiting for it. A change it asked "
    "for may or may not have been saved: read it back before you try again."
)


class BodyTooLarge(Exception):
    pass


class RequestCutOff(Exception):
    """The request ran past `REQUEST_TIMEOUT_SECONDS`."""


def _log_failure_after_cut_off(work: asyncio.Future) -> None:
    if not work.cancelled() and work.exception() is not None:
        log.error("a request cut off at its deadline failed afterwards", exc_info=work.exception())


class HardenedGraphQL(GraphQL):
    """Subclasses set `self.settings` (a `settings.Settings`)."""

    settings = None

    # -- ASGI entry: limits, timeout, transport errors -------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        headers = Request(scope).headers
        limit = self._body_limit(headers.get("content-type", ""))
        request = Request(scope, receive=self._limited_receive(receive, limit))
        media_type = negotiate(headers.get("accept"))
        try:
            declared = int(request.headers.get("content-length") or 0)
        except ValueError:
            declared = 0
        try:
            if declared > limit:
                raise BodyTooLarge
            response = await self._run_until_deadline(request)
        except HTTPException as error:
            response = self._error_response(error.status_code, error.reason, media_type)
        except BodyTooLarge:
            response = self._error_response(
                413, f"The request body is larger than {self.settings.MAX_BODY_BYTES:,} bytes.", media_type
            )
        except RequestCutOff:
            log.warning("request cut off after %ss", self.settings.REQUEST_TIMEOUT_SECONDS)
            # A mutation cut off here may have committed just before the
            # deadline: say so, rather than promise that nothing happened.
            response = self._error_response(503, TIMED_OUT, media_type)
            response.headers["retry-after"] = "1"
        except Exception:
            log.exception("unexpected error outside GraphQL execution")
            response = self._error_response(500, "Unexpected error.", media_type, code=TopLevelErrorCode.INTERNAL_SERVER_ERROR)
        response = apply_http_caching(scope["method"], headers, response)
        await response(scope, receive, send)

    async def _run_until_deadline(self, request: Request) -> Response:
        """The request's answer, or RequestCutOff once `REQUEST_TIMEOUT_SECONDS`
        have passed. The client is answered at the deadline even when the work
        does not stop at once: a statement stuck in SQLite's driver thread (behind
        another writer, until the busy timeout) cannot be interrupted, so the
        cancelled work finishes in the background, rolls back and gives its
        connection back, and is logged only if it fails otherwise."""
        work = asyncio.ensure_future(self.run(request))
        try:
            done, _ = await asyncio.wait((work,), timeout=self.settings.REQUEST_TIMEOUT_SECONDS)
        except asyncio.CancelledError:  # the server is stopping this request: stop its work too
            work.cancel()
            raise
        if work in done:
            return work.result()
        work.cancel()
        work.add_done_callback(_log_failure_after_cut_off)
        raise RequestCutOff

    def _body_limit(self, content_type_header: str) -> int:
        content_type, _ = parse_content_type(content_type_header)
        if content_type == "multipart/form-data":
            # Uploads have their own caps, enforced while streaming (media/transport).
            return 1 << 62
        return self.settings.MAX_BODY_BYTES

    @staticmethod
    def _limited_receive(receive: Receive, limit: int) -> Receive:
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        return limited

    def _error_response(
        self, status: int, message: str, media_type: str, code: TopLevelErrorCode | None = None
    ) -> Response:
        body = error_body(message, code or HTTP_ERROR_CODES.get(status, TopLevelErrorCode.BAD_REQUEST))
        body["errors"][0]["extensions"]["requestId"] = current_request_id()
        response = Response(
            json.dumps(body, separators=(",", ":")),
            status_code=status,
            media_type=f"{media_type}; charset=utf-8",
        )
        if status == 405:
            response.headers["allow"] = "GET, POST"
        return response

    # -- Request parsing: CSRF rules, batching off ------------------------------

    def decode_json(self, data: str | bytes) -> object:
        # orjson refuses lone surrogates (`"\\ud800"`), which json.loads lets through
        # as strings that no database, log or response encoder can write.
        return orjson.loads(data)

    async def parse_http_body(self, request):
        content_type, params = parse_content_type(request.content_type or "")
        if request.method == "GET":
            data = self.parse_query_params(request.query_params)
        elif content_type == JSON and params.get("charset", "utf-8").lower() in ("utf-8", "utf8"):
            data = self.parse_json(await request.get_body())
        elif content_type == "multipart/form-data":
            data = await self.parse_multipart(request)
        else:
            raise HTTPException(415, "POST requests must have the content type application/json (UTF-8).")
        operation = check_operation(data)
        # The schema has no subscriptions and no incremental delivery, so every
        # request is a plain HTTP operation, whatever its Accept header streams.
        return GraphQLRequestData(
            query=operation.get("query"),
            variables=operation.get("variables"),
            operation_name=operation.get("operationName"),
            extensions=operation.get("extensions"),
            protocol="http",
        )

    async def parse_multipart(self, request) -> dict:
        """The GraphQL multipart request spec, with every member's type checked."""
        try:
            form_data = await request.get_form_data()
        except ValueError as error:
            raise MalformedRequest("Unable to parse the multipart body.") from error
        operations = form_data.form.get("operations")
        files_map = form_data.form.get("map", "{}")
        if not isinstance(operations, (str, bytes)) or not isinstance(files_map, (str, bytes)):
            raise MalformedRequest("A multipart request needs the form fields `operations` and `map` as JSON text.")
        operations = check_operation(self.parse_json(operations))
        place_files(operations, check_files_map(self.parse_json(files_map)), form_data.files)
        return operations

    async def execute_single(self, *args, **kwargs):
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError):
                # A GET can be sent cross-site without a preflight: queries only.
                raise HTTPException(405, "Only queries can be sent with GET; send mutations with POST.") from error
            raise

    # -- Responses: media type, status, request errors --------------------------

    async def get_sub_response(self, request: Request) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.graphql_media_type = negotiate(request.headers.get("accept"))
        return sub_response

    async def process_result(self, request, result):
        data = await super().process_result(request, result)
        errors = result.errors or []
        if result.data is None and errors and all(error.path is None for error in errors):
            # A request error: execution never started, so there is no data entry.
            data.pop("data", None)
        for error in data.get("errors") or ():
            # Every error has a code (SPEC 12; hardening/error_codes.py codes them by
            # phase). One that escaped the operation itself is a failure of ours.
            error.setdefault("extensions", {}).setdefault("code", TopLevelErrorCode.INTERNAL_SERVER_ERROR)
        return data

    def create_response(self, response_data, sub_response: Response) -> Response:
        media_type = getattr(sub_response, "graphql_media_type", JSON)
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = f"{media_type}; charset=utf-8"
        request_error = isinstance(response_data, dict) and "data" not in response_data
        if request_error and media_type == GRAPHQL_RESPONSE_JSON and not sub_response.status_code:
            response.status_code = 400
        return response

    def should_render_graphql_ide(self, request) -> bool:
        # A GET carrying only a persisted-query hash is an operation, not a page view.
        return super().should_render_graphql_ide(request) and request.query_params.get("extensions") is None

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page(request)
