"""Real `trinvis worker` processes: two at once, one killed in the middle of a call.

Nothing may be sent twice and nothing lost: the killed worker's claim runs out, a live
worker claims the row again and calls the gateway with the same idempotency key, and
the gateway drops the duplicate when the killed call finally lands.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import make_engine
from app.models import Notification, NotificationAttempt, Role, User
from app.notifications.outbox import enqueue
from app.paths import ROOT_DIR
from tests.database import create_database, drop_database, migrate
from tests.notifications.conftest import DAYTIME
from tests.peers.fixtures import SMS_TOKEN

COUNT = 12
LEASE_SECONDS = 3
HANG_SECONDS = 7.0


@pytest.fixture
def worker_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own: the workers commit for real."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        url = f"sqlite+aiosqlite:///{tmp_path / 'workers.db'}"
        migrate(url)
        yield url
        return
    url = create_database(server, f"trinvis_w_{uuid.uuid4().hex[:10]}")
    migrate(url)
    yield url
    drop_database(server, make_url(url).database or "")


@pytest.fixture
async def worker_db(worker_database: str) -> AsyncIterator[AsyncSession]:
    engine = make_engine(worker_database)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session
    await engine.dispose()


def trinvis_command() -> list[str]:
    script = Path(sys.executable).parent / "trinvis"
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


class Workers:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        log = (self.log_dir / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            [*trinvis_command(), "worker"], env=self.env, cwd=ROOT_DIR, stdout=log, stderr=log
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(worker_database: str, sms_gateway, tmp_path: Path) -> Iterator[Workers]:
    env = {
        **os.environ,
        "DATABASE_URL": worker_database,
        "TRINVIS_ENV": "test",
        "TRINVIS_DEMO_MODE": "false",
        "TRINVIS_LOG_FORMAT": "text",
        "TRINVIS_SMS_GATEWAY_URL": sms_gateway.messages_url,
        "TRINVIS_SMS_GATEWAY_TOKEN": SMS_TOKEN,
        # Longer than the hang, so the worker is still waiting when it is killed.
        "TRINVIS_SMS_TIMEOUT_SECONDS": "30",
        "TRINVIS_NOTIFICATION_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    env.pop("TEST_DATABASE_URL", None)
    pool = Workers(env, tmp_path)
    yield pool
    pool.stop_all()


async def queue_sms(db: AsyncSession) -> list[int]:
    ids = []
    for n in range(COUNT):
        user = User(role=Role.youth, name=f"Ung {n}", phone=f"+45611{n:05d}")
        db.add(user)
        await db.flush()
        assert user.id is not None
        row = await enqueue(
            db,
            user_id=user.id,
            kind="checkin.due",
            dedupe_key=f"checkin:{n}",
            now=DAYTIME,
            channel="sms",
            urgent=True,
        )
        assert row.id is not None
        ids.append(row.id)
    await db.commit()
    return ids


async def wait_for(predicate, within: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = await predicate()
        if result:
            return result
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_worker_killed_mid_call_sends_nothing_twice_and_loses_nothing(
    worker_db: AsyncSession, workers: Workers, sms_gateway
):
    ids = await queue_sms(worker_db)
    sms_gateway.hang_next(HANG_SECONDS)
    first, second = workers.start(), workers.start()

    async def stuck_attempt() -> NotificationAttempt | None:
        # A normal call takes milliseconds; one open for a second is the hanging call.
        worker_db.expire_all()
        rows = await worker_db.exec(
            select(NotificationAttempt).where(col(NotificationAttempt.outcome).is_(None))
        )
        await worker_db.commit()
        return next(
            (a for a in rows.all() if a.notification_id in ids and _open_for(a) > 1.0), None
        )

    stuck = await wait_for(stuck_attempt, 30, "a worker to be stuck in the SMS call")
    pid = int(stuck.worker.rsplit(":", 1)[1])
    victim = next(p for p in (first, second) if p.pid == pid)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=5)
    workers.start()  # a replacement, as an orchestrator would start one

    async def all_sent() -> bool:
        worker_db.expire_all()
        statuses = (
            await worker_db.exec(select(Notification.status).where(col(Notification.id).in_(ids)))
        ).all()
        await worker_db.commit()
        return statuses.count("sent") == COUNT

    await wait_for(all_sent, 40, "every notification to be sent")
    # The killed call lands at the gateway in the end; it is dropped by its key.
    assert sms_gateway.wait_until(lambda: sms_gateway._duplicates == 1, timeout=15)
    keys = Counter(message["idempotency_key"] for message in sms_gateway.received)
    assert sorted(keys) == sorted(f"trinvis-notification-{i}" for i in ids)
    assert set(keys.values()) == {1}

    attempts = (await worker_db.exec(select(NotificationAttempt))).all()
    sent_per_notification = Counter(a.notification_id for a in attempts if a.outcome == "sent")
    assert sent_per_notification == Counter(ids)
    killed = next(a for a in attempts if a.id == stuck.id)
    assert killed.outcome == "interrupted"
    assert {a.worker.rsplit(":", 1)[1] for a in attempts if a.outcome == "sent"} <= {
        str(p.pid) for p in workers.processes if p is not victim
    }


def _open_for(attempt: NotificationAttempt) -> float:
    from app.clock import utcnow

    return (utcnow() - attempt.started_at).total_seconds()
