"""Back up, restore, move: the restore drill through the app, and the move to PostgreSQL.

The demo install (tests/operations/conftest.py) is the live database; the PostgreSQL
test needs TEST_DATABASE_URL (and fails without it in CI).
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import make_engine
from app.models import Message, PlanStep, User, Youth
from app.operations.backup import BackupRefused, backup
from app.operations.move import MoveRefused, copy_to_postgres, tables
from app.paths import ROOT_DIR
from tests.database import create_database, drop_database, migrate
from tests.operations.install import signed_in_client, sqlite_url


class Writer(threading.Thread):
    """Writes to the live database, as the app does, until stopped."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.writes = 0

    def run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        while not self.stop.is_set():
            connection.execute(
                "INSERT INTO job_run (name, last_success_at) VALUES (?, ?)",
                (f"drill-{self.writes}", "2026-01-01 00:00:00.000000"),
            )
            self.writes += 1
            time.sleep(0.002)  # a busy app, not a tight loop that starves the test
        connection.close()


async def _a_young_person_with_plan_and_messages(url: str) -> tuple[int, list[str], list[str]]:
    engine = make_engine(url)
    async with AsyncSession(engine) as db:
        has_both = (
            select(Youth.id, Youth.user_id)
            .where(Youth.id.in_(select(PlanStep.youth_id)))  # type: ignore[union-attr]
            .where(Youth.id.in_(select(Message.youth_id)))  # type: ignore[union-attr]
            .order_by(Youth.id)
        )
        youth_id, user_id = (await db.exec(has_both)).first()
        steps = (
            await db.exec(
                select(PlanStep.title).where(
                    PlanStep.youth_id == youth_id, col(PlanStep.deleted_at).is_(None)
                )
            )
        ).all()
        latest = (
            await db.exec(
                select(Message.body)
                .where(Message.youth_id == youth_id)
                .order_by(col(Message.sent_at).desc())
                .limit(3)
            )
        ).all()
    await engine.dispose()
    return user_id, list(steps), list(latest)


async def _pages_of(url: str, user_id: int) -> dict[str, str]:
    """What the young person reads on their plan and messages pages, served from `url`."""
    pages = {}
    async with signed_in_client(url, user_id) as client:
        for path in ("/plan", "/messages"):
            response = await client.get(path)
            assert response.status_code == 200
            # The text as read: a link in a message is markup around the same words.
            pages[path] = html.unescape(re.sub(r"<[^>]+>", "", response.text))
    return pages


async def test_restore_drill_serves_the_same_plan_and_messages(demo_install, tmp_path):
    user_id, steps, messages = await _a_young_person_with_plan_and_messages(demo_install.url)
    assert steps and messages

    writer = Writer(demo_install.path)
    writer.start()
    try:
        backup_file = tmp_path / "backups" / "trinvis-nightly.db"
        env = {**os.environ, "DATABASE_URL": demo_install.url, "TRINVIS_ENV": "test"}
        made = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "app.cli", "backup", str(backup_file)],
            env=env,
            cwd=ROOT_DIR,
            stderr=asyncio.subprocess.PIPE,
        )
        _, errors = await made.communicate()
    finally:
        writer.stop.set()
        writer.join()
    assert made.returncode == 0, errors.decode()
    assert writer.writes > 0  # the app kept writing while the backup ran

    # Restore: the backup file becomes a fresh install's database.
    restored = tmp_path / "restored" / "trinvis.db"
    restored.parent.mkdir()
    shutil.copy(backup_file, restored)
    copy = sqlite3.connect(restored)
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # needs no -wal file
    copy.close()
    pages = await _pages_of(sqlite_url(restored), user_id)
    for title in steps:
        assert title in pages["/plan"]
    for body in messages:
        assert body in pages["/messages"]


def test_backup_refuses_to_overwrite_or_to_copy_postgresql(demo_install, tmp_path):
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"keep me")
    with pytest.raises(BackupRefused):
        backup(demo_install.url, existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(BackupRefused):
        backup("postgresql+asyncpg://postgres@127.0.0.1/trinvis", tmp_path / "new.db")


@pytest.fixture
def postgres_target() -> AsyncIterator[str]:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            # `make test` runs the suite once on SQLite (no TEST_DATABASE_URL) and once on
            # PostgreSQL: this test runs in the PostgreSQL pass.
            pytest.skip("runs in the PostgreSQL pass")
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    url = create_database(server, f"trinvis_m_{uuid.uuid4().hex[:10]}")
    migrate(url)
    yield url
    drop_database(server, make_url(url).database or "")


async def test_copy_to_postgres_moves_every_row_and_sets_sequences(demo_install, postgres_target):
    report = await copy_to_postgres(demo_install.url, postgres_target)

    source, target = make_engine(demo_install.url), make_engine(postgres_target)
    async with AsyncSession(source) as old, AsyncSession(target, expire_on_commit=False) as new:
        for table in tables():
            count = select(func.count()).select_from(table)
            assert (await old.exec(count)).one() == (await new.exec(count)).one()
            assert report.rows[table.name] == (await new.exec(count)).one()
        assert report.rows["app_user"] > 40 and report.rows["message"] > 0
        highest = (await new.exec(select(func.max(User.id)))).one()
        newcomer = User(role="guide", name="Ny Guide", email="ny.guide@test.example")
        new.add(newcomer)
        await new.commit()
        assert newcomer.id == highest + 1

    with pytest.raises(MoveRefused, match="not empty"):
        await copy_to_postgres(demo_install.url, postgres_target)
    await source.dispose()
    await target.dispose()
    user_id, steps, messages = await _a_young_person_with_plan_and_messages(postgres_target)
    pages = await _pages_of(postgres_target, user_id)
    assert all(title in pages["/plan"] for title in steps)
    assert all(body in pages["/messages"] for body in messages)
