"""Multipart uploads at the HTTP boundary: the CSRF guard and the size limits.

SPEC 9 and SECURITY-CASES 13, 28 and 32. Pure Starlette: the GraphQL view in
server.py calls these before Strawberry sees a multipart request.

- **CSRF.** A browser sends `multipart/form-data` cross-site without a CORS
  preflight, with the victim's cookies or HTTP auth. A request that carries a
  non-simple header (`Apollo-Require-Preflight` or `X-GraphQL-CSRF`, the convention
  of Apollo Server and GraphQL Yoga) cannot be sent cross-site without a preflight,
  and the preflight only succeeds for allowed origins. The `Origin`, when a browser
  sends one, must be allowed too, which also covers a CORS set-up that is too loose.
  Clients outside browsers (curl, mobile apps) send no `Origin` and pass.
- **Limits, enforced while the body streams in.** Nothing is buffered beyond the
  caps: a declared `Content-Length` over the body cap is refused before reading; a
  body that lies about its length, or comes chunked, is cut off as soon as it passes
  the cap; a file part is cut off one byte past `MAX_UPLOAD_BYTES`. A non-file part
  over 1 MB, or more than 1,000 parts, is a 400.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from media.images import MAX_UPLOAD_BYTES

CSRF_HEADERS: Final = ("apollo-require-preflight", "x-graphql-csrf")

MAX_PARTS: Final = 1000
MAX_FIELD_BYTES: Final = 1024 * 1024
MAX_FILE_BYTES: Final = MAX_UPLOAD_BYTES
# The whole body: one file at the cap, plus the `operations` and `map` fields and the
# part headers. A body past this is refused whatever its parts look like.
MAX_BODY_BYTES: Final = MAX_FILE_BYTES + 256 * 1024


class UploadRefused(Exception):
    """The request is refused at the transport level, before GraphQL runs."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased, as browsers send in `Origin`."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


@dataclass(frozen=True)
class AllowedOrigins:
    """The browser origins an upload may come from."""

    exact: frozenset[str]
    pattern: re.Pattern[str] | None = None

    def __contains__(self, origin: str) -> bool:
        return origin in self.exact or (self.pattern is not None and self.pattern.fullmatch(origin) is not None)


def allowed_upload_origins(cors_origins: Iterable[str], app_url: str, pattern: str | None = None) -> AllowedOrigins:
    """CORS_ORIGINS, plus the origin of APP_URL (the web app that links here), plus
    what the CORS pattern allows (localhost in development), never a wildcard."""
    exact = frozenset({origin_of(o) for o in cors_origins if o and o != "*"} | {origin_of(app_url)})
    return AllowedOrigins(exact, re.compile(pattern) if pattern else None)


def multipart_csrf_refusal(headers: Mapping[str, str], allowed_origins: AllowedOrigins) -> UploadRefused | None:
    """Why a multipart request must be refused for CSRF, or None when it may proceed."""
    if not any(headers.get(name, "").strip() for name in CSRF_HEADERS):
        return UploadRefused(
            400,
            "Uploads need an `Apollo-Require-Preflight` or `X-GraphQL-CSRF` header "
            "(any non-empty value), so that browsers send a CORS preflight first.",
        )
    origin = headers.get("origin")
    # `Origin: null` (sandboxed frames, file: pages) is a browser too, and never allowed.
    if origin is not None and origin_of(origin) not in allowed_origins:
        return UploadRefused(403, "Uploads are not accepted from this origin.")
    return None


class _BoundedMultipartParser(MultiPartParser):
    """Starlette's parser with two more limits: bytes per file, and parts overall."""

    def __init__(self, *args, max_file_bytes: int, max_parts: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_file_bytes = max_file_bytes
        self.max_parts = max_parts
        self._parts = 0
        self._part_bytes = 0

    def on_part_begin(self) -> None:
        self._parts += 1
        if self._parts > self.max_parts:
            raise MultiPartException(f"Too many parts. The maximum is {self.max_parts}.")
        self._part_bytes = 0
        super().on_part_begin()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is not None:
            self._part_bytes += end - start
            if self._part_bytes > self.max_file_bytes:
                raise UploadRefused(413, _too_large_message())
        super().on_part_data(data, start, end)


def _too_large_message() -> str:
    return f"The upload is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB."


async def _capped(stream: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    received = 0
    async for chunk in stream:
        received += len(chunk)
        if received > limit:
            raise UploadRefused(413, _too_large_message())
        yield chunk


async def read_bounded_form(
    request: Request,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_field_bytes: int = MAX_FIELD_BYTES,
    max_parts: int = MAX_PARTS,
) -> FormData:
    """Parse a multipart body within the limits above; `UploadRefused` otherwise.

    Files are spooled by Starlette (in memory up to 1 MB, then a temporary file), and
    none grows past `max_file_bytes`, so memory stays flat whatever the client sends.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise UploadRefused(400, "Invalid Content-Length.")
        if int(declared) > max_body_bytes:
            raise UploadRefused(413, _too_large_message())
    parser = _BoundedMultipartParser(
        request.headers,
        _capped(request.stream(), max_body_bytes),
        max_files=max_parts,
        max_fields=max_parts,
        max_part_size=max_field_bytes,
        max_file_bytes=max_file_bytes,
        max_parts=max_parts,
    )
    try:
        return await parser.parse()
    except MultiPartException as error:
        raise UploadRefused(400, error.message) from error
    except KeyError as error:  # no Content-Type boundary parameters at all
        raise UploadRefused(400, "Invalid multipart data.") from error


async def close_files(form: FormData) -> None:
    for _, value in form.multi_items():
        if isinstance(value, UploadFile):
            await value.close()
