"""The event log of the conversations: written with each change, read by the streams."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import bound_values, dialect_of, value_params
from app.models import MessageEvent, MessageEventKind, Youth
from app.realtime.hub import CHANNEL, wake_after_commit

# Two transactions may commit in the other order than they took their ids, so a
# stream looks this many ids back and skips what it already sent.
LOOKBACK_IDS = 500
# The most events one stream reads at a time (a long-closed stream catches up in steps).
BATCH_LIMIT = 200

# Core, not ORM: nobody needs the row back as an object, and the ORM's bulk-insert
# path costs twice the CPU of the statement itself.
# The newest event of a young person's conversation, as a column of their course record
# (correlated): where a page's live stream starts (`?after=`).
LATEST_EVENT = (
    select(func.max(MessageEvent.id))
    .where(col(MessageEvent.youth_id) == col(Youth.id))
    .correlate(Youth)
    .scalar_subquery()
)
_INSERT_EVENT = insert(MessageEvent.__table__).values(  # type: ignore[attr-defined]
    bound_values(("youth_id", "kind", "message_id", "actor_id", "created_at"))
)
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


async def record(
    db: AsyncSession,
    *,
    youth_id: int,
    kind: MessageEventKind,
    message_id: int | None,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Log one event and wake every app process's streams for this conversation."""
    values = {
        "youth_id": youth_id,
        "kind": kind,
        "message_id": message_id,
        "actor_id": actor_id,
        "created_at": now,
    }
    await db.exec(_INSERT_EVENT, params=value_params(values))  # type: ignore[call-overload]
    if dialect_of(db) == "postgresql":
        # Delivered by PostgreSQL only when (and if) this transaction commits.
        connection = await db.connection()
        await connection.execute(_NOTIFY, {"channel": CHANNEL, "payload": str(youth_id)})
    wake_after_commit(db, youth_id)


async def latest_id(db: AsyncSession, *, youth_ids: list[int]) -> int:
    """The newest event id of these conversations: where a freshly loaded page's stream starts."""
    if not youth_ids:
        return 0
    value = (
        await db.exec(
            select(func.max(MessageEvent.id)).where(col(MessageEvent.youth_id).in_(youth_ids))
        )
    ).one()
    return int(value or 0)


async def after(
    db: AsyncSession, *, youth_ids: list[int], after_id: int, limit: int = BATCH_LIMIT
) -> list[MessageEvent]:
    """Events of these conversations with an id above `after_id`, oldest first."""
    if not youth_ids:
        return []
    rows = await db.exec(
        select(MessageEvent)
        .where(col(MessageEvent.youth_id).in_(youth_ids), col(MessageEvent.id) > after_id)
        .order_by(col(MessageEvent.id))
        .limit(limit)
    )
    return list(rows.all())
