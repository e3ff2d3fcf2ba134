"""Create, migrate and drop test databases (synchronously, outside any event loop)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import make_engine


def migrate(url: str) -> None:
    from app.cli import migrate as upgrade

    upgrade(url)


def _admin_url(server_url: str) -> str:
    return make_url(server_url).set(database="postgres").render_as_string(hide_password=False)


def _run_in_own_loop(make_coroutine: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine to the end in a fresh loop on its own thread.

    Async tests (browser tests) call these helpers while their own loop is running, where
    `asyncio.run` refuses to start; a separate thread has no running loop.
    """
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(make_coroutine())
        except BaseException as error:  # handed back to the caller below
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def create_database(server_url: str, name: str) -> str:
    async def run() -> None:
        engine = make_engine(_admin_url(server_url), isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()

    _run_in_own_loop(run)
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    async def run() -> None:
        engine = make_engine(_admin_url(server_url), isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()

    _run_in_own_loop(run)
