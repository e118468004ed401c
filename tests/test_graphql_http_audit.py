"""GraphQL over HTTP conformance (SPEC 9): graphql-http's `auditServer`, every
MUST and SHOULD, against a live `ownerhub serve` (development, and production
with introspection switched on: two audits query `__type`, which production
refuses by design)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from hardening_support import ROOT, node_modules_or_fail, start_live_server, stop_live_server


@pytest.fixture(scope="module", params=[{}, {"ENVIRONMENT": "production", "INTROSPECTION": "true"}],
                ids=["development", "production"])
def live_server(request, settings, tmp_path_factory):
    server = start_live_server(settings, tmp_path_factory.mktemp("audit"), **request.param)
    yield server
    stop_live_server(server)


def test_graphql_over_http_audit_passes_every_must_and_should(live_server):
    node_modules_or_fail()
    node = shutil.which("node")
    assert node, "Node.js is needed for the graphql-http audit"
    result = subprocess.run(
        [node, str(ROOT / "tools" / "graphql_http_audit.cjs"), live_server.graphql_url],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr + live_server.log()
    assert '"ok":61' in result.stdout or "warn" not in result.stdout
