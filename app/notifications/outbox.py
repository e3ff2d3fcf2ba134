"""Queue a notification in the same transaction as the event that causes it.

The dedupe key is unique in the database: queuing the same event twice (a retried
request, two workers running the same job) inserts nothing the second time and returns
the row that is already there.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import bound_values, dialect_insert, dialect_of, for_each_dialect, insert_returning
from app.models import Notification

ParamValue = str | int | float | bool | None

_INSERT_NOTIFICATION = for_each_dialect(
    lambda insert: (
        insert(Notification.__table__)  # type: ignore[attr-defined]
        .values(
            bound_values(
                (
                    "user_id",
                    "kind",
                    "channel",
                    "params",
                    "dedupe_key",
                    "urgent",
                    "status",
                    "created_at",
                    "not_before",
                    "attempts",
                )
            )
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(*Notification.__table__.c)  # type: ignore[attr-defined]
    )
)


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
    statement = _INSERT_NOTIFICATION[dialect_of(db)]
    # One statement when new; the retry (nothing inserted) reads the row already there.
    inserted = await insert_returning(db, statement, values, Notification)
    if inserted is not None:
        return inserted
    return (await db.exec(select(Notification).where(Notification.dedupe_key == dedupe_key))).one()


def params_of(notification: Notification) -> dict[str, ParamValue]:
    return dict(json.loads(notification.params or "{}"))


async def enqueue_many(
    db: AsyncSession, notifications: list[dict[str, object]], *, now: datetime
) -> None:
    """Queue many at once (a bulk invitation), each once per dedupe key, in one statement.

    Each item holds `enqueue`'s keyword arguments: user_id, kind, dedupe_key, and
    optionally params, channel, urgent, not_before.
    """
    if not notifications:
        return
    rows = [
        {
            "user_id": item["user_id"],
            "kind": item["kind"],
            "channel": item.get("channel"),
            "params": json.dumps(item.get("params") or {}, ensure_ascii=False, sort_keys=True),
            "dedupe_key": item["dedupe_key"],
            "urgent": bool(item.get("urgent", False)),
            "status": "pending",
            "created_at": now,
            "not_before": item.get("not_before") or now,
            "attempts": 0,
        }
        for item in notifications
    ]
    insert = dialect_insert(db)
    await db.exec(
        insert(Notification.__table__)  # type: ignore[call-overload,attr-defined]
        .values(rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
