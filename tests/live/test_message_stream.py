"""Real time across real app processes: uvicorn subprocesses on loopback, a real database.

On PostgreSQL two app processes share one database: the young person writes to one,
the guide listens on the other, and the message must arrive within a second — also
after the guide's process was killed and started again (the reconnect replays from the
event log with Last-Event-ID). On SQLite one process serves both.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import utcnow
from app.db import make_engine
from app.models import AuditRecord, Role
from app.paths import ROOT_DIR
from app.security.sessions import start_session
from app.services.client_keys import new_client_key
from tests.browser.conftest import _free_port, _wait_ready
from tests.database import create_database, drop_database, migrate
from tests.factories.people import make_user, make_youth, user_of

SECRET = "live-test-secret-key-0123456789abcdef-xyz"


@dataclass
class World:
    database_url: str
    youth_id: int
    youth_token: str
    guide_token: str


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        url = create_database(server_url, f"trinvis_l_{uuid.uuid4().hex[:10]}")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    migrate(url)
    yield url
    if server_url:
        drop_database(server_url, make_url(url).database or "")


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    engine = make_engine(database)
    now = utcnow()
    async with AsyncSession(engine, expire_on_commit=False) as db:
        guide = await make_user(db, Role.guide, name="Camilla Holm")
        youth = await make_youth(db, guide=guide, name="Sara Nielsen")
        youth_token = await start_session(db, user=await user_of(db, youth), now=now)
        guide_token = await start_session(db, user=guide, now=now)
        await db.commit()
    await engine.dispose()
    assert youth.id is not None
    yield World(database, youth.id, youth_token, guide_token)


class AppProcess:
    def __init__(self, database_url: str, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.log_path = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "TRINVIS_ENV": "test",
            "TRINVIS_PUBLIC_BASE_URL": self.url,
            "TRINVIS_SECRET_KEY": SECRET,
            "TRINVIS_RUN_WORKER_IN_PROCESS": "false",
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

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def processes(database_url: str, tmp_path: Path, count: int) -> Iterator[list[AppProcess]]:
    apps = [AppProcess(database_url, tmp_path / f"app{i}.log") for i in range(count)]
    try:
        for app in apps:
            app.start()
        yield apps
    finally:
        for app in apps:
            app.kill()


class Stream:
    """A Server-Sent Events client that keeps the id of the last event it saw."""

    def __init__(self, base_url: str, token: str, path: str) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url, cookies={"trinvis_session": token}, timeout=None
        )
        self.path = path
        self.events: asyncio.Queue[tuple[str, str, str | None]] = asyncio.Queue()
        self.last_id: str | None = None
        self.task: asyncio.Task | None = None

    async def open(self) -> None:
        headers = {"Last-Event-ID": self.last_id} if self.last_id else {}
        opened = asyncio.get_running_loop().create_future()

        async def read() -> None:
            async with self.client.stream("GET", self.path, headers=headers) as response:
                assert response.status_code == 200
                opened.set_result(True)
                event, data, event_id = "message", [], None
                async for line in response.aiter_lines():
                    if line == "":
                        if data:
                            if event_id:
                                self.last_id = event_id
                            await self.events.put((event, "\n".join(data), event_id))
                        event, data, event_id = "message", [], None
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].lstrip())
                    elif line.startswith("id:"):
                        event_id = line[3:].strip()

        self.task = asyncio.create_task(read())
        await asyncio.wait_for(opened, timeout=10)

    async def wait_for(self, event: str, text: str, within: float) -> float:
        started = time.monotonic()
        deadline = started + within
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {event!r} with {text!r} within {within} s")
            name, data, _ = await asyncio.wait_for(self.events.get(), remaining)
            if name == event and text in data:
                return time.monotonic() - started

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
        await self.client.aclose()


async def youth_sends(base_url: str, token: str, text: str) -> float:
    """Post a message as the young person (with CSRF cookie and header).

    Returns when the send began: the moment the young person taps "Send", after the
    phone already has its page (and CSRF token), which the latency is measured from.
    """
    async with httpx.AsyncClient(base_url=base_url, cookies={"trinvis_session": token}) as http:
        await http.get("/offline")
        csrf = http.cookies["trinvis_csrf"]
        tapped = time.monotonic()
        response = await http.post(
            "/messages",
            data={"body": text, "client_key": new_client_key()},
            headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
        )
        assert response.status_code == 200, response.text
    return tapped


async def test_message_reaches_the_guide_on_the_same_process_within_a_second(world, tmp_path):
    with processes(world.database_url, tmp_path, 1) as (app,):
        guide = Stream(app.url, world.guide_token, f"/messages/events?youth={world.youth_id}")
        await guide.open()
        try:
            sent = await youth_sends(app.url, world.youth_token, "Hej Camilla, er du der?")
            waited = await guide.wait_for("message", "Hej Camilla, er du der?", within=1.0)
            assert time.monotonic() - sent < 1.0 and waited < 1.0
            await youth_sends(app.url, world.youth_token, "Og en til")
            await guide.wait_for("message", "Og en til", within=1.0)
        finally:
            await guide.close()
        # Opening the stream is opening the conversation: one audit record, not one a message.
        assert await stream_audits(world) == 1


async def stream_audits(world: World) -> int:
    engine = make_engine(world.database_url)
    try:
        async with AsyncSession(engine) as db:
            rows = await db.exec(
                select(func.count())
                .select_from(AuditRecord)
                .where(
                    col(AuditRecord.youth_id) == world.youth_id,
                    col(AuditRecord.action) == "messages.view",
                )
            )
            return rows.one()
    finally:
        await engine.dispose()


@pytest.mark.postgres_only
async def test_message_crosses_app_processes_within_a_second_also_after_a_restart(world, tmp_path):
    if not world.database_url.startswith("postgresql"):
        pytest.skip("fan-out across processes needs PostgreSQL (LISTEN/NOTIFY)")
    with processes(world.database_url, tmp_path, 2) as (youth_app, guide_app):
        path = f"/messages/events?youth={world.youth_id}"
        guide = Stream(guide_app.url, world.guide_token, path)
        inbox = Stream(guide_app.url, world.guide_token, "/messages/events")
        await guide.open()
        await inbox.open()
        try:
            sent = await youth_sends(youth_app.url, world.youth_token, "Første besked")
            await guide.wait_for("message", "Første besked", within=1.0)
            assert time.monotonic() - sent < 1.0
            await inbox.wait_for("inbox", "", within=1.0)

            # The guide's process dies; a message is written meanwhile on the other one.
            guide_app.kill()
            await guide.close()
            await youth_sends(youth_app.url, world.youth_token, "Skrevet mens du var væk")
            guide_app.start()
            again = Stream(guide_app.url, world.guide_token, path)
            again.last_id = guide.last_id  # what a browser sends as Last-Event-ID
            await again.open()
            try:
                await again.wait_for("message", "Skrevet mens du var væk", within=1.0)
                sent = await youth_sends(youth_app.url, world.youth_token, "Efter genstart")
                await again.wait_for("message", "Efter genstart", within=1.0)
                assert time.monotonic() - sent < 1.0
            finally:
                await again.close()
        finally:
            await guide.close()
            await inbox.close()
