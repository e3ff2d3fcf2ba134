"""Contact persons: changes of guide per young person, and caseload sizes per guide.

Every change of guide is a new `GuideAssignment` period (the first period of a young
person is no change). Caseloads are counted from the periods open at the end of the
report's period, so a past half-year shows the caseloads as they were then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlalchemy.sql import Subquery
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import GuideAssignment, Role, User, Youth
from app.services.key_figures.period import Period
from app.services.key_figures.scope import Scope, last_course_ends, rows


@dataclass(frozen=True)
class Changes:
    changes: int
    young_people: int  # with at least one change in the period


def guide_changes(period: Period, among: Any = None) -> Subquery:
    """Changes of guide in the period, per young person: the guide periods begun in it,
    less one if the young person's first guide period began in it (`among`: only these
    young people)."""
    in_period = and_(
        col(GuideAssignment.started_at) >= period.starts_at,
        col(GuideAssignment.started_at) < period.ends_at,
    )
    first = func.min(GuideAssignment.started_at)
    first_in_period = and_(first >= period.starts_at, first < period.ends_at)
    query = select(
        GuideAssignment.youth_id,
        (func.sum(case((in_period, 1), else_=0)) - case((first_in_period, 1), else_=0)).label("n"),
    )
    if among is not None:
        query = query.where(col(GuideAssignment.youth_id).in_(among))
    return query.group_by(col(GuideAssignment.youth_id)).subquery("moves")


async def changes(db: AsyncSession, *, scope: Scope, period: Period) -> Changes:
    """Counted in the one pass over the young people followed (`followed.py`)."""
    from app.services.key_figures.followed import followed_figures

    return (await followed_figures(db, scope=scope, period=period)).changes


async def caseloads(db: AsyncSession, *, scope: Scope, period: Period) -> list[int]:
    """The caseload of every active guide of the scope at the end of the period."""
    at = period.as_of_ends_at
    last_end = last_course_ends()
    open_periods = (
        select(GuideAssignment.guide_id, func.count().label("n"))
        .join(Youth, col(Youth.id) == col(GuideAssignment.youth_id))
        .outerjoin(last_end, last_end.c.youth_id == col(Youth.id))
        .where(
            col(GuideAssignment.started_at) < at,
            or_(col(GuideAssignment.ended_at).is_(None), col(GuideAssignment.ended_at) >= at),
            col(Youth.course_started_on) <= period.as_of,
            or_(last_end.c.ended_on.is_(None), last_end.c.ended_on > period.as_of),
        )
        .group_by(col(GuideAssignment.guide_id))
        .subquery("open_periods")
    )
    statement = (
        select(func.coalesce(open_periods.c.n, 0))
        .select_from(User)
        .outerjoin(open_periods, open_periods.c.guide_id == col(User.id))
        .where(
            scope.is_guide(col(User.id)),
            User.role == Role.guide,
            col(User.is_active),
        )
    )
    return sorted(int(n) for (n,) in await rows(db, statement))
