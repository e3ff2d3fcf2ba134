"""Create, migrate and drop test databases (synchronously, outside any event loop)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import make_engine


def migrate(url: str) -> None:
    from app.cli import migrate as upgrade

    upgrade(url)


def _admin_url(server_url: str) -> str:
    return make_url(server_url).set(database="postgres").render_as_string(hide_password=False)


def create_database(server_url: str, name: str) -> str:
    async def run() -> None:
        engine = make_engine(_admin_url(server_url), isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()

    asyncio.run(run())
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    async def run() -> None:
        engine = make_engine(_admin_url(server_url), isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()

    asyncio.run(run())
