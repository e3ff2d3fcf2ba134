"""Queue a notification in the same transaction as the event that causes it.

The dedupe key is unique in the database: queuing the same event twice (a retried
request, two workers running the same job) inserts nothing the second time and returns
the row that is already there.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import Notification

ParamValue = str | int | float | bool | None


async def enqueue(
    db: AsyncSession,
    *,
    user_id: int,
    kind: str,
    dedupe_key: str,
    now: datetime,
    params: dict[str, ParamValue] | None = None,
    channel: str | None = None,
    urgent: bool = False,
    not_before: datetime | None = None,
) -> Notification:
    """Queue one notification for `user_id`, once per `dedupe_key`."""
    values = {
        "user_id": user_id,
        "kind": kind,
        "channel": channel,
        "params": json.dumps(params or {}, ensure_ascii=False, sort_keys=True),
        "dedupe_key": dedupe_key,
        "urgent": urgent,
        "status": "pending",
        "created_at": now,
        "not_before": not_before or now,
        "attempts": 0,
    }
    bind = db.get_bind()
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(Notification).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    await db.exec(statement)  # type: ignore[call-overload]
    row = (await db.exec(select(Notification).where(Notification.dedupe_key == dedupe_key))).one()
    return row


def params_of(notification: Notification) -> dict[str, ParamValue]:
    return dict(json.loads(notification.params or "{}"))
