"""Operating the server (SPEC 10, issue 9): probes, request ids, JSON logs and
Prometheus metrics, through the ASGI app over HTTP."""

from __future__ import annotations

import json
import logging
import re

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import TEST_HASHING
from fleet_support import free_port
from observability.logging import HANDLER_NAME
from repository import outbox
from repository.uow import UnitOfWork
from server import create_app, dispose_engines

REDIS_URL = "redis://127.0.0.1:6379/0"
CREATE = """
mutation CreateNamedContact($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code } }
}
"""


async def _get(app, path: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        return await http.get(path, **kwargs)


@pytest.fixture
async def app_with(settings):
    """Builds an app with some settings changed; disposes of its engine after."""
    built = []

    def build(**changes):
        app = create_app(settings.model_copy(update=changes), password_hashing=TEST_HASHING)
        built.append(app)
        return app

    yield build
    for app in built:
        await dispose_engines(app)


def samples(text: str, name: str) -> dict[tuple, float]:
    """{sorted label items: value} of one metric family's samples named `name`."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


async def test_healthz_answers_while_the_process_runs(client):
    response = await client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


async def test_readyz_checks_the_database(client):
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"database": "ok"})


async def test_readyz_is_503_when_the_database_is_down(app_with):
    dead = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/ownerhub"
    response = await _get(app_with(DATABASE_URL=dead), "/readyz")
    assert (response.status_code, response.json()) == (503, {"database": "unreachable"})


async def test_readyz_checks_redis_when_it_is_configured(app_with):
    response = await _get(app_with(REDIS_URL=REDIS_URL), "/readyz")
    assert (response.status_code, response.json()) == (200, {"database": "ok", "redis": "ok"})


async def test_readyz_is_503_when_redis_is_down(app_with):
    response = await _get(app_with(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"), "/readyz")
    assert (response.status_code, response.json()) == (503, {"database": "ok", "redis": "unreachable"})


async def test_a_well_formed_request_id_is_echoed_and_logged_with_the_request(client, builder, capsys):
    capsys.readouterr()
    response = await client.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": {"firstName": "Dana"}}},
        headers={"Authorization": f"Bearer {builder.token}", "X-Request-ID": "lb-5f2c9e1a-0001"},
    )
    assert response.headers["x-request-id"] == "lb-5f2c9e1a-0001"
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [entry] = [line for line in lines if line.get("event") == "request" and line.get("request_id") == "lb-5f2c9e1a-0001"]
    assert entry | {"timestamp": None, "duration_ms": None} == {
        "event": "request", "request_id": "lb-5f2c9e1a-0001", "level": "info", "logger": "ownerhub.access",
        "method": "POST", "path": "/graphql", "status": 200, "operation": "CreateNamedContact", "outcome": "ok",
        "timestamp": None, "duration_ms": None,
    }
    assert builder.token not in json.dumps(lines), "tokens never reach the log"


async def test_the_request_line_written_directly_is_the_line_of_the_logging_way(client, builder, capsys):
    """A served process's one handler gets the access line written to it directly
    (observability/logging.py); with any other handler in the way (here pytest's log
    capture) a record carries it. Both write the same line."""
    headers = {"Authorization": f"Bearer {builder.token}", "X-Request-ID": "lb-direct-0001"}
    root = logging.getLogger()
    others = [handler for handler in root.handlers if handler.get_name() != HANDLER_NAME]
    capsys.readouterr()
    await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)  # the logging way
    for handler in others:
        root.removeHandler(handler)
    try:
        await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)  # directly
    finally:
        for handler in others:
            root.addHandler(handler)
    assert others, "pytest's log capture is a handler of its own"
    lines = [line for line in capsys.readouterr().err.splitlines() if '"lb-direct-0001"' in line]
    assert len(lines) == 2
    logged, direct = (re.sub(r'"(timestamp|duration_ms)": [^,}]+', r'"\1": -', line) for line in lines)
    assert direct == logged
    assert list(json.loads(lines[1])) == [
        "method", "path", "status", "duration_ms", "operation", "outcome", "event", "request_id", "level", "logger",
        "timestamp"]


@pytest.mark.parametrize("incoming", [None, "short", "has spaces in it", "x" * 129, "inject\\nline"])
async def test_a_missing_or_malformed_request_id_is_replaced_by_a_fresh_one(client, incoming):
    headers = {"X-Request-ID": incoming} if incoming else {}
    response = await client.get("/healthz", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_log_records_of_a_failing_check_carry_the_request_id(app_with, capsys):
    app = app_with(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    capsys.readouterr()
    response = await _get(app, "/readyz", headers={"X-Request-ID": "probe-000000001"})
    assert response.status_code == 503
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    warning = [line for line in lines if line.get("logger") == "ownerhub.health"]
    assert warning and warning[0]["request_id"] == "probe-000000001"
    assert warning[0]["level"] == "warning" and "redis unreachable" in warning[0]["event"]


async def test_metrics_count_operations_by_name_and_outcome(client, builder):
    name = "ownerhub_graphql_operations_total"
    before = samples((await client.get("/metrics")).text, name)
    await builder.gql(CREATE, {"input": {"firstName": "Dana"}})
    await builder.gql(CREATE, {"input": {"firstName": "Eve", "primaryEmail": "not an email"}})
    await builder.gql(CREATE, {"input": {"firstName": "Eve", "primaryEmail": "not an email"}})
    await client.post("/graphql", json={"query": "query Broken { nope }"})

    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    after = samples(response.text, name)

    def grew(operation, kind, outcome):
        key = (("operation", operation), ("outcome", outcome), ("type", kind))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("CreateNamedContact", "mutation", "ok") == 1
    assert grew("CreateNamedContact", "mutation", "user_error") == 2
    assert grew("Broken", "query", "invalid") == 1
    latency = samples(response.text, "ownerhub_graphql_operation_duration_seconds_count")
    assert latency[(("operation", "CreateNamedContact"), ("type", "mutation"))] >= 3
    buckets = samples(response.text, "ownerhub_graphql_operation_duration_seconds_bucket")
    assert any(dict(key).get("le") == "+Inf" for key in buckets)


def test_operation_names_cannot_grow_the_label_set_without_bound():
    from observability.metrics import _OperationNames

    names = _OperationNames(limit=3)
    assert [names.label(f"Op{n}") for n in range(5)] == ["Op0", "Op1", "Op2", "other", "other"]
    assert names.label("Op1") == "Op1"
    assert names.label("bad name; drop table") == "invalid_name"
    assert names.label(None) == "anonymous"


async def test_metrics_report_the_outbox_backlog_failures_and_dead_letters(app, client, builder):
    async with UnitOfWork(app.state.session_factory) as uow:
        ids = [
            await outbox.enqueue_email(uow.session, builder_account_id=builder.builder_account_id,
                                       to=f"o{n}@example.com", subject="s", text="t", html=None)
            for n in range(4)
        ]
        await uow.commit()
    from datetime import timedelta

    from models import utcnow

    async with UnitOfWork(app.state.session_factory) as uow:
        await outbox.mark_sent(uow.session, ids[0], utcnow())
        await outbox.mark_failed(uow.session, ids[1], "ConnectionError: down", utcnow() + timedelta(minutes=1))
        message = await uow.session.get(outbox.OutboxMessage, ids[2])
        message.attempts = 10
        await outbox.mark_failed(uow.session, ids[2], "ConnectionError: down", utcnow())
        await uow.commit()

    text = (await client.get("/metrics")).text
    value = lambda name: samples(text, name)[()]  # noqa: E731
    assert value("ownerhub_outbox_backlog") == 2  # ids[1] waiting for its retry, ids[3] due
    assert value("ownerhub_outbox_failing") == 1
    assert value("ownerhub_outbox_dead_letters") == 1
    assert value("ownerhub_outbox_oldest_unsent_age_seconds") >= 0


class _BrokenTransport:
    async def send(self, message):
        raise ConnectionError("provider down")


async def test_a_sender_counts_its_deliveries_and_failed_attempts(app, builder, tmp_path):
    from prometheus_client import REGISTRY

    from mail.sender import OutboxSender
    from mail.transports import FileEmailTransport

    def value(name, channel):
        return REGISTRY.get_sample_value(name, {"channel": channel}) or 0.0

    async with UnitOfWork(app.state.session_factory) as uow:
        await outbox.enqueue_email(uow.session, builder_account_id=builder.builder_account_id,
                                   to="a@example.com", subject="s", text="t", html=None)
        await outbox.enqueue_sms(uow.session, builder_account_id=builder.builder_account_id,
                                 to="+15550100", text="t")
        await uow.commit()
    sent_before = value("ownerhub_outbox_sent_total", "EMAIL")
    failed_before = value("ownerhub_outbox_send_failures_total", "SMS")

    sender = OutboxSender(app.state.session_factory, FileEmailTransport(tmp_path), _BrokenTransport())
    assert await sender.drain_once() == 1

    assert value("ownerhub_outbox_sent_total", "EMAIL") - sent_before == 1
    assert value("ownerhub_outbox_send_failures_total", "SMS") - failed_before == 1


async def test_the_request_log_never_holds_the_query_string(client, capsys):
    # A GraphQL GET carries its variables in the query string, tokens among them
    # (SPEC 3: tokens never appear in logs).
    capsys.readouterr()
    response = await client.get(
        "/graphql",
        params={"query": "query Probe($t: String) { __typename }", "variables": '{"t": "s3cr3t-token"}'},
        headers={"X-Request-ID": "get-request-0001", "Accept": "application/json"},
    )
    assert response.status_code == 200
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    server_side = [line for line in lines if line.get("logger") != "httpx"]  # httpx is this test's client
    [entry] = [line for line in server_side if line.get("event") == "request"]
    assert (entry["request_id"], entry["path"]) == ("get-request-0001", "/graphql")
    assert "s3cr3t-token" not in json.dumps(server_side)
