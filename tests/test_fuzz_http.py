"""Fuzzing the HTTP layer (SPEC 12: no input, however malformed, answers 5xx).

Hypothesis sends a live `ownerhub serve` (in production mode, so that a bug would
show as `INTERNAL_SERVER_ERROR`) request bodies of every JSON shape, GraphQL
operations whose members have the wrong types, multipart forms whose `operations`
and `map` do not fit, ids of every size and spelling, and strings drawn from
every Unicode category (surrogates, NUL and the other controls, bidi and
zero-width characters, unassigned code points) in every kind of text input.
Every answer must be below 500 and carry no masked bug; a 4xx must be a
GraphQL-shaped JSON error with a code.

Bounded: `FUZZ_EXAMPLES` examples (default 40) per strategy, no deadline, derandomised."""

from __future__ import annotations

import base64
import json
import os

import httpx
import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from hypothesis import strategies as st

from hardening_support import start_live_server, stop_live_server

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
CSRF = {"apollo-require-preflight": "true"}

# Every Unicode category, surrogates (Cs) included: hypothesis leaves them out by default.
any_char = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from("\x00\u202e\u200b\u200d\ufeff\r\n"))
any_text = st.text(any_char, max_size=24)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
members = st.fixed_dictionaries({}, optional={
    "query": st.one_of(json_values, st.just("{ __typename }")),
    "variables": json_values,
    "extensions": st.one_of(json_values, st.builds(lambda h: {"persistedQuery": h}, json_values)),
    "operationName": json_values,
})
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2**31 - 1, 2**31, 2**32, 2**53, 2**63 - 1, 2**63, 2**64]),
)
type_names = st.sampled_from(["Contact", "Job", "Lead", "ContactMerge", "BuilderUser", "OwnerUser", "Nope", ""])
ids = st.one_of(
    st.builds(lambda t, n: base64.b64encode(f"{t}:{n}".encode()).decode(), type_names, numbers),
    st.builds(lambda t, s: base64.b64encode(f"{t}:{s}".encode("utf-8", "surrogatepass")).decode(), type_names, any_text),
    any_text,
)
cursors = st.one_of(
    st.builds(lambda v, n: base64.urlsafe_b64encode(json.dumps([v, n]).encode()).decode(), any_text, numbers),
    st.builds(lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode(), json_values),
    any_text,
)

ID_DOCUMENTS = [
    "query($id: ID!) { contact(id: $id) { id } }",
    "query($id: ID!) { node(id: $id) { id } }",
    "query($id: ID!) { job(id: $id) { id } lead(id: $id) { id } }",
    "mutation($id: ID!) { updateContactInfo(input: {contactId: $id, firstName: \"A\"}) { userErrors { code } } }",
    "mutation($id: ID!) { sendInvite(input: {contactId: $id}) { userErrors { code } } }",
    "mutation($id: ID!) { updateJob(input: {jobId: $id, name: \"A\"}) { userErrors { code } } }",
    "mutation($id: ID!) { undoMerge(input: {mergeId: $id}) { userErrors { code } } }",
    "mutation($id: ID!) { addJobOwner(input: {jobId: $id, contactId: $id}) { userErrors { code } } }",
]
TEXT_DOCUMENTS = [
    "mutation($s: String!) { createContact(input: {firstName: $s, lastName: $s}) { userErrors { code } } }",
    "mutation($s: String!) { createContact(input: {firstName: \"A\", phone: $s, address: {street: $s, city: $s}}) { userErrors { code } } }",
    "mutation($s: String!) { createContact(input: {primaryEmail: $s, additionalEmails: [$s]}) { userErrors { code } } }",
    "mutation($s: String!) { createJob(input: {name: $s}) { userErrors { code } } }",
    "mutation($s: String!) { createLead(input: {title: $s}) { userErrors { code } } }",
    "mutation($s: String!) { defineCustomField(input: {name: $s, type: SELECT, options: [$s]}) { userErrors { code } } }",
    "query($s: String!) { contacts(search: $s) { totalCount } jobs(search: $s) { totalCount } leads(search: $s) { totalCount } }",
    "mutation($s: String!) { login(input: {username: $s, password: $s}) { userErrors { code } } }",
    "mutation($s: String!) { requestPasswordReset(input: {login: $s}) { ok } }",
    "mutation($s: String!) { resetPassword(input: {token: $s, newPassword: $s}) { userErrors { code } } }",
    "query($s: String!) { inviteDetails(token: $s) { valid } }",
    "mutation($s: String!) { acceptInvite(input: {token: $s, username: $s, password: $s}) { userErrors { code } } }",
]
CURSOR_DOCUMENT = """query($a: String!, $o: ContactOrder!) {
  contacts(after: $a, orderBy: $o) { totalCount } jobs(after: $a) { totalCount } leads(after: $a) { totalCount } }"""


def encode(value) -> bytes:
    # ensure_ascii writes a lone surrogate as a \\udXXX escape, as a hostile client would.
    return json.dumps(value, ensure_ascii=True).encode()


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    assert "INTERNAL_SERVER_ERROR" not in response.text, response.text[:500]
    if response.status_code >= 400:
        body = response.json()
        assert body["errors"][0]["extensions"]["code"], body


@pytest.fixture(scope="module")
def live_server(settings, tmp_path_factory):
    server = start_live_server(settings, tmp_path_factory.mktemp("fuzz-http"), ENVIRONMENT="production")
    yield server
    stop_live_server(server)


@pytest.fixture
def http(live_server, builder):
    """A client of the live server, signed in as a builder."""
    with httpx.Client(base_url=live_server.url, timeout=30,
                      headers={"Authorization": f"Bearer {builder.token}"}) as client:
        yield client


def test_json_bodies_of_any_shape(http):
    @FUZZ
    @given(body=st.one_of(json_values.map(encode), members.map(encode), st.binary(max_size=64)))
    def fuzz(body):
        check(http.post("/graphql", content=body, headers={"content-type": "application/json"}))

    fuzz()


def test_get_requests_with_any_parameters(http):
    # A URL carries UTF-8: its lone surrogates arrive as U+FFFD.
    values = st.one_of(any_text, json_values.map(json.dumps)).map(
        lambda text: text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))

    @FUZZ
    @given(params=st.dictionaries(st.sampled_from(["query", "variables", "extensions", "operationName"]), values,
                                  max_size=4))
    def fuzz(params):
        check(http.get("/graphql", params=params))

    fuzz()


def test_multipart_forms_of_any_shape(http):
    paths = st.lists(st.one_of(st.sampled_from(["variables.f", "variables.f.0", "variables", "query", "x.y.z"]), any_text),
                     max_size=3)
    files_maps = st.one_of(json_values, st.dictionaries(st.sampled_from(["0", "1", "operations", "map"]), paths, max_size=3))

    @FUZZ
    @given(operations=st.one_of(json_values, members), files_map=files_maps)
    def fuzz(operations, files_map):
        response = http.post(
            "/graphql",
            data={"operations": encode(operations).decode(), "map": encode(files_map).decode()},
            files={"0": ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")},
            headers=CSRF,
        )
        check(response)

    fuzz()


def test_ids_of_any_size_and_spelling(http):
    @FUZZ
    @given(document=st.sampled_from(ID_DOCUMENTS), value=ids)
    def fuzz(document, value):
        check(http.post("/graphql", content=encode({"query": document, "variables": {"id": value}}),
                        headers={"content-type": "application/json"}))

    fuzz()


def test_cursors_of_any_content(http):
    @FUZZ
    @given(value=cursors, order=st.sampled_from(["LAST_NAME", "FIRST_NAME", "CREATED_AT"]))
    def fuzz(value, order):
        check(http.post("/graphql", content=encode({"query": CURSOR_DOCUMENT, "variables": {"a": value, "o": order}}),
                        headers={"content-type": "application/json"}))

    fuzz()


def test_text_of_every_unicode_category_in_every_text_input(http):
    @FUZZ
    @given(document=st.sampled_from(TEXT_DOCUMENTS), value=any_text)
    def fuzz(document, value):
        check(http.post("/graphql", content=encode({"query": document, "variables": {"s": value}}),
                        headers={"content-type": "application/json"}))

    fuzz()
