"""Alembic is the only way the schema changes: the migrations must build exactly the
schema the models describe, and must go all the way down and up again."""

import asyncio
import os
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import make_engine
from app.paths import ROOT_DIR
from tests.database import create_database, drop_database


@pytest.fixture
def scratch_database_url(tmp_path):
    """A database of its own: this test moves the schema up and down."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    url = create_database(server, f"trinvis_m_{uuid.uuid4().hex[:10]}")
    yield url
    drop_database(server, make_url(url).database or "")


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT_DIR / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    return config


def schema_differences(url: str) -> list:
    async def run() -> list:
        engine = make_engine(url)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}),
                    SQLModel.metadata,
                )
            )
        await engine.dispose()
        return diff

    return asyncio.run(run())


def test_migrations_build_exactly_the_models(scratch_database_url):
    command.upgrade(alembic_config(scratch_database_url), "heads")
    assert schema_differences(scratch_database_url) == []


def test_downgrade_to_base_then_upgrade_to_head(scratch_database_url):
    config = alembic_config(scratch_database_url)
    command.upgrade(config, "heads")
    command.downgrade(config, "base")
    command.upgrade(config, "heads")
    assert schema_differences(scratch_database_url) == []
