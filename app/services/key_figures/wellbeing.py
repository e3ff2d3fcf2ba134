"""WHO-5 progression (first against latest score in the half-year) and how many check-ins
were done of those the cadence asks for. Two aggregate queries; the scores never leave
the database.

Only check-ins taken inside the period count, so the reports of two half-years rest on
different check-ins: one cannot be subtracted from the other to find one young
person's change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import CheckIn, Youth
from app.services.key_figures.period import Period
from app.services.key_figures.scope import Scope, days_between, followed_youth_ids, rows

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
    """First against latest WHO-5 in the period, per young person followed.

    Young people with check-ins at two or more moments count. Check-ins are ordered by
    time, then score: at the same moment, the lower score comes first. PostgreSQL looks
    the two scores up per young person in the index (a lateral join); SQLite groups once
    and looks them up after.
    """
    if db.get_bind().dialect.name == "postgresql":
        statement = _progression_lateral(scope, period)
    else:
        statement = _progression_grouped(scope, period)
    measured, total, gained = (await rows(db, statement))[0]
    return Progression(int(measured), int(total), int(gained))


def _totals(change: Any) -> Any:
    return select(
        func.count(),
        func.coalesce(func.sum(change), 0),
        func.coalesce(func.sum(case((change >= MEANINGFUL_GAIN, 1), else_=0)), 0),
    )


def _progression_lateral(scope: Scope, period: Period) -> Any:
    followed = followed_youth_ids(scope, period).subquery("followed")

    def probe(name: str, *, latest: bool) -> Any:
        other = aliased(CheckIn)
        order = (
            (col(other.taken_at).desc(), col(other.score).desc())
            if latest
            else (col(other.taken_at), col(other.score))
        )
        return (
            select(other.score, other.taken_at)
            .where(
                col(other.instrument_code) == WHO5,
                col(other.youth_id) == followed.c.id,
                col(other.taken_at) >= period.starts_at,
                col(other.taken_at) < period.as_of_ends_at,
            )
            .order_by(*order)
            .limit(1)
            .lateral(name)
        )

    first, latest = probe("first", latest=False), probe("latest", latest=True)
    return (
        _totals(latest.c.score - first.c.score)
        .select_from(followed)
        .join(first, true())
        .join(latest, true())
        .where(latest.c.taken_at > first.c.taken_at)
    )


def _progression_grouped(scope: Scope, period: Period) -> Any:
    per_youth = (
        select(
            CheckIn.youth_id,
            func.min(CheckIn.taken_at).label("first_at"),
            func.max(CheckIn.taken_at).label("latest_at"),
        )
        .where(
            CheckIn.instrument_code == WHO5,
            col(CheckIn.taken_at) >= period.starts_at,
            col(CheckIn.taken_at) < period.as_of_ends_at,
            col(CheckIn.youth_id).in_(followed_youth_ids(scope, period)),
        )
        .group_by(col(CheckIn.youth_id))
        .having(func.min(CheckIn.taken_at) < func.max(CheckIn.taken_at))
        .subquery("per_youth")
    )

    def score_at(moment: Any, pick: Any) -> Any:
        other = aliased(CheckIn)
        return (
            select(pick(other.score))
            .where(
                col(other.instrument_code) == WHO5,
                col(other.youth_id) == per_youth.c.youth_id,
                col(other.taken_at) == moment,
            )
            .correlate(per_youth)
            .scalar_subquery()
        )

    changes = (
        select(
            (
                score_at(per_youth.c.latest_at, func.max) - score_at(per_youth.c.first_at, func.min)
            ).label("change")
        )
        .select_from(per_youth)
        .subquery("changes")
    )
    return _totals(changes.c.change)


def checkins_done(period: Period, among: Any = None) -> Subquery:
    """WHO-5 check-ins taken in the period, per young person (`among`: only these)."""
    query = select(CheckIn.youth_id, func.count().label("n")).where(
        CheckIn.instrument_code == WHO5,
        col(CheckIn.taken_at) >= period.starts_at,
        col(CheckIn.taken_at) < period.as_of_ends_at,
    )
    if among is not None:
        query = query.where(col(CheckIn.youth_id).in_(among))
    return query.group_by(col(CheckIn.youth_id)).subquery("done")


def checkins_expected(db: AsyncSession, period: Period, last_end: Subquery) -> Any:
    """Whole cadence intervals from the later of course start and the period's first day
    to the earlier of course end and the end of the period (the young person's row)."""
    started = col(Youth.course_started_on)
    window_start = case((started > period.start, started), else_=period.start)
    ended_on = last_end.c.ended_on
    window_end = case(
        (and_(ended_on.is_not(None), ended_on < period.as_of), ended_on), else_=period.as_of
    )
    days = days_between(db, window_start, window_end) + 1
    return case((days > 0, days // col(Youth.checkin_cadence_days)), else_=0)


async def completion(db: AsyncSession, *, scope: Scope, period: Period) -> Completion:
    """Counted in the one pass over the young people followed (`followed.py`)."""
    from app.services.key_figures.followed import followed_figures

    return (await followed_figures(db, scope=scope, period=period)).completion
