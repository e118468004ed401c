"""`GET /media/<name>`: profile image renditions, served by the API server itself.

Names are generated and content-addressed (`media.images`), so a name's bytes never
change: a year of caching with `immutable`, and the name itself as the ETag. The
type is fixed (every rendition is WebP) and `nosniff` stops a browser from guessing
another one (SECURITY-CASES 31). Anything that is not a name we generate is a 404,
exactly like a removed image.
"""

from __future__ import annotations

import re
from typing import Final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from media.images import OUTPUT_CONTENT_TYPE, OUTPUT_EXTENSION, SIZES
from media.storage import IMMUTABLE_CACHE_CONTROL, MediaStorage

_RENDITION_NAME: Final = re.compile(
    rf"[0-9a-f]{{32}}-(?:{'|'.join(str(size) for size in SIZES.values())})\.{OUTPUT_EXTENSION}"
)

MEDIA_HEADERS: Final = {
    "Cache-Control": IMMUTABLE_CACHE_CONTROL,
    "X-Content-Type-Options": "nosniff",
    # Opened directly, the file is an image and nothing else: no scripts, no frames.
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def etag_for(name: str) -> str:
    return f'"{name.rsplit(".", 1)[0]}"'


def if_none_match_matches(header: str | None, etag: str) -> bool:
    """`If-None-Match` uses the weak comparison (RFC 9110 13.1.2): a `W/` prefix is
    ignored, and `*` matches any current representation. Images use it here, and
    GraphQL answers to GET through hardening/caching.py."""
    if not header:
        return False
    return any(tag.strip().removeprefix("W/") in (etag, "*") for tag in header.split(","))


def media_endpoint(storage: MediaStorage):
    async def serve_media(request: Request) -> Response:
        name = request.path_params["name"]
        if not _RENDITION_NAME.fullmatch(name):
            return PlainTextResponse("Not Found", status_code=404)
        etag = etag_for(name)
        headers = {**MEDIA_HEADERS, "ETag": etag}
        data = await storage.read(name)
        if data is None:
            return PlainTextResponse("Not Found", status_code=404)
        if if_none_match_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return Response(data, media_type=OUTPUT_CONTENT_TYPE, headers=headers)

    return serve_media
