"""The background worker: runs each registered job on its interval, forever.

Jobs are idempotent (database uniqueness decides, not the worker), so any number of
workers may run at once. `make run` runs one inside the app process; production runs
`trinvis worker` beside the app replicas.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

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
]


async def run_job_once(job: Job, *, now: datetime | None = None) -> object:
    """Run one job in its own transaction."""
    async with sessionmaker()() as db:
        when = now or utcnow()
        result = await job.run(db, when)
        await record_success(db, name=job.name, now=when)  # read by /metrics
        await db.commit()
        return result


async def run_worker(stop: asyncio.Event, *, tick_seconds: float = 1.0) -> None:
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
        await run_worker(stop)
    finally:
        await dispose_engine()
