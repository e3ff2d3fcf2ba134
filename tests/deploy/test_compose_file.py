"""The production compose file, read as Docker would (Docker cannot run here).

Services and their order of start (the one-shot migration first), health checks (the
worker's own, not the image's HTTP check), restart policies, only Caddy facing the
network, forwarded headers trusted from Caddy's address only, and no secret in the file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.paths import ROOT_DIR
from app.settings import Settings

DEPLOY = ROOT_DIR / "deploy"
LONG_RUNNING = ("db", "app1", "app2", "worker", "caddy")
SECRET_WORDS = re.compile(r"SECRET|PASSWORD|TOKEN|PRIVATE_KEY|DATABASE_URL")


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())  # resolves the `<<:` merges like compose


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load(DEPLOY / "compose.yml")


def environment(service: dict[str, Any]) -> dict[str, str]:
    found = service.get("environment") or {}
    if isinstance(found, list):
        found = dict(item.split("=", 1) for item in found)
    return {str(k): str(v) for k, v in found.items()}


def test_the_services_start_in_order_behind_the_one_shot_migration(compose):
    services = compose["services"]
    assert set(services) == {"db", "migrate", "app1", "app2", "worker", "caddy"}
    assert services["migrate"]["command"][-1] == "migrate"
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("app1", "app2", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["db"] == {"condition": "service_healthy"}, name
        assert "migrate" not in " ".join(services[name]["command"]), name
    assert services["app1"]["command"][-5:] == ["serve", "--host", "0.0.0.0", "--port", "8000"]
    assert services["worker"]["command"][-1] == "worker"


def test_restart_policies_keep_services_up_and_the_migration_one_shot(compose):
    services = compose["services"]
    for name in LONG_RUNNING:
        assert services[name]["restart"] in ("unless-stopped", "always"), name
    # A migration that succeeded must not run again and again; a failed one retries.
    assert services["migrate"]["restart"].startswith("on-failure")


def test_every_service_has_its_own_health_check(compose):
    services = compose["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    for name in ("app1", "app2"):
        assert "/readyz" in " ".join(services[name]["healthcheck"]["test"]), name
    worker = services["worker"]["healthcheck"]["test"]
    assert worker[-2:] == ["worker", "--check"]
    assert "8000" not in " ".join(worker)  # not the image's HTTP check
    assert services["migrate"]["healthcheck"] == {"disable": True}
    assert "2019" in " ".join(services["caddy"]["healthcheck"]["test"])
    for name in ("app1", "app2", "worker"):
        grace = int(str(services[name]["stop_grace_period"]).rstrip("s"))
        assert grace >= 10, name


def test_only_caddy_faces_the_network_and_the_apps_trust_only_caddy(compose):
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"caddy"}
    caddy_ip = services["caddy"]["networks"]["backend"]["ipv4_address"]
    for name in ("app1", "app2"):
        assert environment(services[name])["TRINVIS_FORWARDED_ALLOW_IPS"] == caddy_ip
    caddy_env = environment(services["caddy"])
    assert caddy_env["TRINVIS_UPSTREAMS"].split() == ["app1:8000", "app2:8000"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]


def test_no_secret_is_written_in_the_compose_files(compose):
    known = {f"TRINVIS_{name.upper()}" for name in Settings.model_fields} | {"DATABASE_URL"}
    for name, service in compose["services"].items():
        env = environment(service)
        mounted = set(service.get("secrets", []))
        for key, value in env.items():
            if not SECRET_WORDS.search(key):
                continue
            assert key.endswith("_FILE"), f"{name}: {key} is written in the file"
            assert value.startswith("/run/secrets/"), f"{name}: {key}"
            assert value.removeprefix("/run/secrets/") in mounted, f"{name}: {key}"
            if key.startswith("TRINVIS_") or key.startswith("DATABASE_URL"):
                assert key.removesuffix("_FILE") in known, f"{name}: {key} is no setting"
    for secret in compose["secrets"].values():
        assert set(secret) == {"file"} and secret["file"].startswith("./secrets/")
    ignored = (DEPLOY / ".gitignore").read_text().split()
    assert {"secrets/", "trinvis.env", ".env"} <= set(ignored)


def test_the_trial_compose_file_waits_for_its_migration_too():
    services = load(ROOT_DIR / "docker-compose.yml")["services"]
    for name in ("app", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert services[name]["restart"] == "unless-stopped"
    assert services["worker"]["healthcheck"]["test"][-2:] == ["worker", "--check"]


def test_the_image_runs_as_a_user_and_leaves_migrations_to_the_migrate_service():
    dockerfile = (ROOT_DIR / "Dockerfile").read_text()
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    command = re.findall(r"^CMD (.+)$", dockerfile, flags=re.MULTILINE)[-1]
    assert "serve" in command and "migrate" not in command


def test_the_caddyfile_streams_messages_unbuffered():
    if shutil.which("caddy") is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("caddy is missing")
        pytest.skip("needs caddy")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TRINVIS_TLS": "it@example.dk",
        "TRINVIS_UPSTREAMS": "app1:8000 app2:8000",
        "TRINVIS_SITE": "trinvis.example.dk",
    }
    adapted = subprocess.run(
        ["caddy", "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    text = adapted.stdout
    config = json.loads(text)
    proxies = list(_handlers(config, "reverse_proxy"))
    assert len(proxies) == 2
    streaming = [p for p in proxies if p.get("flush_interval") == -1]
    assert len(streaming) == 1
    assert [u["dial"] for u in streaming[0]["upstreams"]] == ["app1:8000", "app2:8000"]
    assert '"/messages/events"' in text
    server = next(iter(config["apps"]["http"]["servers"].values()))
    assert server["listen"] == [":443"]
    assert "trusted_proxies" not in server  # Caddy is the edge: it trusts no client headers


def _handlers(node: Any, name: str) -> Any:
    if isinstance(node, dict):
        if node.get("handler") == name:
            yield node
        for value in node.values():
            yield from _handlers(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from _handlers(value, name)
