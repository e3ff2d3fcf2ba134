"""Test fixtures: a real database built by the migrations, one rolled-back transaction
per test, and the app wired to that transaction.

SQLite always; PostgreSQL when TEST_DATABASE_URL is set (a fresh database is created on
that server for the run and dropped afterwards).

Time: the app's clock (app/clock.py) follows TRINVIS_CLOCK here exactly as in the app, so
`make test-time-travel` runs the `time_dependent` tests at chosen instants; the frozen
clock the web tests use then starts at that instant instead of its fixed default.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import is_set as clock_is_set
from app.clock import utcnow
from app.db import get_session, make_engine
from app.main import create_app
from app.security.access import clock
from app.settings import Settings
from tests.database import create_database, drop_database, migrate

pytest_plugins = ["tests.peers.fixtures"]

BASE_URL = "http://127.0.0.1:8000"
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / ".artifacts"


def pytest_configure(config: pytest.Config) -> None:
    Settings(_env_file=None).apply_clock()  # type: ignore[call-arg]


def pytest_sessionstart(session: pytest.Session) -> None:
    # Once per run, in the process that leads it (not in each pytest-xdist worker), and
    # not in a time-travel run (`--dist each`), which keeps its own folders per instant.
    # Nor in a run without the browser tests (the PostgreSQL pass of `make test`), which
    # would leave the folder empty.
    leads = not hasattr(session.config, "workerinput")
    time_travel = session.config.getoption("dist", default=None) == "each"
    ignored = session.config.getoption("ignore", default=None) or []
    no_browser = any(str(path).rstrip("/").endswith("tests/browser") for path in ignored)
    if leads and not time_travel and not no_browser and not clock_is_set():
        shutil.rmtree(ARTIFACTS_DIR / "screenshots", ignore_errors=True)


def pytest_report_header() -> list[str]:
    return [
        f"database: {'PostgreSQL' if os.environ.get('TEST_DATABASE_URL') else 'SQLite'}",
        "clock: " + (utcnow().isoformat() if clock_is_set() else "the machine's"),
    ]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this test run."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        url = create_database(server_url, f"trinvis_t_{uuid.uuid4().hex[:10]}")
        migrate(url)
        yield url
        drop_database(server_url, make_url(url).database or "")
    else:
        path = tmp_path_factory.mktemp("db") / "trinvis.db"
        url = f"sqlite+aiosqlite:///{path}"
        migrate(url)
        yield url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back after the test.

    `commit()` inside the code under test only releases a savepoint.
    """
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        env="test",
        demo_mode=True,
        database_url=database_url,
        public_base_url=BASE_URL,
        run_worker_in_process=False,
        secret_key="test-secret-key-with-enough-length-0123456789",
        # The local push peer (tests/peers/push_service.py) listens on 127.0.0.1.
        push_test_hosts=["127.0.0.1"],
    )


# A Monday morning in working hours: the instant tests start at unless they choose one.
DEFAULT_INSTANT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FrozenClock:
    """Tests move time by setting `.now`; the app reads it through the `clock` dependency.

    It starts at the app's clock when TRINVIS_CLOCK chose an instant (time travel), and
    at DEFAULT_INSTANT otherwise.
    """

    def __init__(self) -> None:
        self.now = utcnow() if clock_is_set() else DEFAULT_INSTANT

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def app(settings: Settings, db: AsyncSession, frozen_clock: FrozenClock):
    application = create_app(settings)

    async def test_session() -> AsyncIterator[AsyncSession]:
        try:
            yield db
        except BaseException:
            await db.rollback()
            raise
        else:
            await db.commit()

    application.dependency_overrides[get_session] = test_session
    application.dependency_overrides[clock] = frozen_clock
    return application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR
