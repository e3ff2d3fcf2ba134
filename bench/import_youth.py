"""Benchmark: import N young people from a Danish Excel file, preview then confirm.

Builds a fresh database (SQLite file, or PostgreSQL with `--database postgres`), adds a
guide, writes the file as Danish Excel does (`;`, Windows-1252 or UTF-8 with BOM, dates
24-12-2006), and times the same service calls the admin's pages and the worker make:
the preview (read the file, decide each row), the confirm with the first chunk, the
worker's remaining chunks, and a second import of the same file (all unchanged); then
the bulk invite of everyone imported (one request's work: invites and outbox rows).

    .venv/bin/python bench/import_youth.py --rows 500
    .venv/bin/python bench/import_youth.py --rows 500 --database postgres

Everything stays on this machine; the database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from app.clock import utcnow  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.models import Role, User  # noqa: E402
from app.services.onboarding import bulk_invites, youth_import  # noqa: E402
from tests.database import create_database, drop_database, migrate  # noqa: E402
from tests.factories.onboarding import excel_csv, youth_rows  # noqa: E402

GUIDE = "bench.vejleder@kommune.dk"


def seconds() -> float:
    return time.perf_counter()  # outside clock: the benchmark measures elapsed time


async def run_import(db: AsyncSession, content: bytes) -> tuple[dict[str, int], list[float]]:
    """Preview, confirm (first chunk), then the worker's chunks; the times of each part."""
    marks = [seconds()]
    batch = await youth_import.preview(db, actor=None, content=content, now=utcnow())
    await db.commit()
    marks.append(seconds())
    assert batch.id is not None
    await youth_import.confirm(
        db, actor=None, import_id=batch.id, file_sha256=batch.file_sha256, now=utcnow()
    )
    await db.commit()
    marks.append(seconds())
    await youth_import.run_import_jobs(db, utcnow())
    marks.append(seconds())
    done = await youth_import.get_import(db, actor=None, import_id=batch.id)
    parts = [later - earlier for earlier, later in itertools.pairwise(marks)]
    return youth_import.counts(done), parts


async def bench(url: str, rows: int) -> None:
    engine = make_engine(url)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as db:
            db.add(User(role=Role.guide, name="Bench Vejleder", email=GUIDE))
            admin = User(role=Role.admin, name="Bench Admin", email="bench.admin@kommune.dk")
            db.add(admin)
            await db.commit()
            for encoding in ("cp1252", "utf-8-sig"):
                content = excel_csv(
                    youth_rows(rows, guide_email=GUIDE, start=0 if encoding == "cp1252" else rows),
                    encoding=encoding,
                )
                for attempt in ("first import", "same file again"):
                    counts, (preview, confirm, worker) = await run_import(db, content)
                    total = preview + confirm + worker
                    print(
                        f"{rows} rows, {encoding:<9} {attempt:<16} preview {preview:5.2f} s"
                        f"  confirm {confirm:5.2f} s  worker {worker:5.2f} s"
                        f"  total {total:5.2f} s  {counts}"
                    )
            started = seconds()
            invited = await bulk_invites.invite_all(
                db, actor=admin, base_url="http://127.0.0.1:8000", now=utcnow()
            )
            await db.commit()
            print(f"bulk invite of {invited} young people: {seconds() - started:5.2f} s")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--server", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if args.database == "postgres":
        url = create_database(args.server, f"trinvis_bench_{uuid.uuid4().hex[:8]}")
        try:
            migrate(url)
            asyncio.run(bench(url, args.rows))
        finally:
            drop_database(args.server, make_url(url).database or "")
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        migrate(url)
        asyncio.run(bench(url, args.rows))


if __name__ == "__main__":
    main()
