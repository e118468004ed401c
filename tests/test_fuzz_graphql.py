"""Fuzzing the GraphQL endpoint (SECURITY-CASES 38): schemathesis generates
documents and variables from `schema.graphql` for every root field, sends them
to a live `ownerhub serve` as a builder and as an owner, and checks that no
answer is a 5xx and that none carries data of another builder account.

Bounded: `FUZZ_EXAMPLES` examples (default 25) per actor, each sending one
generated document per root field, no deadline. IDs are drawn from real-looking global ids (every type,
small numbers), so the fuzzer does ask for the other account's rows."""

from __future__ import annotations

import base64
import os

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from conftest import make_active_owner
from hardening_support import ROOT, start_live_server, stop_live_server

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
MARKER = "Zyxwvrival"  # in every field of the other account's contact

global_ids = st.builds(
    lambda type_name, number: base64.b64encode(f"{type_name}:{number}".encode()).decode(),
    st.sampled_from(["Contact", "Job", "Lead", "BuilderUser", "OwnerUser"]),
    st.integers(min_value=0, max_value=40),
)
schemathesis.graphql.scalar("ID", st.one_of(global_ids, st.text(max_size=20)).map(nodes.String))
schemathesis.graphql.scalar("DateTime", st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")))
# A JSON request cannot carry a file: a string in the Upload's place must be refused cleanly.
schemathesis.graphql.scalar("Upload", st.text(max_size=20).map(nodes.String))

schema = schemathesis.graphql.from_path(ROOT / "schema.graphql")

CREATE = """mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }"""


@pytest.fixture(scope="module")
def live_server(settings, tmp_path_factory):
    server = start_live_server(settings, tmp_path_factory.mktemp("fuzz"))
    yield server
    stop_live_server(server)


@pytest.fixture
async def fuzz_actors(app, client, builder, other_builder):
    """A builder and an owner of account A; contacts in both accounts, the other
    account's carrying MARKER everywhere, on a job of its own."""
    for i in range(3):
        await builder.gql(CREATE, {"input": {"firstName": f"Mine{i}", "primaryEmail": f"mine{i}@example.com"}})
    for i in range(3):
        await other_builder.gql(CREATE, {"input": {
            "firstName": MARKER, "lastName": MARKER, "phone": MARKER,
            "primaryEmail": f"{MARKER.lower()}{i}@example.com", "additionalEmails": [f"{MARKER.lower()}.x{i}@example.com"],
            "address": {"street": MARKER, "city": MARKER}}})
    owner, _ = await make_active_owner(app, client, builder)
    await make_active_owner(app, client, other_builder, first_name=MARKER)
    return {"builder": builder.token, "owner": owner.token}


def check_answer(response: httpx.Response | object) -> None:
    status = response.status_code
    text = response.text if hasattr(response, "text") else response.content.decode()
    assert status < 500, f"{status}: {text[:500]}"
    assert MARKER.lower() not in text.lower(), f"another builder's data leaked: {text[:500]}"


# `logout` is left out: it revokes the actor's session, after which every other
# generated request would run anonymously.
OPERATIONS = [op for op in (result.ok() for result in schema.get_all_operations()) if not op.label.endswith(".logout")]


@pytest.mark.parametrize("actor", ["builder", "owner"])
def test_case_38_fuzzed_operations_never_fail_the_server_or_cross_tenants(actor, live_server, fuzz_actors):
    """Each example sends one generated document for every root field."""
    token = fuzz_actors[actor]
    assert {"Query.contacts", "Mutation.createContact"} <= {op.label for op in OPERATIONS}

    @hypothesis_settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def fuzz(data):
        for operation in OPERATIONS:
            case = data.draw(operation.as_strategy(), label=operation.label)
            response = case.call(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            check_answer(response)

    fuzz()
