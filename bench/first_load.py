"""Benchmark: how heavy the young person's home page is on a first visit, compressed.

Starts the app (demo data, a scratch SQLite database, a free port), signs in as a
demo young person in Debian's Chromium, then opens "/" in a fresh browser context
that holds only the session cookie: an empty cache, as on a new phone. Chromium's
own network log gives the bytes each response took on the wire (headers and the
compressed body); the service worker's install (which fetches the app shell once more
for offline use, after the page has loaded) is not counted. Prints every response
and the total. Goal: under 40 KB.

    .venv/bin/python bench/first_load.py
    .venv/bin/python bench/first_load.py --url http://127.0.0.1:8000   # a running demo
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("TRINVIS_CHROMIUM", "/usr/bin/chromium")
GOAL_BYTES = 40 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_app(workdir: Path) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        "TRINVIS_ENV": "development",
        "TRINVIS_DEMO_MODE": "1",
        "TRINVIS_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TRINVIS_RUN_WORKER_IN_PROCESS": "0",
    }
    cli = [sys.executable, "-m", "app.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, cwd=ROOT, capture_output=True)
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return url, process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("the app did not start; see " + str(workdir / "server.log"))


async def measure(url: str) -> list[tuple[str, int, str]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        signing_in = await browser.new_context(locale="da-DK")
        page = await signing_in.new_page()
        await page.goto(f"{url}/login")
        await page.locator('button[data-role="youth"]').first.click()
        await page.wait_for_url(f"{url}/")
        cookies = await signing_in.cookies()
        await signing_in.close()

        # A new phone: the session cookie, nothing cached, no service worker yet.
        fresh = await browser.new_context(
            locale="da-DK", viewport={"width": 360, "height": 780}, service_workers="block"
        )
        await fresh.add_cookies(cookies)  # type: ignore[arg-type]
        page = await fresh.new_page()
        cdp = await fresh.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        urls: dict[str, tuple[str, str]] = {}
        loaded: list[tuple[str, int, str]] = []

        def on_response(event: dict[str, Any]) -> None:
            response = event["response"]
            encoding = response.get("headers", {}).get("content-encoding", "")
            urls[event["requestId"]] = (response["url"], encoding)

        def on_finished(event: dict[str, Any]) -> None:
            if event["requestId"] in urls:
                address, encoding = urls[event["requestId"]]
                loaded.append((address, int(event["encodedDataLength"]), encoding))

        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.loadingFinished", on_finished)
        await page.goto(f"{url}/", wait_until="networkidle")
        await browser.close()
        return loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="measure a running demo instead of starting one")
    args = parser.parse_args()
    process = None
    with tempfile.TemporaryDirectory() as workdir:
        url = args.url
        if url is None:
            url, process = start_app(Path(workdir))
        try:
            loaded = asyncio.run(measure(url))
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
    total = sum(size for _, size, _ in loaded)
    for address, size, encoding in sorted(loaded, key=lambda row: -row[1]):
        print(f"{size / 1024:7.1f} KB  {encoding or 'identity':8}  {address.removeprefix(url)}")
    verdict = "under" if total < GOAL_BYTES else "OVER"
    print(f"{total / 1024:7.1f} KB  in all, {len(loaded)} responses ({verdict} the 40 KB goal)")


if __name__ == "__main__":
    main()
