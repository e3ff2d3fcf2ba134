"""`trinvis copy-to-postgres --to URL`: move a SQLite install to PostgreSQL.

The target must be migrated to the same revision as the source (`trinvis migrate` with
its URL) and hold no rows: anything else is refused before a row is written. Every table
is copied in foreign-key order, in one transaction on the target (all or nothing), read
from one snapshot of the source. Afterwards each table's row count must be equal, and
every id sequence is set past the highest id copied, so new rows get new ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (every table in the metadata)
from app.db import make_engine

BATCH = 1000
# Filled by the migrations themselves (the check-in questionnaires): the same rows in
# any migrated database, so they do not make a target "not empty"; the source's copy
# replaces them.
SEEDED_TABLES = frozenset({"instrument"})


class MoveRefused(RuntimeError):
    """The target is not an empty, migrated PostgreSQL database at the source's revision."""


@dataclass
class MoveReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    sequences: dict[str, int] = field(default_factory=dict)  # sequence -> its next value


def tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


async def copy_to_postgres(
    source_url: str, target_url: str, *, progress: Callable[[str], None] = lambda _: None
) -> MoveReport:
    if not source_url.startswith("sqlite"):
        raise MoveRefused("the source must be a SQLite install (TRINVIS_DATABASE_URL)")
    if not target_url.startswith("postgresql"):
        raise MoveRefused("--to must be a postgresql+asyncpg:// URL")
    source_engine = make_engine(source_url)
    target_engine = make_engine(target_url)
    try:
        async with source_engine.connect() as source, target_engine.connect() as target:
            await _check(source, target)
            async with target.begin():
                for table in reversed(tables()):
                    if table.name in SEEDED_TABLES:
                        await target.execute(table.delete())
                report = MoveReport()
                for table in tables():
                    report.rows[table.name] = await _copy_table(source, target, table)
                    progress(f"{table.name}: {report.rows[table.name]} rows")
                report.sequences = await _set_sequences(target)
                await _verify(source, target, report)
            return report
    finally:
        await source_engine.dispose()
        await target_engine.dispose()


async def _revision(connection: AsyncConnection) -> set[str]:
    try:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
    except Exception as error:  # no such table: never migrated
        raise MoveRefused("a database is not migrated: run `trinvis migrate` on it") from error
    return {row[0] for row in rows}


async def _check(source: AsyncConnection, target: AsyncConnection) -> None:
    source_revision = await _revision(source)
    await source.rollback()
    # Reads from here to the end are one snapshot of the source.
    await source.begin()
    target_revision = await _revision(target)
    if source_revision != target_revision:
        raise MoveRefused(
            f"the target is at migration {sorted(target_revision)}, the source at "
            f"{sorted(source_revision)}: migrate both to the same revision first"
        )
    holding = [
        table.name
        for table in tables()
        if table.name not in SEEDED_TABLES
        and (await target.execute(select(func.count()).select_from(table))).scalar_one()
    ]
    await target.rollback()
    if holding:
        raise MoveRefused(f"the target is not empty: rows in {', '.join(holding)}")


async def _copy_table(source: AsyncConnection, target: AsyncConnection, table: Table) -> int:
    copied = 0
    order = list(table.primary_key.columns) or list(table.columns)
    result = await source.stream(select(table).order_by(*order))
    async for batch in result.mappings().partitions(BATCH):
        rows: list[dict[str, Any]] = [dict(row) for row in batch]
        await target.execute(insert(table), rows)
        copied += len(rows)
    return copied


async def _set_sequences(target: AsyncConnection) -> dict[str, int]:
    """Each serial/identity id's sequence continues after the highest id copied."""
    found: dict[str, int] = {}
    for table in tables():
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = (
                await target.execute(
                    text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": f'"{table.name}"', "column": column.name},
                )
            ).scalar_one()
            if sequence is None:
                continue
            highest = (await target.execute(select(func.max(column)))).scalar_one()
            # is_called false: the next id is exactly this value.
            next_id = (highest or 0) + 1
            await target.execute(
                text("SELECT setval(:sequence, :next_id, false)"),
                {"sequence": sequence, "next_id": next_id},
            )
            found[sequence] = next_id
    return found


async def _verify(source: AsyncConnection, target: AsyncConnection, report: MoveReport) -> None:
    for table in tables():
        count = select(func.count()).select_from(table)
        expected = (await source.execute(count)).scalar_one()
        landed = (await target.execute(count)).scalar_one()
        if not expected == landed == report.rows[table.name]:
            raise MoveRefused(
                f"{table.name}: {expected} rows in the source, {landed} in the target; "
                "nothing was committed"
            )
