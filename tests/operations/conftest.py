"""One demo install for the operations tests (migrations and the demo: ~15 s, once)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import utcnow
from app.db import make_engine
from app.demo import load_demo_data
from tests.database import migrate
from tests.operations.install import Install, sqlite_url


@pytest.fixture(scope="session")
def migrated_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("install") / "trinvis.db"
    migrate(sqlite_url(path))
    return path


@pytest.fixture(scope="session")
async def demo_install(migrated_install: Path) -> Install:
    engine = make_engine(sqlite_url(migrated_install))
    async with AsyncSession(engine, expire_on_commit=False) as db:
        await load_demo_data(db, now=utcnow())
        await db.commit()
    await engine.dispose()
    return Install(sqlite_url(migrated_install), migrated_install)
