"""The container image and compose.yaml (issue 17), checked the way a machine without
a container runtime can: the Dockerfile linted with hadolint, compose.yaml validated
and resolved by the Compose CLI (`docker compose config`), and both held to
docs/deploy.md. tests/fleet/test_compose_processes.py runs compose.yaml's commands."""

from __future__ import annotations

import re
import subprocess

from compose_support import ROOT, TOOLS, compose_config, resolved_compose

DOCKERFILE = ROOT / "Dockerfile"


def test_the_dockerfile_passes_hadolint():
    run = subprocess.run([str(TOOLS / "hadolint"), "--no-color", str(DOCKERFILE)],
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout) == (0, ""), run.stdout + run.stderr


def test_the_image_is_slim_non_root_serves_and_checks_its_health():
    instructions = [line for line in DOCKERFILE.read_text().splitlines() if line and not line.startswith(("#", " "))]
    assert re.fullmatch(r"FROM python:3\.11-slim-\w+", instructions[0])
    [user] = [line for line in instructions if line.startswith("USER ")]
    assert user.split()[1].split(":")[0] not in ("0", "root")
    assert 'pip install --no-cache-dir "/src[otel,s3]"' in DOCKERFILE.read_text()  # the checkout, as a package
    assert "/healthz" in DOCKERFILE.read_text().split("HEALTHCHECK", 1)[1]
    [command] = [line for line in instructions if line.startswith("CMD ")]
    assert command.startswith('CMD ["ownerhub", "serve"')


def test_compose_yaml_is_valid_for_the_compose_specification():
    run = compose_config("--quiet", POSTGRES_PASSWORD="example")
    assert (run.returncode, run.stderr) == (0, "")


def test_two_servers_one_sender_postgresql_and_redis_with_the_settings_of_the_deploy_guide():
    services = resolved_compose(POSTGRES_PASSWORD="example")["services"]
    assert set(services) == {"migrate", "server", "outbox-sender", "postgres", "redis"}
    assert services["server"]["deploy"]["replicas"] == 2
    assert services["server"]["command"][:2] == ["ownerhub", "serve"]
    assert services["outbox-sender"]["command"] == ["ownerhub", "send-outbox", "--forever"]
    assert services["migrate"]["command"] == ["ownerhub", "migrate"]
    for name in ("server", "outbox-sender"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for name in ("migrate", "server", "outbox-sender"):
        environment = services[name]["environment"]
        assert environment["OUTBOX_WORKER"] == "external" and environment["ENVIRONMENT"] == "production"
        undocumented = [setting for setting in environment if f"`{setting}`" not in guide and f"{setting}=" not in guide]
        assert undocumented == [], f"{name}: settings missing from docs/deploy.md"
