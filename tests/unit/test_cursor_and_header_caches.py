"""Two shortcuts of the request path that must answer exactly as the long way:
the contact cursor written without json.dumps, and the caches of the media types
of `Accept` and `Content-Type` headers (hardening/http.py), which a long header
never enters."""

from __future__ import annotations

import base64
import json

from hypothesis import given
from hypothesis import strategies as st

from hardening.http import CACHED_HEADER_CHARS, _cached_negotiate, media_type_and_charset, negotiate
from repository.contacts import decode_cursor, encode_cursor


@given(st.text(), st.integers(min_value=1, max_value=2**31 - 1))
def test_a_cursor_is_the_compact_json_of_its_sort_value_and_id(sort_value, contact_id):
    cursor = encode_cursor(sort_value, contact_id)
    expected = json.dumps([sort_value, contact_id], separators=(",", ":")).encode()
    assert base64.urlsafe_b64decode(cursor) == expected
    if "\x00" not in sort_value:
        assert decode_cursor(cursor) == (sort_value, contact_id)


def test_header_media_types_are_the_same_short_or_long():
    padding = ", " + ", ".join(f"text/x-{n};q=0.1" for n in range(40))
    assert len(padding) > CACHED_HEADER_CHARS
    for accept, expected in (
        ("application/graphql-response+json, application/json;q=0.9", "application/graphql-response+json"),
        ("application/json;q=0.5, application/graphql-response+json;q=0.4", "application/json"),
        ("text/html", "application/json"),
        (None, "application/json"),
    ):
        assert negotiate(accept) == expected
        if accept is not None:
            assert negotiate(accept + padding) == expected
    assert media_type_and_charset("application/json; charset=UTF-8") == ("application/json", "utf-8")
    assert media_type_and_charset("application/json") == ("application/json", "utf-8")
    long_type = "application/json; charset=latin-1; x=" + "a" * CACHED_HEADER_CHARS
    assert media_type_and_charset(long_type) == ("application/json", "latin-1")


def test_a_long_accept_header_is_not_cached():
    before = _cached_negotiate.cache_info().currsize
    negotiate("application/json, " + "x" * CACHED_HEADER_CHARS)
    assert _cached_negotiate.cache_info().currsize == before
