"""How long an app process takes from SIGTERM to exit while it holds open message streams.

Starts a real `trinvis serve` process on a fresh database (SQLite, or PostgreSQL with
`--database postgres`), opens N streams of one guide (default 100), sends SIGTERM and
prints the seconds until the process exited, and whether every stream was ended by the
server (a clean end of the response, so the browser reconnects with Last-Event-ID)
rather than cut off. Docker kills 10 s after SIGTERM; the goal is under 5 s.

    PYTHONPATH=. .venv/bin/python bench/shutdown.py --streams 100 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import utcnow
from app.db import make_engine
from app.models import Role
from app.security.sessions import start_session
from tests.database import create_database, drop_database, migrate
from tests.factories.people import make_user, make_youth
from tests.live.test_message_stream import AppProcess, Stream

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


async def people(url: str) -> tuple[int, str]:
    engine = make_engine(url)
    async with AsyncSession(engine, expire_on_commit=False) as db:
        guide = await make_user(db, Role.guide, name="Bench Guide")
        youth = await make_youth(db, guide=guide, name="Bench Youth")
        token = await start_session(db, user=guide, now=utcnow())
        await db.commit()
    await engine.dispose()
    assert youth.id is not None
    return youth.id, token


async def one_run(url: str, streams: int, log: Path) -> tuple[float, int]:
    youth_id, token = await people(url)
    app = AppProcess(url, log)
    await asyncio.to_thread(app.start)
    opened = [Stream(app.url, token, f"/messages/events?youth={youth_id}") for _ in range(streams)]
    try:
        for batch in range(0, streams, 20):
            await asyncio.gather(*(s.open() for s in opened[batch : batch + 20]))
        assert app.process is not None
        started = time.monotonic()
        app.process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(app.process.wait, 30)
        seconds = time.monotonic() - started
        results = await asyncio.gather(*(s.task for s in opened if s.task), return_exceptions=True)
        clean = sum(1 for r in results if not isinstance(r, BaseException))
        return seconds, clean
    finally:
        for stream in opened:
            await stream.close()
        app.kill()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            if args.database == "postgres":
                server = os.environ.get("TEST_DATABASE_URL", POSTGRES)
                name = f"trinvis_b_{uuid.uuid4().hex[:10]}"
                url = await asyncio.to_thread(create_database, server, name)
            else:
                url = f"sqlite+aiosqlite:///{tmp}/shutdown{run}.db"
            await asyncio.to_thread(migrate, url)
            try:
                seconds, clean = await one_run(url, args.streams, Path(tmp) / f"app{run}.log")
            finally:
                if args.database == "postgres":
                    await asyncio.to_thread(drop_database, server, make_url(url).database or "")
            times.append(seconds)
            print(
                f"run {run + 1}: SIGTERM to exit {seconds:.2f} s with {args.streams} open "
                f"streams; ended cleanly by the server: {clean}/{args.streams}"
            )
    print(
        f"{args.database}: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s over {len(times)} runs"
    )


if __name__ == "__main__":
    asyncio.run(main())
