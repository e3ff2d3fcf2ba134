"""Database engine and the per-request session.

One request is one transaction: `get_session` commits once, after the handler has
returned and *before* the response is sent (the dependency is declared with
`scope="function"`), so a failed commit is an error the user sees, not a false "sent".
Services only `flush()`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from sqlalchemy import bindparam, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 5000
Built = TypeVar("Built")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL."""
    # Error messages would otherwise quote the row's values: personal data in the logs.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    # No `pool_pre_ping`: with asyncpg it is three round trips (BEGIN, a ping, ROLLBACK)
    # before every request's first statement, more than a whole page's queries cost.
    # A connection PostgreSQL ended (a restart, pg_terminate_backend) has its socket
    # closed, which the driver sees without asking the server: such a connection is
    # replaced at checkout below. One cut off silently (a firewall's idle timeout) is
    # replaced after `pool_recycle` seconds at the latest.
    kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "checkout", _replace_closed_connection)
    return engine


POOL_RECYCLE_SECONDS = 600


def _replace_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """The pool takes another connection (and drops this one) when the server ended it."""
    driver = getattr(dbapi_connection, "_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError()


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (below) instead of pysqlite's deferred guess.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two requests never deadlock
        # upgrading a read lock; the busy timeout makes the second one wait instead.
        # Read-only sessions (the message streams) must not queue for that lock: they
        # begin nothing, and each of their statements reads a consistent snapshot.
        if not conn.get_execution_options().get("trinvis_read_only", False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


_engine: AsyncEngine | None = None
_sessionmaker: async_sessionmaker[AsyncSession] | None = None
_read_only_sessionmaker: async_sessionmaker[AsyncSession] | None = None


def get_engine() -> AsyncEngine:
    global _engine, _sessionmaker
    if _engine is None:
        settings = get_settings()
        pool: dict[str, Any] = {}
        if not settings.is_sqlite:
            # Per process: see docs/operations.md "Scaling" for how many fit PostgreSQL.
            pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow}
        _engine = make_engine(settings.database_url, **pool)
        _sessionmaker = async_sessionmaker(_engine, class_=AsyncSession, expire_on_commit=False)
    return _engine


def sessionmaker() -> async_sessionmaker[AsyncSession]:
    get_engine()
    assert _sessionmaker is not None
    return _sessionmaker


def read_only_sessionmaker() -> async_sessionmaker[AsyncSession]:
    """Sessions that only read (live streams), statement by statement (autocommit).

    A stream wakes for every message; without a transaction around its query it
    saves the BEGIN and ROLLBACK round trips, and on SQLite it takes no write lock.
    """
    global _read_only_sessionmaker
    if _read_only_sessionmaker is None:
        engine = get_engine().execution_options(
            trinvis_read_only=True, isolation_level="AUTOCOMMIT"
        )
        _read_only_sessionmaker = async_sessionmaker(
            engine, class_=AsyncSession, expire_on_commit=False
        )
    return _read_only_sessionmaker


async def dispose_engine() -> None:
    global _engine, _sessionmaker, _read_only_sessionmaker
    if _engine is not None:
        await _engine.dispose()
    _engine = None
    _sessionmaker = None
    _read_only_sessionmaker = None


class _SQLiteWriterQueue:
    """On SQLite, requests take turns here before their transaction begins.

    SQLite lets one transaction write at a time, and every request's transaction may
    write (a session touch, an audit record), so requests run one after another
    whatever we do. Without this queue they wait inside SQLite's busy handler, which
    sleeps in growing steps (up to 100 ms) and wakes in no particular order: a burst of
    50 messages then waits seconds. Here they wait in order and start the moment the
    one before them commits. One lock per event loop (tests run several loops).
    """

    def __init__(self) -> None:
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        found = self._locks.get(loop)
        if found is None:
            self._locks = {
                other: lock for other, lock in self._locks.items() if not other.is_closed()
            }
            found = self._locks[loop] = asyncio.Lock()
        return found


_sqlite_writers = _SQLiteWriterQueue()


@contextlib.asynccontextmanager
async def _writer_turn() -> AsyncIterator[None]:
    if get_engine().dialect.name != "sqlite":
        yield  # PostgreSQL: row locks, many writers at once
        return
    async with _sqlite_writers.lock():
        yield


async def get_session() -> AsyncIterator[AsyncSession]:
    """The request's session; commits once when the handler succeeded."""
    async with _writer_turn(), sessionmaker()() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


# -- statements built once -------------------------------------------------------------
# On the hot paths (a message, a request's sign-in check) building a statement and its
# cache key costs more CPU than running it, so those are built once, at import, with
# bind parameters, and executed with `params=`.


_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def dialect_insert(db: AsyncSession) -> Any:
    """`insert` of this session's dialect: the one with `on_conflict_do_…`."""
    return _INSERTS[dialect_of(db)]


def for_each_dialect(build: Callable[[Any], Built]) -> dict[str, Built]:
    """An INSERT … ON CONFLICT (which differs by dialect) built once for each dialect."""
    return {name: build(insert) for name, insert in _INSERTS.items()}


def dialect_of(db: AsyncSession) -> str:
    return db.get_bind().dialect.name


def bound_values(columns: Iterable[str]) -> dict[str, Any]:
    """`.values()` for a prebuilt INSERT: column -> bind parameter `v_<column>`.

    (A bind parameter may not carry the column's own name inside VALUES.)
    """
    return {column: bindparam(f"v_{column}") for column in columns}


def value_params(values: dict[str, Any]) -> dict[str, Any]:
    """The parameters for `bound_values`."""
    return {f"v_{column}": value for column, value in values.items()}


Model = TypeVar("Model", bound=SQLModel)


async def insert_returning(
    db: AsyncSession, statement: Any, values: dict[str, Any], model: type[Model]
) -> Model | None:
    """Run a prebuilt Core `INSERT … RETURNING` of every column of `model`'s table.

    Returns the new row as an object of this session (changing it and flushing updates
    the row), or None when ON CONFLICT DO NOTHING inserted nothing. The ORM's own
    INSERT … RETURNING path costs about twice the CPU; this builds the object from the
    returned columns and attaches it without another query.
    """
    row = (await db.exec(statement, params=value_params(values))).first()
    if row is None:
        return None
    stored = model(**row._mapping)
    make_transient_to_detached(stored)  # as if loaded by a query: nothing to flush
    db.add(stored)
    return stored
