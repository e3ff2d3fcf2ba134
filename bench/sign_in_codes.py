"""Benchmark: does asking for a sign-in code take as long for an unknown address?

Runs the app in-process (httpx's ASGI transport, the real middleware and database) on a
fresh, migrated SQLite file or PostgreSQL database, and sends `POST /login/code` for a
known young person's phone and for unknown numbers, in random order. Prints per path
the median, p95 and mean time, and the difference of the medians. The app's clock moves
on an hour before each request, so the rate limits never answer instead of the service.

    .venv/bin/python bench/sign_in_codes.py --requests 400
    .venv/bin/python bench/sign_in_codes.py --database postgres --requests 400
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from app.clock import utcnow  # noqa: E402
from app.db import dispose_engine, make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Role, User  # noqa: E402
from app.security.access import clock  # noqa: E402
from app.settings import Settings, get_settings  # noqa: E402
from tests.database import create_database, drop_database, migrate  # noqa: E402

SECRET = "bench-secret-key-0123456789abcdef-0123456789"
KNOWN = "+4520000001"


async def run(url: str, requests: int) -> None:
    engine = make_engine(url)
    async with AsyncSession(engine) as db:
        db.add(User(role=Role.youth, name="Bench Ung", phone=KNOWN, created_at=utcnow()))
        await db.commit()
    await engine.dispose()
    # The request's database session comes from the process-wide settings.
    os.environ["TRINVIS_DATABASE_URL"] = url
    get_settings.cache_clear()
    settings = Settings(
        env="test",
        database_url=url,
        secret_key=SECRET,
        run_worker_in_process=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    now = utcnow()
    app.dependency_overrides[clock] = lambda: now
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    paths = ["known", "unknown"] * (requests // 2)
    random.shuffle(paths)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    ) as client:
        await client.get("/offline")
        client.headers["X-CSRF-Token"] = client.cookies["trinvis_csrf"]
        for warm in range(20):  # compile statements and fill the pool first
            now += timedelta(hours=1)
            await client.post("/login/code", data={"address": KNOWN if warm % 2 else "+4599000000"})
        for n, path in enumerate(paths):
            now += timedelta(hours=1)
            address = KNOWN if path == "known" else f"+4599{n:06d}"
            started = time.perf_counter()
            response = await client.post("/login/code", data={"address": address})
            times[path].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 303, response.text
    await dispose_engine()
    for path, values in times.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        print(
            f"{path:8} n={len(values)} median {statistics.median(values):.2f} ms"
            f"  p95 {p95:.2f} ms  mean {statistics.fmean(values):.2f} ms"
        )
    gap = statistics.median(times["unknown"]) - statistics.median(times["known"])
    print(f"median(unknown) - median(known) = {gap:+.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if not 20 <= args.requests <= 20000:
        parser.error("--requests must be 20..20000")
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="trinvis-bench-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            migrate(url)
            asyncio.run(run(url, args.requests))
        return
    name = f"trinvis_bench_{uuid.uuid4().hex[:8]}"
    url = create_database(args.postgres_url, name)
    try:
        migrate(url)
        asyncio.run(run(url, args.requests))
    finally:
        drop_database(args.postgres_url, make_url(url).database or "")


if __name__ == "__main__":
    main()
