"""When follow-ups fall due: working days in Denmark, 09:00 Copenhagen time.

Scheduling is idempotent: a follow-up is unique per (enrollment, sequence number), and
rows are inserted with "on conflict do nothing", so two schedulers racing (or one run
twice) create each follow-up once.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import add_months, add_working_days, at_copenhagen_time, next_working_day
from app.db import dialect_insert
from app.models import Enrollment, FollowUp

DUE_TIME = time(9, 0)  # local time on the due date
# A follow-up not handled within this many working days shows as overdue.
OVERDUE_AFTER_WORKING_DAYS = 3


def due_time(day: date) -> datetime:
    """09:00 in Copenhagen on `day`, as an aware datetime (stored as UTC)."""
    return at_copenhagen_time(day, DUE_TIME)


def is_overdue(due_on: date, today: date) -> bool:
    return add_working_days(due_on, OVERDUE_AFTER_WORKING_DAYS) < today


def planned_dates(
    *, starts_on: date, first_gap_days: int, interval_days: int, length_months: int
) -> list[date]:
    """Nominal dates (first after the gap, then every interval), moved to working days.

    Each date is moved on its own, so a holiday never shifts the rest of the schedule.
    """
    last = add_months(starts_on, length_months)
    nominal = starts_on + timedelta(days=first_gap_days)
    dates: list[date] = []
    while nominal <= last:
        dates.append(next_working_day(nominal))
        nominal += timedelta(days=interval_days)
    return dates


async def insert_follow_ups(
    db: AsyncSession, *, enrollment: Enrollment, dates: list[date], first_sequence: int
) -> None:
    """Insert one follow-up per date, skipping any (enrollment, sequence) already there."""
    if not dates:
        return
    assert enrollment.id is not None
    rows = [
        {
            "enrollment_id": enrollment.id,
            "youth_id": enrollment.youth_id,
            "sequence": first_sequence + offset,
            "due_on": day,
            "due_at": due_time(day),
        }
        for offset, day in enumerate(dates)
    ]
    insert = dialect_insert(db)
    statement = (
        insert(FollowUp)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["enrollment_id", "sequence"])
    )
    await db.exec(statement)  # type: ignore[call-overload]


async def schedule(
    db: AsyncSession, *, enrollment: Enrollment, from_day: date | None = None
) -> None:
    """Plan the whole follow-up period of an enrollment (idempotent).

    A start registered late skips the dates before `from_day`; the sequence numbers
    still count from the start, so a second run inserts nothing new.
    """
    dates = planned_dates(
        starts_on=enrollment.starts_on,
        first_gap_days=enrollment.first_gap_days,
        interval_days=enrollment.interval_days,
        length_months=enrollment.length_months,
    )
    skipped = sum(1 for day in dates if from_day is not None and day < from_day)
    await insert_follow_ups(
        db, enrollment=enrollment, dates=dates[skipped:], first_sequence=skipped + 1
    )


def _untouched_future(enrollment_id: int, now: datetime) -> tuple[Any, ...]:
    return (
        col(FollowUp.enrollment_id) == enrollment_id,
        col(FollowUp.due_at) > now,
        col(FollowUp.prompted_at).is_(None),
        col(FollowUp.answered_at).is_(None),
        col(FollowUp.handled_at).is_(None),
        col(FollowUp.cancelled_at).is_(None),
    )


async def replan(db: AsyncSession, *, enrollment: Enrollment, now: datetime) -> None:
    """Re-plan only future follow-ups after the interval, gap or length changed.

    Follow-ups that are due, answered or handled are history and stay as they are; the
    new plan continues from the last of them.
    """
    assert enrollment.id is not None
    await db.exec(delete(FollowUp).where(*_untouched_future(enrollment.id, now)))  # type: ignore[call-overload]
    kept = (
        await db.exec(
            select(FollowUp)
            .where(FollowUp.enrollment_id == enrollment.id)
            .order_by(col(FollowUp.sequence).desc())
        )
    ).first()
    if kept is None:
        await schedule(db, enrollment=enrollment)
        return
    last = add_months(enrollment.starts_on, enrollment.length_months)
    nominal = kept.due_on + timedelta(days=enrollment.interval_days)
    dates: list[date] = []
    while nominal <= last:
        dates.append(next_working_day(nominal))
        nominal += timedelta(days=enrollment.interval_days)
    await insert_follow_ups(
        db, enrollment=enrollment, dates=dates, first_sequence=kept.sequence + 1
    )


async def cancel_future(db: AsyncSession, *, enrollment_id: int, now: datetime) -> None:
    """Stop the schedule: future follow-ups are kept, marked cancelled (history stays)."""
    rows = await db.exec(
        select(FollowUp).where(
            FollowUp.enrollment_id == enrollment_id,
            col(FollowUp.due_at) > now,
            col(FollowUp.cancelled_at).is_(None),
            col(FollowUp.answered_at).is_(None),
        )
    )
    for row in rows.all():
        row.cancelled_at = now
        db.add(row)
    await db.flush()
