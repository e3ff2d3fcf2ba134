"""What /metrics reads from the database when it is scraped.

Only counts, ages and job names leave here: no ids, names or texts of people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import JobRun, Notification, NotificationAttempt, NotificationStatus

# A notification without a channel goes by the person's preferences, chosen at delivery.
BY_PREFERENCE = "preferred"
FAILED_OUTCOMES = ("retry", "failed", "interrupted")


@dataclass
class DatabaseGauges:
    notifications: dict[tuple[str, str], int] = field(default_factory=dict)  # (state, channel)
    oldest_due_pending_seconds: float = 0.0
    # (channel, outcome) -> attempts
    delivery_failures: dict[tuple[str, str], int] = field(default_factory=dict)
    job_last_success: dict[str, float] = field(default_factory=dict)  # name -> Unix time


async def read(db: AsyncSession, *, now: datetime) -> DatabaseGauges:
    gauges = DatabaseGauges()
    channel = func.coalesce(col(Notification.channel), BY_PREFERENCE)
    rows = await db.exec(
        select(Notification.status, channel, func.count()).group_by(
            col(Notification.status), channel
        )
    )
    gauges.notifications = {(str(state), str(chan)): count for state, chan, count in rows}

    oldest = (
        await db.exec(
            select(func.min(Notification.not_before)).where(
                Notification.status == NotificationStatus.pending,
                col(Notification.not_before) <= now,
            )
        )
    ).one()
    if oldest is not None:
        gauges.oldest_due_pending_seconds = max(0.0, (now - _aware(oldest)).total_seconds())

    failures = await db.exec(
        select(NotificationAttempt.channel, NotificationAttempt.outcome, func.count())
        .where(col(NotificationAttempt.outcome).in_(FAILED_OUTCOMES))
        .group_by(col(NotificationAttempt.channel), col(NotificationAttempt.outcome))
    )
    gauges.delivery_failures = {(chan, str(outcome)): count for chan, outcome, count in failures}

    runs = await db.exec(select(JobRun.name, JobRun.last_success_at))
    gauges.job_last_success = {name: _aware(at).timestamp() for name, at in runs}
    return gauges


def _aware(value: datetime | str) -> datetime:
    # min() over a UTCDateTime column may come back raw on SQLite (a string).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
