"""When each background job last finished without error (see `JobRun`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import dialect_insert
from app.models import JobRun

# The delivery job runs every second; writing its row every time would make the worker a
# constant writer. Alerts ask about minutes, so a minute's resolution is plenty.
RECORD_EVERY = timedelta(minutes=1)
_recorded: dict[str, datetime] = {}


async def record_success(db: AsyncSession, *, name: str, now: datetime) -> bool:
    """Move the job's `last_success_at` to `now` (at most once a minute per process)."""
    last = _recorded.get(name)
    if last is not None and last <= now < last + RECORD_EVERY:
        return False
    table = JobRun.__table__  # type: ignore[attr-defined]
    insert = dialect_insert(db)(table).values(name=name, last_success_at=now)
    # Several workers may run: a slower one never moves the time backwards.
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={"last_success_at": insert.excluded.last_success_at},
        where=table.c.last_success_at < insert.excluded.last_success_at,
    )
    await db.exec(statement)
    _recorded[name] = now
    return True
