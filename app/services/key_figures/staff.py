"""Contact persons: changes of guide per young person, and caseload sizes per guide.

Every change of guide is a new `GuideAssignment` period (the first period of a young
person is no change). Caseloads are counted from the periods open at the end of the
report's period, so a past half-year shows the caseloads as they were then.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import GuideAssignment, Role, User, Youth
from app.services.key_figures.period import Period
from app.services.key_figures.scope import Scope, followed_youth_ids, last_course_ends, rows


@dataclass(frozen=True)
class Changes:
    changes: int
    young_people: int  # with at least one change in the period


async def changes(db: AsyncSession, *, scope: Scope, period: Period) -> Changes:
    in_period = and_(
        col(GuideAssignment.started_at) >= period.starts_at,
        col(GuideAssignment.started_at) < period.ends_at,
    )
    first = func.min(GuideAssignment.started_at)
    per_youth = (
        select(
            (
                func.sum(case((in_period, 1), else_=0))
                - case(
                    (and_(first >= period.starts_at, first < period.ends_at), 1),
                    else_=0,
                )
            ).label("n")
        )
        .where(col(GuideAssignment.youth_id).in_(followed_youth_ids(scope, period)))
        .group_by(col(GuideAssignment.youth_id))
        .subquery("per_youth")
    )
    statement = select(
        func.coalesce(func.sum(per_youth.c.n), 0),
        func.coalesce(func.sum(case((per_youth.c.n > 0, 1), else_=0)), 0),
    )
    total, young = (await rows(db, statement))[0]
    return Changes(int(total), int(young))


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
            col(User.id).in_(scope.guides),
            User.role == Role.guide,
            col(User.is_active),
        )
    )
    return sorted(int(n) for (n,) in await rows(db, statement))
