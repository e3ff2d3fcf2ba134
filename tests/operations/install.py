"""A whole demo install on a SQLite file, committed (not a rolled-back test transaction),
and a client of the app serving any database URL, signed in as one person."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import utcnow
from app.db import get_session, make_engine
from app.main import create_app
from app.models import User
from app.security.sessions import cookie_name, start_session
from app.settings import Settings
from tests.conftest import BASE_URL
from tests.factories.people import ensure_csrf


@dataclass(frozen=True)
class Install:
    url: str
    path: Path


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@contextlib.asynccontextmanager
async def signed_in_client(url: str, user_id: int) -> AsyncIterator[httpx.AsyncClient]:
    """The app served from the database at `url`, one transaction per request."""
    settings = Settings(
        env="test",
        database_url=url,
        public_base_url=BASE_URL,
        run_worker_in_process=False,
        secret_key="operations-test-secret-key-0123456789abcdef",
    )
    engine = make_engine(url)
    app = create_app(settings)

    async def session() -> AsyncIterator[AsyncSession]:
        async with AsyncSession(engine, expire_on_commit=False) as db:
            yield db
            await db.commit()

    app.dependency_overrides[get_session] = session
    try:
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client,
            AsyncSession(engine, expire_on_commit=False) as db,
        ):
            user = await db.get(User, user_id)
            token = await start_session(db, user=user, now=utcnow())
            await db.commit()  # SQLite: this write must end before the app's first begins
            client.cookies.set(cookie_name(settings), token)
            await ensure_csrf(client)
            yield client
    finally:
        await engine.dispose()
