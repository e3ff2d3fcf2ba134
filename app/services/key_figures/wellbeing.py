"""WHO-5 progression (first against latest score) and how many check-ins were done of
those the cadence asks for. Two aggregate queries; the scores never leave the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import CheckIn, Youth
from app.services.key_figures.period import Period
from app.services.key_figures.scope import (
    Scope,
    days_between,
    followed,
    followed_youth_ids,
    last_course_ends,
    rows,
)

WHO5 = "who5"
# A change of 10 points on the 0-100 WHO-5 scale is meaningful (DESIGN.md).
MEANINGFUL_GAIN = 10


@dataclass(frozen=True)
class Progression:
    measured: int  # young people with two or more WHO-5
    total_change: int  # sum over them of latest minus first
    gained: int  # of them, a gain of 10 points or more


@dataclass(frozen=True)
class Completion:
    expected: int
    done: int  # capped at the number expected, per young person
    young_people: int  # with at least one check-in expected


async def progression(db: AsyncSession, *, scope: Scope, period: Period) -> Progression:
    ranked = (
        select(
            CheckIn.youth_id,
            CheckIn.score,
            func.row_number()
            .over(
                partition_by=col(CheckIn.youth_id),
                order_by=(col(CheckIn.taken_at), col(CheckIn.id)),
            )
            .label("from_first"),
            func.row_number()
            .over(
                partition_by=col(CheckIn.youth_id),
                order_by=(col(CheckIn.taken_at).desc(), col(CheckIn.id).desc()),
            )
            .label("from_latest"),
        )
        .where(
            CheckIn.instrument_code == WHO5,
            col(CheckIn.taken_at) < period.as_of_ends_at,
            col(CheckIn.youth_id).in_(followed_youth_ids(scope, period)),
        )
        .subquery("ranked")
    )
    per_youth = (
        select(
            func.max(case((ranked.c.from_first == 1, ranked.c.score))).label("first"),
            func.max(case((ranked.c.from_latest == 1, ranked.c.score))).label("latest"),
        )
        .group_by(ranked.c.youth_id)
        .having(func.count() >= 2)
        .subquery("per_youth")
    )
    change = per_youth.c.latest - per_youth.c.first
    statement = select(
        func.count(),
        func.coalesce(func.sum(change), 0),
        func.coalesce(func.sum(case((change >= MEANINGFUL_GAIN, 1), else_=0)), 0),
    )
    measured, total, gained = (await rows(db, statement))[0]
    return Progression(int(measured), int(total), int(gained))


async def completion(db: AsyncSession, *, scope: Scope, period: Period) -> Completion:
    last_end = last_course_ends()
    done = (
        select(CheckIn.youth_id, func.count().label("n"))
        .where(
            CheckIn.instrument_code == WHO5,
            col(CheckIn.taken_at) >= period.starts_at,
            col(CheckIn.taken_at) < period.as_of_ends_at,
        )
        .group_by(col(CheckIn.youth_id))
        .subquery("done")
    )
    started = col(Youth.course_started_on)
    window_start = case((started > period.start, started), else_=period.start)
    ended_on = last_end.c.ended_on
    window_end = case(
        (and_(ended_on.is_not(None), ended_on < period.as_of), ended_on), else_=period.as_of
    )
    days = days_between(db, window_start, window_end) + 1
    per_youth = (
        select(
            case((days > 0, days // col(Youth.checkin_cadence_days)), else_=0).label("expected"),
            func.coalesce(done.c.n, 0).label("done"),
        )
        .outerjoin(last_end, last_end.c.youth_id == col(Youth.id))
        .outerjoin(done, done.c.youth_id == col(Youth.id))
        .where(scope.youth(), followed(period, last_end))
        .subquery("per_youth")
    )
    expected, count = per_youth.c.expected, per_youth.c.done
    statement = select(
        func.coalesce(func.sum(expected), 0),
        func.coalesce(func.sum(case((count < expected, count), else_=expected)), 0),
        func.coalesce(func.sum(case((expected > 0, 1), else_=0)), 0),
    )
    total, capped, young = (await rows(db, statement))[0]
    return Completion(int(total), int(capped), int(young))
