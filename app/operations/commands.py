"""The operators' subcommands of `trinvis`: backup and copy-to-postgres."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from app.settings import Settings

COMMANDS = ("backup", "copy-to-postgres")


def add_commands(commands: argparse._SubParsersAction) -> None:
    backup = commands.add_parser(
        "backup", help="copy a running SQLite install to PATH (consistent, online)"
    )
    backup.add_argument("path", type=Path, help="the backup file to write (must not exist)")
    backup.add_argument("--overwrite", action="store_true", help="replace PATH if it exists")
    move = commands.add_parser(
        "copy-to-postgres",
        help="copy every table of this SQLite install into an empty, migrated PostgreSQL",
    )
    move.add_argument("--to", required=True, metavar="URL", help="postgresql+asyncpg://...")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from app.operations.backup import BackupRefused, backup
    from app.operations.move import MoveRefused, copy_to_postgres

    try:
        if args.command == "backup":
            report = backup(settings.database_url, args.path, overwrite=args.overwrite)
            print(f"backup written: {report.path} ({report.size_bytes} bytes)")
        else:
            moved = asyncio.run(copy_to_postgres(settings.database_url, args.to, progress=print))
            print(
                f"copied {sum(moved.rows.values())} rows in {len(moved.rows)} tables; "
                f"{len(moved.sequences)} id sequences set past the highest id"
            )
    except (BackupRefused, MoveRefused) as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return 1
    return 0
