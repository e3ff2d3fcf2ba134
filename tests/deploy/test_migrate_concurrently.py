"""Two `trinvis migrate` started at once on a fresh PostgreSQL database both succeed.

Before the advisory lock, the compose file's app and worker both migrated at start-up
and one of them failed with a UniqueViolationError (both created the same tables).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.paths import ROOT_DIR
from tests.database import _run_in_own_loop, create_database, drop_database


@pytest.mark.postgres_only
def test_two_migrations_started_at_once_on_a_fresh_database_both_succeed():
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    url = create_database(server_url, f"trinvis_m_{uuid.uuid4().hex[:10]}")
    try:
        env = {**os.environ, "DATABASE_URL": url, "TRINVIS_ENV": "test"}
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "app.cli", "migrate"],
                env=env,
                cwd=ROOT_DIR,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        # Exactly one of them ran the migrations; the other found the schema current.
        assert sum("Running upgrade  -> 0001" in out for out in outputs) == 1, outputs

        versions: list[str] = []

        async def read() -> None:
            engine = make_engine(url)
            async with engine.connect() as connection:
                rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
                versions.extend(row[0] for row in rows)
            await engine.dispose()

        _run_in_own_loop(read)
        assert len(versions) >= 1
    finally:
        drop_database(server_url, make_url(url).database or "")
