"""The multipart CSRF guard as a pure function (SECURITY-CASES 13); the HTTP tests in
tests/test_profile_images.py drive it through the server."""

from __future__ import annotations

import pytest

from media.transport import allowed_upload_origins, multipart_csrf_refusal

ALLOWED = allowed_upload_origins(["https://Web.Example.com/", "*"], "https://app.example.test/some/path")


def test_allowed_origins_are_cors_origins_and_the_app_url_origin_and_never_a_wildcard():
    assert ALLOWED.exact == frozenset({"https://web.example.com", "https://app.example.test"})
    assert ALLOWED.pattern is None


@pytest.mark.parametrize(
    "headers",
    [
        {"apollo-require-preflight": "true"},
        {"x-graphql-csrf": "1"},
        {"x-graphql-csrf": "1", "origin": "https://web.example.com"},
        {"apollo-require-preflight": "true", "origin": "https://APP.example.test"},
    ],
)
def test_accepted(headers):
    assert multipart_csrf_refusal(headers, ALLOWED) is None


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 400),
        ({"apollo-require-preflight": "  "}, 400),
        ({"origin": "https://web.example.com"}, 400),
        ({"x-graphql-csrf": "1", "origin": "https://evil.example"}, 403),
        ({"x-graphql-csrf": "1", "origin": "null"}, 403),
        ({"x-graphql-csrf": "1", "origin": "http://web.example.com"}, 403),  # another scheme
        ({"x-graphql-csrf": "1", "origin": "https://web.example.com:8443"}, 403),  # another port
    ],
)
def test_refused(headers, status):
    refusal = multipart_csrf_refusal(headers, ALLOWED)
    assert refusal is not None and refusal.status_code == status
