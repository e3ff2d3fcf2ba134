"""Data retention: a young person's data is deleted when their course ended longer ago
than the municipality's retention period (admin setting, 60 months by default).

The worker job `data-retention` finds young people whose course has ended (status
"ended") and whose last course end is older than the period, and deletes each in a
transaction of their own: the `Youth` row, their `User` account, and every row that
references either, found from the foreign keys of the schema itself, so a table added
later is covered without anyone remembering this module. Rows that only *mention* the
person in a nullable column (a sign-in challenge, say) keep the row and lose the
reference. Running it twice deletes nothing more: the people are gone.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, update
from sqlalchemy.sql import ColumnElement
from sqlmodel import SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import add_months, copenhagen_today
from app.models import CourseEnd, CourseStatus, User, Youth
from app.services.admin import changes, municipal_settings

log = logging.getLogger("trinvis.retention")

# Deeper than any chain of references in the schema; a cycle would stop here.
MAX_DEPTH = 8


async def expired_youth_ids(db: AsyncSession, *, today: date, months: int) -> list[int]:
    """Young people whose course ended before `today` minus `months` (and not restarted)."""
    cutoff = add_months(today, -months)
    last_end = (
        select(CourseEnd.youth_id, func.max(CourseEnd.ended_on).label("ended_on"))
        .group_by(col(CourseEnd.youth_id))
        .subquery()
    )
    rows = await db.exec(
        select(Youth.id)
        .join(last_end, last_end.c.youth_id == col(Youth.id))
        .where(col(Youth.status) == CourseStatus.ended, last_end.c.ended_on < cutoff)
        .order_by(col(Youth.id))
    )
    return [youth_id for youth_id in rows.all() if youth_id is not None]


async def erase_youth(db: AsyncSession, *, youth_id: int, now: datetime) -> bool:
    """Delete one young person and everything that references them; False if gone already."""
    youth = await db.get(Youth, youth_id)
    if youth is None:
        return False
    user_id = youth.user_id
    user = await db.get(User, user_id)
    # The rows go by plain DELETE statements: the session must not keep them either.
    db.expunge(youth)
    if user is not None:
        db.expunge(user)
    users: Table = User.__table__  # type: ignore[attr-defined]
    # Deleting the account reaches the Youth row (youth.user_id) and, from there, all
    # of the young person's data.
    await _remove(db, users, users.c.id == user_id, depth=0)
    await changes.record(
        db,
        actor=None,
        action="retention.erase",
        target=f"youth:{youth_id}",
        before={"youth_id": youth_id},
        now=now,
    )
    log.info("young person's data deleted", extra={"event": "retention_erase", "youth": youth_id})
    return True


async def _remove(db: AsyncSession, table: Table, where: ColumnElement[bool], depth: int) -> None:
    """Delete the rows of `table` matching `where`, after whatever references them."""
    if depth > MAX_DEPTH:
        raise RuntimeError(f"references nested deeper than {MAX_DEPTH} below {table.name}")
    for child in SQLModel.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is not table:
                continue
            keys = select(fk.column).where(where)
            referencing: Any = fk.parent
            if referencing.nullable:
                await db.exec(
                    update(child).where(referencing.in_(keys)).values({referencing.name: None})  # type: ignore[call-overload]
                )
            else:
                await _remove(db, child, referencing.in_(keys), depth + 1)
    await db.exec(delete(table).where(where))  # type: ignore[call-overload]


async def run_retention(db: AsyncSession, now: datetime) -> int:
    """The worker job: delete every young person past the retention period.

    One transaction per young person, so a failure leaves the others done and the
    next run picks up where this one stopped.
    """
    months = (await municipal_settings.current(db)).retention_months
    erased = 0
    for youth_id in await expired_youth_ids(db, today=copenhagen_today(now), months=months):
        erased += await erase_youth(db, youth_id=youth_id, now=now)
        await db.commit()
    return erased
