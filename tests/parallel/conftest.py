"""Real parallel requests: the app as it runs, one session and transaction per request.

The `client` fixture shares one rolled-back transaction between all its requests, so
they can never race. Here the app keeps its own session dependency (`get_session`: a
transaction per request, the SQLite writer queue) on a database of its own, built by
the migrations once per test process. Tests commit, so each builds its own people.
Each browser has a client address of its own: requests from one IP would queue behind
each other on the rate limiter's counter row and never race.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import utcnow
from app.db import dispose_engine, make_engine
from app.main import create_app
from app.models import User
from app.security.sessions import cookie_name, start_session
from app.settings import Settings, get_settings
from tests.conftest import BASE_URL
from tests.database import create_database, drop_database, migrate

PARALLEL = 10
_addresses = itertools.count(1)


@pytest.fixture(scope="session")
def parallel_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database only these tests write to (they commit)."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        url = create_database(server_url, f"trinvis_p_{uuid.uuid4().hex[:10]}")
        migrate(url)
        yield url
        drop_database(server_url, make_url(url).database or "")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('parallel') / 'trinvis.db'}"
        migrate(url)
        yield url


@pytest.fixture
async def real_engine(parallel_database_url: str) -> AsyncIterator[AsyncEngine]:
    """For building the data and reading the outcome, outside the app's requests."""
    engine = make_engine(parallel_database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def real_app(
    parallel_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FastAPI]:
    """The app with its own `get_session`, on the parallel database."""
    # The app's engine is built from the settings (the environment) on first use.
    monkeypatch.setenv("TRINVIS_DATABASE_URL", parallel_database_url)
    get_settings.cache_clear()
    await dispose_engine()
    settings = Settings(
        env="test",
        demo_mode=True,
        database_url=parallel_database_url,
        public_base_url=BASE_URL,
        run_worker_in_process=False,
        secret_key="test-secret-key-with-enough-length-0123456789",
    )
    yield create_app(settings)
    await dispose_engine()
    get_settings.cache_clear()


@asynccontextmanager
async def committed(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose work is committed when the block ends."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session
        await session.commit()


@asynccontextmanager
async def http_client(app: FastAPI, user: User | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """A browser at an address of its own, signed in as `user` when given, with CSRF."""
    n = next(_addresses)
    address = f"10.9.{n // 250}.{n % 250 + 1}"
    # An unexpected error is a 500 answer here, as a browser would see it.
    transport = httpx.ASGITransport(app=app, client=(address, 40000), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        if user is not None:
            token = await _session_for(app, user)
            http.cookies.set(cookie_name(app.state.settings), token)
        await http.get("/offline")
        http.headers["X-CSRF-Token"] = http.cookies["trinvis_csrf"]
        yield http


@asynccontextmanager
async def http_clients(
    app: FastAPI, count: int, user: User | None = None
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """`count` browsers, each at its own address (so no per-IP counter lines them up)."""
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(http_client(app, user)) for _ in range(count)]


async def _session_for(app: FastAPI, user: User) -> str:
    engine = make_engine(app.state.settings.database_url)
    try:
        async with committed(engine) as db:
            return await start_session(db, user=user, now=utcnow())
    finally:
        await engine.dispose()


async def at_once(
    clients: list[httpx.AsyncClient],
    send: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
) -> list[httpx.Response]:
    """One request from each client, all at the same moment; the answers in that order."""
    return list(await asyncio.gather(*(send(http, n) for n, http in enumerate(clients))))


def statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(response.status_code for response in responses)
