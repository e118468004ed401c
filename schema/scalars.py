"""The custom scalars, each with where it is specified (`@specifiedBy`, SPEC 12).
Strawberry's own definitions, with our descriptions and specification URLs;
`resolvers/root/build.py` passes them as scalar overrides."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from strawberry.file_uploads import Upload
from strawberry.file_uploads.scalars import UploadDefinition
from strawberry.schema.types.base_scalars import DateTimeDefinition

RFC_3339 = "https://datatracker.ietf.org/doc/html/rfc3339"
MULTIPART_REQUEST_SPEC = "https://github.com/jaydenseric/graphql-multipart-request-spec"

DateTime = dataclasses.replace(
    DateTimeDefinition,
    description='A date and time with its UTC offset, as RFC 3339 writes it: "2026-11-30T09:15:00.123456+00:00".',
    specified_by_url=RFC_3339,
)
UploadScalar = dataclasses.replace(
    UploadDefinition,
    description="A file sent in a GraphQL multipart request (with the `Apollo-Require-Preflight` or "
    "`X-GraphQL-CSRF` header); input only.",
    specified_by_url=MULTIPART_REQUEST_SPEC,
)

SCALAR_OVERRIDES = {datetime: DateTime, Upload: UploadScalar}
