"""Follow-ups after a start in education or a job (eftervend): how many stayed, how many
dropped out, and whether follow-ups were answered and handled on time.

The working-day rules are the call list's (`followups.schedule.is_overdue`): Danish
holidays live in Python, so the database groups the rows (by start date, by due date and
hour handled) and the few grouped rows are judged here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import add_months, add_working_days, copenhagen_today
from app.models import Enrollment, EnrollmentEnd, FollowUp, Youth
from app.models.base import utc_aggregate
from app.services.followups.schedule import OVERDUE_AFTER_WORKING_DAYS, is_overdue
from app.services.key_figures.period import Period, local_midnight
from app.services.key_figures.scope import Scope, rows

RETENTION_MONTHS = (3, 6, 12)


@dataclass
class Retention:
    eligible: Counter[int] = field(default_factory=Counter)  # by months
    dropped: Counter[int] = field(default_factory=Counter)
    running: int = 0  # starts running at some time in the period
    dropped_in_period: int = 0


@dataclass(frozen=True)
class FollowUps:
    due: int
    young_people: int
    answered: int
    window_closed: int
    on_time: int


async def retention(db: AsyncSession, *, scope: Scope, period: Period) -> Retention:
    """One row per start date (and per drop-out time): small however many starts there are.

    Retention after m months counts the starts whose m-month mark falls in the period."""
    dropped = col(Enrollment.end_reason) == EnrollmentEnd.dropped_out
    statement = (
        select(  # type: ignore[call-overload]
            col(Enrollment.starts_on),
            case((dropped, col(Enrollment.ended_at)), else_=None).label("dropped_at"),
            case((col(Enrollment.ended_at) < period.starts_at, 1), else_=0).label("ended_before"),
            func.count(),
        )
        .join(Youth, col(Youth.id) == col(Enrollment.youth_id))
        .where(scope.youth(), col(Enrollment.starts_on) <= period.as_of)
        .group_by(col(Enrollment.starts_on), "dropped_at", "ended_before")
    )
    result = Retention()
    for starts_on, dropped_at, ended_before, count in await rows(db, statement):
        dropped_on = copenhagen_today(utc_aggregate(dropped_at)) if dropped_at else None
        for months in RETENTION_MONTHS:
            mark = add_months(starts_on, months)
            # The start counts in the half-year its 3-, 6- or 12-month mark falls in: each
            # start in one report only, so two reports share no start to subtract.
            if period.start <= mark <= period.as_of:
                result.eligible[months] += count
                if dropped_on is not None and dropped_on < mark:
                    result.dropped[months] += count
        if not ended_before:
            result.running += count
            if dropped_on is not None and period.start <= dropped_on <= period.as_of:
                result.dropped_in_period += count
    return result


async def follow_ups(db: AsyncSession, *, scope: Scope, period: Period) -> FollowUps:
    last_due = period.as_of
    due = and_(
        col(FollowUp.due_on).between(period.start, last_due),
        col(FollowUp.cancelled_at).is_(None),
        col(FollowUp.youth_id).in_(select(Youth.id).where(scope.youth())),
    )
    totals = select(
        func.count(),
        func.count(func.distinct(FollowUp.youth_id)),
        func.coalesce(func.sum(case((col(FollowUp.answered_at).is_not(None), 1), else_=0)), 0),
    ).where(due)
    count, young, answered = (await rows(db, totals))[0]
    hour = _handled_hour(db)
    by_day = (
        select(col(FollowUp.due_on), hour.label("hour"), func.count())  # type: ignore[call-overload]
        .where(due)
        .group_by(col(FollowUp.due_on), "hour")
    )
    closed = on_time = 0
    for due_on, handled_hour, n in await rows(db, by_day):
        if not is_overdue(due_on, period.today):
            continue  # the window is still open: not judged yet
        closed += n
        if handled_hour is not None and utc_aggregate(handled_hour) < window_closes_at(due_on):
            on_time += n
    return FollowUps(int(count), int(young), int(answered), closed, on_time)


@cache
def window_closes_at(due_on: date) -> datetime:
    """Midnight after the last working day of the handling window, in UTC."""
    last = add_working_days(due_on, OVERDUE_AFTER_WORKING_DAYS)
    return local_midnight(last + timedelta(days=1))


def _handled_hour(db: AsyncSession) -> ColumnElement[Any]:
    """`handled_at` cut to the hour in UTC (Copenhagen's midnight is always a whole UTC hour)."""
    handled = col(FollowUp.handled_at)
    if db.get_bind().dialect.name == "sqlite":
        return func.substr(handled, 1, 13)
    return func.date_trunc("hour", func.timezone("UTC", handled))
