"""Persisted queries (SPEC 9; Strawberry has none).

Two modes, chosen by the `PERSISTED_QUERIES` setting:

* `apq` (default): Apollo's automatic persisted queries. A request may carry
  `extensions.persistedQuery = {version: 1, sha256Hash}` instead of the query
  text. An unknown hash answers the `PersistedQueryNotFound` error; the client
  then sends the text with the hash, which is checked and stored, and later
  requests send the hash alone. The store is an LRU bounded by entries and bytes,
  and a document over the size limit runs without being stored (issue 13): in
  memory per server process, or in Redis when `REDIS_URL` is set. A miss only
  costs the client one round trip.
* `registered`: only the documents of the manifest file
  (`PERSISTED_QUERIES_MANIFEST`, made by `ownerhub persisted-queries`) run, by
  hash or by their exact text; anything else is refused before parsing.
* `off`: plain requests only; a `persistedQuery` extension is refused.

The manifest uses Apollo's format (`apollo-persisted-query-manifest`, version 1),
so a manifest made by Apollo's own generator works too.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

from graphql import FragmentSpreadNode, GraphQLError, OperationDefinitionNode, Visitor, parse, visit
from strawberry.extensions import SchemaExtension

from domain.errors import TopLevelErrorCode

MANIFEST_FORMAT = "apollo-persisted-query-manifest"


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


class PersistedQueryError(GraphQLError):
    def __init__(self, message: str, code: TopLevelErrorCode) -> None:
        super().__init__(message, extensions={"code": code})


def not_found() -> PersistedQueryError:
    # Apollo clients look for this message or code and retry with the text.
    return PersistedQueryError("PersistedQueryNotFound", TopLevelErrorCode.PERSISTED_QUERY_NOT_FOUND)


@dataclass(frozen=True)
class ApqLimits:
    """Bounds of the automatic persisted query store (issue 13: anonymous clients
    registering distinct 1 MB documents grew the server without bound). A document
    longer than `max_document_bytes` runs but is not stored; past `max_entries` or
    `max_bytes`, the least recently used documents are dropped."""

    max_entries: int = 2_000
    max_bytes: int = 16 * 1024 * 1024
    max_document_bytes: int = 64 * 1024


class AutomaticPersistedQueryStore:
    """A bounded, thread-safe in-memory LRU of hash -> document text, for one
    server process. Bytes are counted as the memory each text takes."""

    def __init__(self, limits: ApqLimits = ApqLimits()) -> None:
        self.limits = limits
        self._items: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> tuple[int, int]:
        """(entries, bytes) held now."""
        with self._lock:
            return len(self._items), self._bytes

    async def get(self, digest: str) -> str | None:
        with self._lock:
            text = self._items.get(digest)
            if text is not None:
                self._items.move_to_end(digest)
            return text

    async def put(self, digest: str, text: str) -> None:
        if len(text.encode("utf-8")) > self.limits.max_document_bytes:
            return
        with self._lock:
            if digest in self._items:
                self._items.move_to_end(digest)
                return
            self._items[digest] = text
            self._bytes += sys.getsizeof(text)
            while len(self._items) > self.limits.max_entries or self._bytes > self.limits.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= sys.getsizeof(dropped)


# Stores one document and evicts the least recently used until both bounds hold,
# atomically. KEYS: the documents' hash key, the recency sorted set, the byte
# counter. ARGV: digest, text, max entries, max bytes, a recency score.
_REDIS_PUT = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
local total = redis.call('INCRBY', KEYS[3], string.len(ARGV[2]))
local entries = redis.call('ZCARD', KEYS[2])
while entries > tonumber(ARGV[3]) or total > tonumber(ARGV[4]) do
  local oldest = redis.call('ZPOPMIN', KEYS[2])
  if #oldest == 0 then break end
  local text = redis.call('HGET', KEYS[1], oldest[1])
  if text then
    total = redis.call('DECRBY', KEYS[3], string.len(text))
    redis.call('HDEL', KEYS[1], oldest[1])
  end
  entries = entries - 1
end
return 1
"""


class RedisPersistedQueryStore:
    """The same bounded LRU in Redis, shared by every server process: a hash of
    the documents, a sorted set of their last use, and a byte counter, changed
    together by one script."""

    def __init__(self, client, prefix: str, limits: ApqLimits = ApqLimits()) -> None:
        self.limits = limits
        self._client = client
        self._keys = [f"{prefix}:apq:documents", f"{prefix}:apq:recency", f"{prefix}:apq:bytes"]
        self._put = client.register_script(_REDIS_PUT)

    @property
    def keys(self) -> list[str]:
        return list(self._keys)

    async def get(self, digest: str) -> str | None:
        text = await self._client.hget(self._keys[0], digest)
        if text is None:
            return None
        await self._client.zadd(self._keys[1], {digest: time.time()})
        return text.decode("utf-8") if isinstance(text, bytes) else text

    async def put(self, digest: str, text: str) -> None:
        encoded = text.encode("utf-8")
        if len(encoded) > self.limits.max_document_bytes:
            return
        await self._put(
            keys=self._keys,
            args=[digest, encoded, self.limits.max_entries, self.limits.max_bytes, time.time()],
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def apq_store_from_settings(settings) -> AutomaticPersistedQueryStore | RedisPersistedQueryStore:
    """In Redis when `REDIS_URL` is set (shared by the processes), else in memory."""
    limits = ApqLimits(settings.APQ_MAX_ENTRIES, settings.APQ_MAX_BYTES, settings.APQ_MAX_DOCUMENT_BYTES)
    if settings.REDIS_URL:
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(settings.REDIS_URL.removeprefix("async+"))
        return RedisPersistedQueryStore(client, settings.REDIS_KEY_PREFIX, limits)
    return AutomaticPersistedQueryStore(limits)


# The store of a schema executed outside a server (tools, tests of the schema).
DEFAULT_APQ_STORE = AutomaticPersistedQueryStore()


@dataclass(frozen=True)
class Manifest:
    documents: dict[str, str]  # sha256 -> body


_manifests: dict[str, tuple[float, Manifest]] = {}
_manifest_lock = threading.Lock()


def load_manifest(path: str | os.PathLike) -> Manifest:
    """The manifest at `path`, re-read when the file changes. A missing or broken
    manifest in `registered` mode is a configuration error: it raises."""
    path = str(path)
    mtime = os.stat(path).st_mtime
    with _manifest_lock:
        cached = _manifests.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != MANIFEST_FORMAT or data.get("version") != 1:
        raise ValueError(f"{path} is not an {MANIFEST_FORMAT} (version 1)")
    documents = {}
    for operation in data["operations"]:
        body = operation["body"]
        if sha256_hex(body) != operation["id"]:
            raise ValueError(f"{path}: the id of operation {operation.get('name')!r} is not the SHA-256 of its body")
        documents[operation["id"]] = body
    manifest = Manifest(documents)
    with _manifest_lock:
        _manifests[path] = (mtime, manifest)
    return manifest


def registered_document(settings, digest: str | None, query: str | None) -> str | None:
    """In `registered` mode, the manifest's document (as it is now: the file is
    re-read when it changes) that a request names by its hash or by its text; None
    when the manifest holds no such document, or holds it with another text."""
    key = digest if digest is not None else (sha256_hex(query) if query else None)
    registered = load_manifest(settings.PERSISTED_QUERIES_MANIFEST).documents.get(key) if key else None
    if registered is None or (query and query != registered):
        return None
    return registered


def runs_as_sent(settings, query: str) -> bool:
    """Whether the persisted-query mode lets a plain-text document run: in
    `registered` mode only a document of the manifest, in the other modes any."""
    return settings.PERSISTED_QUERIES != "registered" or registered_document(settings, None, query) is not None


def build_manifest(documents: Iterable[str]) -> dict:
    """A manifest entry per operation. Each operation is stored as a document of
    its own with the fragments it uses, the way Apollo's generator does."""
    operations = []
    seen: set[str] = set()
    for source in documents:
        document = parse(source)
        fragments = {d.name.value: d for d in document.definitions if not isinstance(d, OperationDefinitionNode)}
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            if definition.name is None:
                raise ValueError("every registered operation needs a name")
            used = _fragments_used(definition, fragments)
            body = "\n\n".join(_source_of(node, source) for node in [definition, *used])
            digest = sha256_hex(body)
            if digest in seen:
                continue
            seen.add(digest)
            operations.append(
                {"id": digest, "name": definition.name.value, "type": definition.operation.value, "body": body}
            )
    operations.sort(key=lambda op: (op["name"], op["id"]))
    return {"format": MANIFEST_FORMAT, "version": 1, "operations": operations}


def _source_of(node, source: str) -> str:
    return source[node.loc.start : node.loc.end]


def _fragments_used(definition, fragments: dict) -> list:
    """The fragments an operation spreads, directly or through other fragments."""
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_):
            names.append(node.name.value)

    pending = [definition]
    done: list[str] = []
    while pending:
        names.clear()
        visit(pending.pop(), Spreads())
        for name in names:
            if name not in done and name in fragments:
                done.append(name)
                pending.append(fragments[name])
    return [fragments[name] for name in sorted(done)]


def _persisted_hash(extensions: dict | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1 or not isinstance(
        persisted.get("sha256Hash"), str
    ):
        raise PersistedQueryError("Unsupported persisted query: expected version 1 and a sha256Hash.", TopLevelErrorCode.BAD_USER_INPUT)
    return persisted["sha256Hash"].lower()


def _store(execution_context):
    return getattr(execution_context.context, "apq_store", None) or DEFAULT_APQ_STORE


class PersistedQueries(SchemaExtension):
    """Fills in or checks the document before it is parsed (on_operation runs first)."""

    async def on_operation(self) -> AsyncIterator[None]:
        execution_context = self.execution_context
        settings = getattr(execution_context.context, "settings", None)
        mode = settings.PERSISTED_QUERIES if settings is not None else "apq"
        digest = _persisted_hash(execution_context.operation_extensions)
        query = execution_context.query
        if mode == "registered":
            registered = registered_document(settings, digest, query)
            if registered is None:
                raise PersistedQueryError(
                    "This server runs only registered operations.", TopLevelErrorCode.PERSISTED_QUERY_NOT_ALLOWED
                )
            execution_context.query = registered
        elif digest is not None:
            if mode == "off":
                raise PersistedQueryError("Persisted queries are not supported.", TopLevelErrorCode.PERSISTED_QUERY_NOT_SUPPORTED)
            if query:
                if sha256_hex(query) != digest:
                    raise PersistedQueryError("provided sha does not match query", TopLevelErrorCode.PERSISTED_QUERY_HASH_MISMATCH)
                await _store(execution_context).put(digest, query)
            else:
                stored = await _store(execution_context).get(digest)
                if stored is None:
                    raise not_found()
                execution_context.query = stored
        yield
