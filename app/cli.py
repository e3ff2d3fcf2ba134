"""The `trinvis` command: migrate, load the demo, serve, run a worker, import young people."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TYPE_CHECKING, Any

from app.settings import ConfigurationError, get_settings

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("trinvis")


# Any fixed number: every `trinvis migrate` on one database takes this advisory lock.
MIGRATION_LOCK_ID = 7_310_917_001


def migrate(database_url: str | None = None) -> None:
    """Bring the schema to the newest migration (Alembic is the only way it changes).

    On PostgreSQL the upgrade holds a session advisory lock, so migrations started at
    once (the compose `migrate` service and an operator, two replicas' start scripts)
    run one after another: the second finds the schema current and does nothing,
    instead of both creating the same tables and one failing on a unique violation.
    """
    from alembic import command
    from alembic.config import Config

    from app.paths import ROOT_DIR

    config = Config(str(ROOT_DIR / "alembic.ini"))
    config.attributes["configure_logger"] = False
    url = database_url or get_settings().database_url
    config.attributes["database_url"] = url
    if not url.startswith("postgresql"):
        command.upgrade(config, "heads")  # SQLite: the file's write lock serialises
        return
    asyncio.run(_migrate_under_lock(url, config))


async def _migrate_under_lock(url: str, config: Config) -> None:
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.pool import NullPool

    from app.db import make_engine

    def upgrade(connection: Any) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")

    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID}
            )
            try:
                await connection.run_sync(upgrade)
                await connection.commit()
            finally:
                await connection.rollback()
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID}
                )
                await connection.commit()
    finally:
        await engine.dispose()


async def _load_demo() -> bool:
    from app.clock import utcnow
    from app.db import dispose_engine, sessionmaker
    from app.demo import load_demo_data

    try:
        async with sessionmaker()() as db:
            loaded = await load_demo_data(db, now=utcnow())
            await db.commit()
            return loaded
    finally:
        await dispose_engine()


def load_demo() -> None:
    loaded = asyncio.run(_load_demo())
    log.info("demo data loaded" if loaded else "demo data already present")


def serve(host: str, port: int, workers: int = 1) -> None:
    """uvicorn in front of the app; SIGTERM drains it (see `Hub.drain_on_exit_signals`).

    Forwarded headers (client address, https) are believed only from
    `TRINVIS_FORWARDED_ALLOW_IPS`: the reverse proxy. Requests still running
    `TRINVIS_SHUTDOWN_GRACE_SECONDS` after SIGTERM are cancelled, so the process exits
    well inside Docker's 10 s.
    """
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        log_config=None,
    )


def worker() -> None:
    from app.worker import run_worker_forever

    asyncio.run(run_worker_forever())


# --- import-youth (onboarding area) -------------------------------------------------


def import_youth(path: str, *, dry_run: bool) -> int:
    """Preview the file like the admin's page does; without --dry-run, apply it."""
    from pathlib import Path

    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        print(f"{path}: {exc.strerror}", file=sys.stderr)
        return 2
    return asyncio.run(_import_youth(content, dry_run=dry_run))


async def _import_youth(content: bytes, *, dry_run: bool) -> int:
    from app.clock import utcnow
    from app.db import dispose_engine, sessionmaker
    from app.errors import ValidationFailed
    from app.services.onboarding import youth_import

    try:
        async with sessionmaker()() as db:
            try:
                batch = await youth_import.preview(db, actor=None, content=content, now=utcnow())
            except ValidationFailed as refused:
                print(refused.errors.get("file", refused.message), file=sys.stderr)
                return 1
            for line in youth_import.lines(batch):
                detail = line.reason or ", ".join(line.changes)
                print(f"{line.line:>6}  {line.outcome:<9}  {line.name}  {detail}".rstrip())
            print(_import_counts(youth_import.counts(batch), "preview"))
            if dry_run:
                await db.rollback()
                return 0
            await db.commit()
            assert batch.id is not None
            await youth_import.confirm(
                db, actor=None, import_id=batch.id, file_sha256=batch.file_sha256, now=utcnow()
            )
            await db.commit()
            while await youth_import.apply_next_chunk(db, import_id=batch.id, now=utcnow()):
                await db.commit()
            await db.commit()
            done = await youth_import.get_import(db, actor=None, import_id=batch.id)
            print(_import_counts(youth_import.counts(done), "imported"))
            return 0
    finally:
        await dispose_engine()


def _import_counts(counts: dict[str, int], what: str) -> str:
    order = ("new", "updated", "unchanged", "error")
    return f"{what}: " + ", ".join(f"{counts.get(key, 0)} {key}" for key in order)


def check_worker() -> int:
    """`trinvis worker --check`: 0 when the worker's heartbeat is fresh (a healthcheck)."""
    from app.worker import heartbeat_problem

    settings = get_settings()
    problem = heartbeat_problem(
        settings.worker_heartbeat_file, max_age_seconds=settings.worker_heartbeat_max_age_seconds
    )
    if problem is not None:
        print(f"worker unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trinvis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="alembic upgrade head")
    commands.add_parser("demo", help="load the demo data once")
    for name in ("serve", "run"):
        sub = commands.add_parser(
            name, help="serve the app" if name == "serve" else "migrate, load demo, serve"
        )
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=8000)
        sub.add_argument(
            "--workers",
            type=int,
            default=1,
            choices=range(1, 65),
            metavar="N",
            help="app processes sharing the port (PostgreSQL only; about one per core)",
        )
    worker_command = commands.add_parser("worker", help="run a background worker")
    worker_command.add_argument(
        "--check",
        action="store_true",
        help="exit 0 when the running worker's heartbeat is fresh, 1 otherwise (healthcheck)",
    )
    commands.add_parser("vapid-keys", help="print a new VAPID key pair for Web Push")
    importing = commands.add_parser(
        "import-youth", help="import young people from the case system's CSV file"
    )
    importing.add_argument("file", help="CSV as Danish Excel or a plain CSV writes it")
    importing.add_argument(
        "--dry-run", action="store_true", help="print what would happen; change nothing"
    )

    # Operators' commands: backup, copy-to-postgres (app/operations/).
    from app.operations import commands as operations

    operations.add_commands(commands)

    args = parser.parse_args(argv)

    try:
        settings = get_settings()
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    if getattr(args, "workers", 1) > 1 and not settings.database_url.startswith("postgresql"):
        # Live messages wake streams inside the process on SQLite: one process serves all.
        print(
            "--workers above 1 needs PostgreSQL; SQLite serves from one process.", file=sys.stderr
        )
        return 2
    settings.apply_clock()
    from app.observability import configure_logging

    configure_logging(settings.effective_log_format, settings.log_level)
    if args.command in operations.COMMANDS:
        return operations.run(args, settings)
    if args.command == "migrate":
        migrate()
    elif args.command == "demo":
        load_demo()
    elif args.command == "worker" and args.check:
        return check_worker()
    elif args.command == "worker":
        worker()
    elif args.command == "vapid-keys":
        from app.notifications.channels.push import generate_vapid_keys

        private, public = generate_vapid_keys()
        print(f"TRINVIS_VAPID_PRIVATE_KEY={private}\nTRINVIS_VAPID_PUBLIC_KEY={public}")
    elif args.command == "import-youth":
        return import_youth(args.file, dry_run=args.dry_run)
    elif args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "run":
        migrate()
        if settings.demo_mode:
            load_demo()
        serve(args.host, args.port, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
