"""The automatic persisted query store is bounded (issue 13: anonymous clients
registering distinct 1 MB documents grew the server by hundreds of MB): at most
APQ_MAX_ENTRIES documents and APQ_MAX_BYTES bytes, least recently used dropped
first, and a document over APQ_MAX_DOCUMENT_BYTES runs without being stored. The
same in memory and in Redis (shared by processes)."""

from __future__ import annotations

import hashlib
import uuid

import pytest
import redis.asyncio

from hardening_support import app_client

REDIS_URL = "redis://127.0.0.1:6379/0"


def document(name: str, padding: int = 0) -> str:
    return f"query {name} {{ __typename }}\n# {'x' * padding}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def register(client, text: str) -> dict:
    payload = {"query": text, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(text)}}}
    return (await client.post("/graphql", json=payload)).json()


async def by_hash(client, text: str) -> dict:
    payload = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(text)}}}
    return (await client.post("/graphql", json=payload)).json()


def found(answer: dict) -> bool:
    if answer.get("data") == {"__typename": "Query"}:
        return True
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND", answer
    return False


@pytest.fixture(params=["memory", "redis"])
async def bounded(request, settings):
    """A client of an app whose store holds 3 documents and 5 KB at most, and no
    document over 2 KB."""
    changes = {"APQ_MAX_ENTRIES": 3, "APQ_MAX_BYTES": 5_000, "APQ_MAX_DOCUMENT_BYTES": 2_000}
    if request.param == "redis":
        changes.update(REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=f"test-apq-{uuid.uuid4().hex[:8]}")
    async with app_client(settings, **changes) as client:
        yield client
        if request.param == "redis":
            cleanup = redis.asyncio.Redis.from_url(REDIS_URL)
            await cleanup.delete(*client.app.state.apq_store.keys)
            await cleanup.aclose()


async def test_a_document_over_the_size_limit_runs_but_is_not_stored(bounded):
    large = document("Large", padding=2_100)
    assert found(await register(bounded, large))
    assert not found(await by_hash(bounded, large))
    small = document("Small", padding=1_000)
    assert found(await register(bounded, small))
    assert found(await by_hash(bounded, small))


async def test_past_the_entry_limit_the_least_recently_used_document_goes(bounded):
    one, two, three, four = (document(f"Q{n}") for n in range(4))
    for text in (one, two, three):
        assert found(await register(bounded, text))
    assert found(await by_hash(bounded, one))  # used: now two is the least recent
    assert found(await register(bounded, four))
    assert [found(await by_hash(bounded, text)) for text in (one, two, three, four)] == [True, False, True, True]


async def test_past_the_byte_limit_the_oldest_documents_go(bounded):
    texts = [document(f"B{n}", padding=1_900) for n in range(3)]  # about 1.9 KB each: two fit in 5 KB, three do not
    for text in texts:
        assert found(await register(bounded, text))
    store = bounded.app.state.apq_store
    if hasattr(store, "size"):
        entries, size = store.size
        assert size <= 5_000 and entries == 2
    assert [found(await by_hash(bounded, text)) for text in texts] == [False, True, True]


async def test_a_flood_of_distinct_documents_stays_within_the_bounds(bounded):
    for n in range(40):
        assert found(await register(bounded, document(f"F{n}", padding=1_500)))
    hits = [found(await by_hash(bounded, document(f"F{n}", padding=1_500))) for n in range(40)]
    assert hits == [False] * 37 + [True] * 3
