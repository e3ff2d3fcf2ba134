"""The background worker: runs each registered job on its interval, forever.

Jobs are idempotent (database uniqueness decides, not the worker), so any number of
workers may run at once. `make run` runs one inside the app process; production runs
`trinvis worker` beside the app replicas.

A separate worker serves no HTTP, so its liveness is a heartbeat file it touches after
every round of jobs; `trinvis worker --check` (the container's healthcheck) fails when
the file is missing or older than `TRINVIS_WORKER_HEARTBEAT_MAX_AGE_SECONDS`. A failing
job is logged and the round goes on, so the file goes stale only when a round hangs or
the loop is dead: then the worker needs a restart.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import utcnow
from app.db import sessionmaker
from app.notifications.delivery import deliver_due
from app.security.challenges import delete_expired_challenges
from app.security.rate_limit import delete_old_hits
from app.security.sessions import delete_expired_sessions
from app.services.admin.retention import run_retention
from app.services.checkins.reminders import send_due_reminders
from app.services.followups.prompts import run_follow_up_jobs
from app.services.onboarding.youth_import import delete_expired_previews, run_import_jobs
from app.services.operations.job_runs import record_success
from app.settings import get_settings

log = logging.getLogger("trinvis.worker")

JobFunction = Callable[[AsyncSession, datetime], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: JobFunction


async def _expire_sessions(db: AsyncSession, now: datetime) -> int:
    """Housekeeping of sign-in state: sessions, OIDC challenges and rate-limit windows."""
    removed = await delete_expired_sessions(db, now=now)
    removed += await delete_expired_challenges(db, now=now)
    removed += await delete_old_hits(db, now=now)
    return removed


async def _deliver_notifications(db: AsyncSession, now: datetime) -> object:
    # Commits between claim, attempt and outcome: a network call never holds a transaction.
    return await deliver_due(db, settings=get_settings())


JOBS: list[Job] = [
    Job("expire-sessions", timedelta(hours=1), _expire_sessions),
    Job("follow-up-prompts", timedelta(minutes=5), run_follow_up_jobs),
    Job("deliver-notifications", timedelta(seconds=1), _deliver_notifications),
    Job("checkin-reminders", timedelta(minutes=30), send_due_reminders),
    # Commits once per young person it deletes (see app/services/admin/retention.py).
    Job("data-retention", timedelta(hours=6), run_retention),
    # Confirmed imports of young people, a chunk of rows per transaction (commits itself).
    Job("youth-import", timedelta(seconds=2), run_import_jobs),
    Job("youth-import-previews", timedelta(hours=1), delete_expired_previews),
]


async def run_job_once(job: Job, *, now: datetime | None = None) -> object:
    """Run one job in its own transaction."""
    async with sessionmaker()() as db:
        when = now or utcnow()
        result = await job.run(db, when)
        await record_success(db, name=job.name, now=when)  # read by /metrics
        await db.commit()
        return result


def touch_heartbeat(path: Path) -> None:
    """Mark this round done (the file's modification time is the heartbeat)."""
    try:
        path.touch()
        os.utime(path)
    except OSError:
        log.warning("heartbeat file cannot be written", extra={"event": "heartbeat"})


def heartbeat_problem(path: Path, *, max_age_seconds: float) -> str | None:
    """Why the worker looks dead, or None when its heartbeat is fresh."""
    try:
        touched = path.stat().st_mtime
    except OSError:
        return f"no heartbeat at {path}"
    age = time.time() - touched  # outside clock: compared with a file's mtime
    if age > max_age_seconds:
        return f"the last heartbeat is {age:.0f} s old (at most {max_age_seconds:.0f} s)"
    return None


async def run_worker(
    stop: asyncio.Event, *, tick_seconds: float = 1.0, heartbeat: Path | None = None
) -> None:
    due: dict[str, datetime] = {}
    while not stop.is_set():
        now = utcnow()
        for job in JOBS:
            if due.get(job.name, now) > now:
                continue
            try:
                await run_job_once(job, now=now)
            except Exception:
                log.exception("job failed", extra={"job": job.name})
            due[job.name] = now + job.every
        if heartbeat is not None:
            touch_heartbeat(heartbeat)
        try:
            await asyncio.wait_for(stop.wait(), timeout=tick_seconds)
        except TimeoutError:
            pass


async def run_worker_forever() -> None:
    """`trinvis worker`: run until SIGTERM/SIGINT, then finish the current job."""
    import signal

    from app.db import dispose_engine

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker started")
    try:
        await run_worker(stop, heartbeat=get_settings().worker_heartbeat_file)
    finally:
        await dispose_engine()
