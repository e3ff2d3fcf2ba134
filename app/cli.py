"""The `trinvis` command: migrate, load the demo, serve, run a worker."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from app.settings import ConfigurationError, get_settings

log = logging.getLogger("trinvis")


def migrate(database_url: str | None = None) -> None:
    """Bring the schema to the newest migration (Alembic is the only way it changes)."""
    from alembic import command
    from alembic.config import Config

    from app.paths import ROOT_DIR

    config = Config(str(ROOT_DIR / "alembic.ini"))
    config.attributes["configure_logger"] = False
    if database_url:
        config.attributes["database_url"] = database_url
    command.upgrade(config, "heads")


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
    import uvicorn

    uvicorn.run(
        "app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_config=None,
    )


def worker() -> None:
    from app.worker import run_worker_forever

    asyncio.run(run_worker_forever())


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
    commands.add_parser("worker", help="run a background worker")
    commands.add_parser("vapid-keys", help="print a new VAPID key pair for Web Push")

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
    elif args.command == "worker":
        worker()
    elif args.command == "vapid-keys":
        from app.notifications.channels.push import generate_vapid_keys

        private, public = generate_vapid_keys()
        print(f"TRINVIS_VAPID_PRIVATE_KEY={private}\nTRINVIS_VAPID_PUBLIC_KEY={public}")
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
