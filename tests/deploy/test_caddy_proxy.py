"""The repo's own Caddyfile in front of two real app processes on PostgreSQL.

Debian's `caddy` runs `deploy/Caddyfile` with local values for its placeholders (site
`localhost`, TLS from Caddy's internal CA, free ports, the two apps as upstreams). Over
HTTPS (HTTP/2 by ALPN) a page loads with HSTS and `__Host-` cookies, and a message sent
through the proxy reaches two streams held through the proxy, one on each replica: the
message crosses replicas the way production does it (PostgreSQL LISTEN/NOTIFY).

Skips when caddy or PostgreSQL is missing, unless CI is set (then it fails). On the
SQLite pass of `make test` it skips: the PostgreSQL pass runs it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from app.db import make_engine
from app.paths import ROOT_DIR
from tests.browser.conftest import _free_port, _wait_ready
from tests.live.processes import start_all_async
from tests.live.test_message_stream import SECRET, AppProcess, Stream

CADDYFILE = ROOT_DIR / "deploy" / "Caddyfile"
pytestmark = pytest.mark.postgres_only


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_answers() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 5432)) == 0


@pytest.fixture
def caddy_and_postgres() -> None:
    missing = []
    if shutil.which("caddy") is None:
        missing.append("caddy")
    if not os.environ.get("TEST_DATABASE_URL"):
        if _in_ci() and _postgres_answers():
            pytest.skip("runs in the PostgreSQL pass")
        missing.append("PostgreSQL (TEST_DATABASE_URL)")
    if missing:
        message = f"needs {' and '.join(missing)}"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)


class ProxiedApp(AppProcess):
    """An app replica that believes forwarded headers from the proxy on 127.0.0.1."""

    def __init__(self, database_url: str, log: Path, public_url: str) -> None:
        super().__init__(database_url, log)
        self.public_url = public_url

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "TRINVIS_ENV": "test",
            "TRINVIS_PUBLIC_BASE_URL": self.public_url,
            "TRINVIS_SECRET_KEY": SECRET,
            "TRINVIS_RUN_WORKER_IN_PROCESS": "false",
            "TRINVIS_FORWARDED_ALLOW_IPS": "127.0.0.1",
        }
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)],
            env=env,
            cwd=ROOT_DIR,
            stdout=log,
            stderr=log,
        )
        _wait_ready(self.url, self.process)


class Caddy:
    def __init__(self, tmp_path: Path, upstreams: list[str]) -> None:
        self.https_port = _free_port()
        self.url = f"https://localhost:{self.https_port}"
        self.home = tmp_path / "caddy"
        self.home.mkdir()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "TRINVIS_SITE": "localhost",
            "TRINVIS_TLS": "internal",
            "TRINVIS_UPSTREAMS": " ".join(upstreams),
            "TRINVIS_HTTPS_PORT": str(self.https_port),
            "TRINVIS_HTTP_PORT": str(_free_port()),
            "TRINVIS_CADDY_ADMIN": f"127.0.0.1:{_free_port()}",
        }
        self.root = self.home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        self.log = (tmp_path / "caddy.log").open("w")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["caddy", "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("caddy stopped during start-up (see caddy.log)")
            if self.root.exists():
                try:
                    with httpx.Client(verify=self.tls()) as http:
                        if http.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                            return
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        raise RuntimeError("caddy did not answer over HTTPS within 60 s")

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.root))

    def negotiated_protocol(self) -> str | None:
        context = self.tls()
        context.set_alpn_protocols(["h2", "http/1.1"])
        with (
            socket.create_connection(("127.0.0.1", self.https_port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="localhost") as wrapped,
        ):
            return wrapped.selected_alpn_protocol()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class ProxiedStream(Stream):
    def __init__(self, caddy: Caddy, token: str, path: str) -> None:
        super().__init__(caddy.url, token, path)
        self.client = httpx.AsyncClient(
            base_url=caddy.url,
            cookies={"__Host-trinvis_session": token},
            timeout=None,
            verify=caddy.tls(),
        )


async def stream_processes(database_url: str) -> int:
    """How many app processes hold a stream (their presence rows, written every 2 s)."""
    engine = make_engine(database_url)
    try:
        deadline = time.monotonic() + 6
        while True:
            async with engine.connect() as connection:
                found = (
                    await connection.execute(
                        text("SELECT count(DISTINCT process_key) FROM realtime_presence")
                    )
                ).scalar_one()
            if found >= 2 or time.monotonic() > deadline:
                return int(found)
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def test_the_repos_caddyfile_serves_https_and_carries_messages_across_replicas(
    caddy_and_postgres, world, tmp_path
):
    first = ProxiedApp(world.database_url, tmp_path / "app1.log", "")
    second = ProxiedApp(world.database_url, tmp_path / "app2.log", "")
    caddy = Caddy(tmp_path, [f"127.0.0.1:{first.port}", f"127.0.0.1:{second.port}"])
    first.public_url = second.public_url = caddy.url
    streams: list[Stream] = []
    try:
        await start_all_async(first, second)
        caddy.start()
        assert caddy.negotiated_protocol() == "h2"

        async with httpx.AsyncClient(base_url=caddy.url, verify=caddy.tls(), cookies={}) as http:
            page = await http.get("/login")
            assert page.status_code == 200
            assert page.headers["strict-transport-security"].startswith("max-age=")
            cookies = page.headers.get_list("set-cookie")
            assert any(c.startswith("__Host-trinvis_csrf=") for c in cookies), cookies
            assert all("Secure" in c for c in cookies if c.startswith("__Host-"))

        # Two streams of the guide through the proxy: round robin puts one on each replica.
        path = f"/messages/events?youth={world.youth_id}"
        streams = [ProxiedStream(caddy, world.guide_token, path) for _ in range(2)]
        for stream in streams:
            await stream.open()

        async with httpx.AsyncClient(
            base_url=caddy.url,
            verify=caddy.tls(),
            cookies={"__Host-trinvis_session": world.youth_token},
        ) as http:
            await http.get("/offline")
            sent = await http.post(
                "/messages",
                data={"body": "Hej gennem proxyen", "client_key": "proxy-test-key-0001"},
                headers={
                    "X-CSRF-Token": http.cookies["__Host-trinvis_csrf"],
                    "Origin": caddy.url,
                    "HX-Request": "true",
                },
            )
            assert sent.status_code == 200, sent.text
        for stream in streams:
            await stream.wait_for("message", "Hej gennem proxyen", within=2.0)

        # Each replica holds one of the streams: both write the guide's presence.
        assert await stream_processes(world.database_url) == 2
    finally:
        for stream in streams:
            await stream.close()
        first.kill()  # first: Caddy then has no upstream connection to wait for
        second.kill()
        caddy.stop()
