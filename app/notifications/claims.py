"""Claiming due notifications with a lease, so any number of workers send each one once.

Why a claim-with-lease on the outbox table and not a job queue such as procrastinate:
the outbox row *is* the job. It is written in the same transaction as the event (a
message, a check-in), so there is nothing to enqueue separately and nothing to lose
between "event saved" and "job queued"; a job library would either need that second
write or its own tables and listener. The same few statements also run on SQLite,
where Trinvis runs as one process with the worker inside (procrastinate is
PostgreSQL-only). And the lease is what makes a killed worker harmless: its claim
runs out, another worker claims the row again and calls the gateway with the same
idempotency key.

- PostgreSQL: `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`: workers
  never wait for each other and never claim the same row.
- SQLite: the same UPDATE ... RETURNING inside the engine's `BEGIN IMMEDIATE`
  transaction (app/db.py), which holds the single write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import Notification, NotificationAttempt, NotificationStatus


@dataclass(frozen=True)
class Claim:
    notification_id: int
    # The notification's attempt counter after this claim: the fencing token. Only the
    # worker holding the newest claim may record the outcome.
    number: int


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            col(Notification.status) == NotificationStatus.pending,
            col(Notification.not_before) <= now,
        ),
        and_(
            col(Notification.status) == NotificationStatus.sending,
            col(Notification.lease_until) < now,
        ),
    )


async def claim_due(
    db: AsyncSession, *, now: datetime, lease_seconds: int, limit: int = 10
) -> list[Claim]:
    """Claim up to `limit` due notifications (urgent first) for `lease_seconds`.

    The caller commits right away, so other workers see the lease.
    """
    candidates = (
        select(Notification.id)
        .where(_due(now))
        .order_by(col(Notification.urgent).desc(), col(Notification.not_before))
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(Notification)
        .where(col(Notification.id).in_(candidates.scalar_subquery()))
        .values(
            status=NotificationStatus.sending,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=Notification.attempts + 1,  # type: ignore[operator]
        )
        .returning(
            col(Notification.id),
            col(Notification.attempts),
            col(Notification.urgent),
            col(Notification.not_before),
        )
    )
    rows = (await db.exec(statement)).all()  # type: ignore[call-overload]
    # RETURNING gives the rows in no set order (PostgreSQL): deliver them in the order
    # they were chosen, so a message's first notice goes before its delayed SMS and the
    # SMS can see that it is no longer needed.
    ordered = sorted(rows, key=lambda row: (not row[2], row[3], row[0]))
    claims = [Claim(int(row[0]), int(row[1])) for row in ordered]
    if claims:
        # Attempts a killed worker left open: its lease ran out, say so.
        await db.exec(
            update(NotificationAttempt)  # type: ignore[call-overload]
            .where(
                col(NotificationAttempt.notification_id).in_([c.notification_id for c in claims]),
                col(NotificationAttempt.outcome).is_(None),
            )
            .values(
                outcome="interrupted",
                finished_at=now,
                detail="the worker stopped during the call; its lease ran out",
            )
        )
    return claims
