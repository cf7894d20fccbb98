"""compose.yaml is valid for Docker Compose and wires Neo4j, Redis and the API, health-checked."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parents[1] / "compose.yaml"


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run(
            [docker, "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_file_is_valid() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_compose_services_have_health_checks() -> None:
    spec = yaml.safe_load(COMPOSE.read_text())
    services = spec["services"]
    assert set(services) == {"neo4j", "redis", "api"}
    assert services["neo4j"]["image"].startswith("neo4j:5.26")
    assert "127.0.0.1:7474:7474" in services["neo4j"]["ports"]
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
    assert services["api"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
