"""Real clients against a live `ownerhub serve` (issue 14): the Node test project in
tests/clients/ (Apollo Client 3, apollo-upload-client, relay-compiler), installed by
tools/setup_node.sh and run with Node's own test runner. Each test here prepares the
actors and data, runs one `*.test.mjs` file, and fails (never skips) when Node or the
packages are missing. The live server uses the suite's database, SQLite or PostgreSQL."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid

import pytest
from PIL import Image

from conftest import make_active_owner, make_builder
from hardening_support import ROOT, start_live_server, stop_live_server
from models import Contact
from repository.uow import UnitOfWork

CLIENTS = ROOT / "tests" / "clients"
CONTACT_COUNT = 70
CACHE_OPTIONS = re.compile(r"new InMemoryCache\((\{.*?\n\s*\})\);", re.DOTALL)


def node_and_packages() -> str:
    node = shutil.which("node")
    assert node, "Node.js is needed for the client tests (tests/clients)"
    for package in ("@apollo/client", "apollo-upload-client", "relay-compiler", "graphql"):
        assert (CLIENTS / "node_modules" / package).is_dir(), (
            f"{package} is missing from tests/clients/node_modules: run tools/setup_node.sh (make assets)"
        )
    return node


def run_node_tests(node: str, test_file: str, env: dict[str, str], server) -> str:
    """Runs one test file; every test in it must pass, none skipped."""
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", test_file],
        cwd=CLIENTS, env={**os.environ, "OWNERHUB_GRAPHQL_URL": server.graphql_url, **env},
        capture_output=True, text=True, timeout=300, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output + server.log()
    counts = dict(re.findall(r"^# (pass|fail|skipped|todo|cancelled) (\d+)$", result.stdout, re.MULTILINE))
    assert int(counts.get("pass", 0)) > 0, output
    assert {key: counts.get(key) for key in ("fail", "skipped", "todo", "cancelled")} == dict.fromkeys(
        ("fail", "skipped", "todo", "cancelled"), "0"
    ), output
    return output


@pytest.fixture(scope="module")
def live_server(settings, tmp_path_factory):
    server = start_live_server(settings, tmp_path_factory.mktemp("clients"))
    yield server
    stop_live_server(server)


async def add_contacts(app, builder, count: int) -> None:
    async with UnitOfWork(app.state.session_factory) as uow:
        for n in range(count):
            email = f"client-{n}-{uuid.uuid4().hex[:6]}@example.com"
            uow.session.add(Contact(
                builder_account_id=builder.builder_account_id, first_name=f"First{n:02d}",
                last_name=f"Last{(n * 37) % count:02d}", primary_email=email, primary_email_key=email,
            ))
        await uow.commit()


async def test_apollo_client_pages_and_keeps_its_cache_true(app, client, live_server):
    node = node_and_packages()
    builder = await make_builder(app, client, "Apollo Homes")
    await add_contacts(app, builder, CONTACT_COUNT)
    owner, _ = await make_active_owner(app, client, builder)
    env = {"BUILDER_TOKEN": builder.token, "OWNER_TOKEN": owner.token, "CONTACT_COUNT": str(CONTACT_COUNT + 1)}
    run_node_tests(node, "apollo.test.mjs", env, live_server)


async def test_apollo_upload_client_uploads_with_the_documented_header(app, client, builder, live_server, tmp_path):
    node = node_and_packages()
    owner, _ = await make_active_owner(app, client, builder)
    image = tmp_path / "me.png"
    Image.new("RGB", (300, 300), (30, 120, 200)).save(image)
    run_node_tests(node, "upload.test.mjs", {"OWNER_TOKEN": owner.token, "IMAGE_PATH": str(image)}, live_server)


def test_relay_compiler_compiles_fragments_against_the_schema(live_server):
    node = node_and_packages()
    run_node_tests(node, "relay.test.mjs", {}, live_server)


def test_the_guide_recommends_the_cache_that_these_tests_run():
    """docs/api.md's Apollo Client cache is tests/clients/cache.mjs's, comments and
    indentation aside, so the guide says what the suite proves."""

    def options(text: str) -> str:
        found = CACHE_OPTIONS.search(text)
        assert found, "no `new InMemoryCache({...});`"
        return re.sub(r"\s+|//[^\n]*", "", found.group(1))

    guide = options((ROOT / "docs" / "api.md").read_text())
    assert guide == options((CLIENTS / "cache.mjs").read_text())
    assert "relayStylePagination" in guide and "merge:true" in guide
