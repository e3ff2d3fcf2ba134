"""Browser tests: the real app under uvicorn on a free port, driven by Debian's Chromium.

Every page a test visits is screenshotted under .artifacts/screenshots/ and checked
with axe-core (our vendored copy); any WCAG 2.1 A/AA violation fails the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.clock import is_set as clock_is_set
from app.clock import utcnow
from app.paths import ROOT_DIR, STATIC_DIR
from tests.database import create_database, drop_database

CHROMIUM = os.environ.get("TRINVIS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def axe_script() -> Path:
    return next(STATIC_DIR.glob("vendor/axe-core-*/axe.min.js"))


class LiveServer:
    def __init__(self, url: str, database_url: str) -> None:
        self.url = url
        self.database_url = database_url


def _no_browser() -> None:
    """Skip where Chromium is missing on a developer's machine; never in CI.

    CI (`.ci/run`, which sets CI=true) installs Debian's chromium first, so a missing
    browser there is a broken set-up, and must not pass as a run without browser tests.
    """
    message = f"Chromium is not installed at {CHROMIUM} (.ci/run installs it)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not Path(CHROMIUM).exists():
        _no_browser()
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        database_url = create_database(server_url, f"trinvis_b_{uuid.uuid4().hex[:10]}")
    else:
        database_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TRINVIS_ENV": "test",
        "TRINVIS_DEMO_MODE": "1",
        "TRINVIS_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TRINVIS_SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
    }
    trinvis = [sys.executable, "-m", "app.cli"]
    subprocess.run([*trinvis, "migrate"], env=env, check=True, cwd=ROOT_DIR)
    subprocess.run([*trinvis, "demo"], env=env, check=True, cwd=ROOT_DIR)
    log = (tmp_path_factory.mktemp("live") / "server.log").open("w")
    process = subprocess.Popen(
        [*trinvis, "serve", "--port", str(port)], env=env, cwd=ROOT_DIR, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield LiveServer(url, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        if server_url:
            drop_database(server_url, make_url(database_url).database or "")


# Generous: a loaded 2-core machine has taken more than 30 s to start the app and load
# the demo; a slow start is not what these tests test.
READY_WITHIN_SECONDS = 90


def _wait_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the app process stopped during start-up")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the app did not become ready within {READY_WITHIN_SECONDS} s")


@pytest.fixture(scope="session")
async def browser(live_server: LiveServer):
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def phone(browser) -> AsyncIterator:
    """A page on a 360 px wide phone screen, in Danish."""
    context = await browser.new_context(viewport=PHONE, locale="da-DK", has_touch=True)
    page = await context.new_page()
    yield page
    await context.close()


@pytest.fixture
async def desktop(browser) -> AsyncIterator:
    context = await browser.new_context(viewport=DESKTOP, locale="da-DK")
    page = await context.new_page()
    yield page
    await context.close()


@pytest.fixture(scope="session")
def screenshots_dir(artifacts_dir: Path) -> Path:
    """.artifacts/screenshots/ (emptied once per run, see tests/conftest.py); in a
    time-travel run, .artifacts/time-travel/<instant>/, one folder per instant."""
    if not clock_is_set():
        path = artifacts_dir / "screenshots"
    else:
        path = artifacts_dir / "time-travel" / utcnow().strftime("%Y-%m-%dT%H%M")
        shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def check_page(screenshots_dir: Path):
    """Screenshot the page and fail on any WCAG 2.1 A/AA violation axe-core finds."""

    async def check(page, name: str) -> None:
        await page.wait_for_load_state("networkidle")
        await page.screenshot(path=str(screenshots_dir / f"{name}.png"), full_page=True)
        # Served by the app itself, so the page's CSP (script-src 'self') allows it.
        await page.add_script_tag(url="/static/" + axe_script().relative_to(STATIC_DIR).as_posix())
        result = await page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:5])
            for v in result["violations"]
        ]
        assert not violations, f"axe-core on {name}:\n" + json.dumps(violations, indent=2)

    return check


async def demo_sign_in(page, server: LiveServer, role: str, index: int = 0) -> None:
    """Sign in through the demo buttons on the login page, as a person would."""
    await page.goto(f"{server.url}/login")
    await page.locator(f'button[data-role="{role}"]').nth(index).click()
    await page.wait_for_url(f"{server.url}/")


@contextlib.contextmanager
def run_live_server(
    tmp_path_factory: pytest.TempPathFactory, port: int, host: str, extra_env: dict[str, str]
) -> Iterator[LiveServer]:
    """The app under uvicorn on `port`, with the demo, reached as http://<host>:<port>."""
    if not Path(CHROMIUM).exists():
        _no_browser()
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        database_url = create_database(server_url, f"trinvis_b_{uuid.uuid4().hex[:10]}")
    else:
        database_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
    url = f"http://{host}:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TRINVIS_ENV": "test",
        "TRINVIS_DEMO_MODE": "1",
        "TRINVIS_PUBLIC_BASE_URL": url,
        "TRINVIS_SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        **extra_env,
    }
    trinvis = [sys.executable, "-m", "app.cli"]
    subprocess.run([*trinvis, "migrate"], env=env, check=True, cwd=ROOT_DIR)
    subprocess.run([*trinvis, "demo"], env=env, check=True, cwd=ROOT_DIR)
    log = (tmp_path_factory.mktemp("live") / "server.log").open("w")
    process = subprocess.Popen(
        [*trinvis, "serve", "--port", str(port)], env=env, cwd=ROOT_DIR, stdout=log, stderr=log
    )
    try:
        _wait_ready(f"http://127.0.0.1:{port}", process)
        yield LiveServer(url, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        if server_url:
            drop_database(server_url, make_url(database_url).database or "")


@pytest.fixture
def oidc_live_server(tmp_path_factory, oidc_provider_factory) -> Iterator[tuple[LiveServer, Any]]:
    """A live app whose staff sign-in goes to a real OIDC provider registered for its port.

    Reached as http://localhost:<port>: a secure context for WebAuthn, and a valid
    passkey relying-party id (an IP address is not).
    """
    port = _free_port()
    base = f"http://localhost:{port}"
    provider = oidc_provider_factory(
        redirect_uris=[f"{base}/auth/oidc/callback"],
        post_logout_redirect_uris=[f"{base}/"],
        accounts=[
            {"sub": "camilla", "email": "camilla.holm@fjordby.example", "name": "Camilla Holm"}
        ],
    )
    env = {
        "TRINVIS_OIDC_ISSUER": provider.issuer,
        "TRINVIS_OIDC_CLIENT_ID": provider.client_id,
        "TRINVIS_OIDC_CLIENT_SECRET": provider.client_secret,
    }
    with run_live_server(tmp_path_factory, port, "localhost", env) as server:
        yield server, provider
