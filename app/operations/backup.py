"""`trinvis backup PATH`: a consistent copy of a SQLite install, taken while it runs.

SQLite's online backup API copies the database page by page inside one read
transaction: in WAL mode writers carry on meanwhile, and the copy is the database as
it was when the backup began. The copy is checked (`integrity_check`) and written under
a temporary name first, so PATH is either a whole, good backup or nothing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupRefused(RuntimeError):
    """The backup cannot be made (not SQLite, no database there, PATH exists)."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size_bytes: int
    tables: int


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        raise BackupRefused(
            "trinvis backup copies SQLite installs; back up PostgreSQL with pg_dump "
            "(docs/operations.md, Backup and restore)"
        )
    if not url.database or url.database == ":memory:":
        raise BackupRefused("the database URL names no SQLite file")
    return Path(url.database)


def backup(database_url: str, target: Path, *, overwrite: bool = False) -> BackupReport:
    source_path = sqlite_path(database_url)
    if not source_path.is_file():
        raise BackupRefused(f"no SQLite database at {source_path}")
    if target.exists() and not overwrite:
        raise BackupRefused(f"{target} exists; choose a new name (or --overwrite)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        tables = _copy(source_path, partial)
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return BackupReport(path=target, size_bytes=target.stat().st_size, tables=tables)


def _copy(source_path: Path, partial: Path) -> int:
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # all pages in one step: one snapshot, writers not blocked
        # One self-contained file: the copy needs no -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        checked = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if checked != "ok":
            raise BackupRefused(f"the copy failed SQLite's integrity check: {checked}")
        count = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        return int(count.fetchone()[0])
    finally:
        copy.close()
        source.close()
