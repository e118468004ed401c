"""HTTP caching of GraphQL answers (GraphQL over HTTP; issue 14 point 8).

A query sent with GET is an HTTP resource like any other, so a client (a mobile
app, a browser) can revalidate its copy instead of downloading it again:

* every `200` answer to a GET carries a strong `ETag` of its bytes (and of its
  media type, since the same body as `application/json` and as
  `application/graphql-response+json` are two representations), and a request
  whose `If-None-Match` matches it answers `304` with no body;
* `Cache-Control: private, no-cache`: only the client itself may keep the
  answer, and it must ask again (cheaply, with `If-None-Match`) before using it,
  because contacts change at any time;
* a request that may carry a credential (an `Authorization` header, or any cookie:
  the owner pages keep their session in one) answers `Cache-Control: no-store`: a
  signed-in viewer's contacts are personal data that no browser or `URLCache`
  should write to disk. The `ETag` is still there, so an app that keeps answers in
  its own (encrypted) store can send `If-None-Match`;
* `Vary: Authorization, Cookie, Accept`: the answer depends on who asks and on the
  media type negotiated.

Mutations never run by GET (405), and every answer to a POST, or any answer
other than `200`, is `Cache-Control: no-store`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

from starlette.responses import Response

from media.serving import if_none_match_matches

NO_STORE = "no-store"
REVALIDATE = "private, no-cache"
VARY = "Authorization, Cookie, Accept"
GRAPHQL_MEDIA_TYPES = ("application/json", "application/graphql-response+json")

# RFC 9110 15.4.5: a 304 carries the headers the 200 would have had for caching.
_NOT_MODIFIED_HEADERS = ("cache-control", "content-location", "etag", "expires", "vary")


def strong_etag(media_type: str, body: bytes) -> str:
    digest = hashlib.sha256(media_type.encode() + b"\n" + body).digest()
    return '"' + base64.urlsafe_b64encode(digest).decode().rstrip("=") + '"'


def carries_credential(headers: Mapping[str, str]) -> bool:
    """An `Authorization` header or a cookie. Any cookie counts: this layer does not
    know the owner pages' cookie by name (they sit above it), and a stray cookie only
    costs a client its disk cache."""
    return bool(headers.get("authorization", "").strip() or headers.get("cookie", "").strip())


def apply_http_caching(method: str, request_headers: Mapping[str, str], response: Response) -> Response:
    """The response as it should leave: with caching headers, or a `304`."""
    media_type = response.headers.get("content-type", "").split(";", 1)[0].strip()
    if media_type not in GRAPHQL_MEDIA_TYPES:
        return response  # the GraphiQL page: not a GraphQL answer
    if method != "GET" or response.status_code != 200:
        response.headers["cache-control"] = NO_STORE
        return response
    etag = strong_etag(media_type, response.body)
    response.headers["etag"] = etag
    response.headers["cache-control"] = NO_STORE if carries_credential(request_headers) else REVALIDATE
    response.headers["vary"] = VARY
    if if_none_match_matches(request_headers.get("if-none-match"), etag):
        kept = {name: value for name, value in response.headers.items() if name in _NOT_MODIFIED_HEADERS}
        return Response(status_code=304, headers=kept)
    return response
