"""The separate worker's liveness: a heartbeat file, checked by `trinvis worker --check`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

from app.paths import ROOT_DIR
from app.worker import heartbeat_problem, run_worker


def check(path, max_age: int = 60) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TRINVIS_WORKER_HEARTBEAT_FILE": str(path),
        "TRINVIS_WORKER_HEARTBEAT_MAX_AGE_SECONDS": str(max_age),
    }
    return subprocess.run(  # the real command the compose healthcheck runs
        [sys.executable, "-m", "app.cli", "worker", "--check"],
        env=env,
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_round_of_the_worker_touches_its_heartbeat_and_the_check_passes(
    tmp_path, database_url, monkeypatch
):
    from app import db

    heartbeat = tmp_path / "worker.heartbeat"
    assert check(heartbeat).returncode == 1  # no heartbeat yet: unhealthy

    monkeypatch.setattr(db, "_engine", db.make_engine(database_url))
    monkeypatch.setattr(
        db, "_sessionmaker", db.async_sessionmaker(db._engine, class_=db.AsyncSession)
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(stop, tick_seconds=0.05, heartbeat=heartbeat))
    try:
        for _ in range(200):
            if heartbeat.exists():
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await db._engine.dispose()
    assert heartbeat.exists()
    assert heartbeat_problem(heartbeat, max_age_seconds=60) is None
    assert check(heartbeat).returncode == 0


def test_a_stale_heartbeat_fails_the_check(tmp_path):
    heartbeat = tmp_path / "worker.heartbeat"
    heartbeat.touch()
    old = time.time() - 600  # outside clock: a file's mtime is the machine's time
    os.utime(heartbeat, (old, old))
    result = check(heartbeat, max_age=120)
    assert result.returncode == 1
    assert "old" in result.stderr
