"""The group and the outcomes: who was followed, new and ended courses, long-term plans,
how courses ended and how long the way to a destination took. Two aggregate queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, exists, func
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import (
    CourseEnd,
    CourseEndOutcome,
    Enrollment,
    EnrollmentKind,
    PlanStep,
    ReadinessGroup,
    Youth,
)
from app.services.key_figures.period import Period
from app.services.key_figures.scope import Scope, days_between, rows
from app.services.plan.steps import LONG_TERM_PLAN_MIN_STEPS

POSITIVE = (CourseEndOutcome.education, CourseEndOutcome.job)


@dataclass
class Courses:
    followed: Counter[ReadinessGroup] = field(default_factory=Counter)
    new: Counter[ReadinessGroup] = field(default_factory=Counter)
    with_plan: int = 0


@dataclass
class Outcomes:
    ended: Counter[ReadinessGroup] = field(default_factory=Counter)
    by_outcome: Counter[CourseEndOutcome] = field(default_factory=Counter)
    started_education: int = 0
    # Days from course start to destination, for each positive course end.
    days: Counter[int] = field(default_factory=Counter)


def plan_steps(among: Any = None) -> Subquery:
    """Plan steps not deleted, per young person (`among`: only these young people)."""
    query = select(PlanStep.youth_id, func.count().label("n")).where(
        col(PlanStep.deleted_at).is_(None)
    )
    if among is not None:
        query = query.where(col(PlanStep.youth_id).in_(among))
    return query.group_by(col(PlanStep.youth_id)).subquery("steps")


def has_long_term_plan(steps: Subquery) -> Any:
    """A destination and at least three steps (`app/services/plan/steps.py`), on the youth row."""
    return and_(
        col(Youth.destination).is_not(None),
        col(Youth.destination) != "",
        steps.c.n >= LONG_TERM_PLAN_MIN_STEPS,
    )


async def courses(db: AsyncSession, *, scope: Scope, period: Period) -> Courses:
    """Counted in the one pass over the young people followed (`followed.py`)."""
    from app.services.key_figures.followed import followed_figures

    return (await followed_figures(db, scope=scope, period=period)).courses


async def outcomes(db: AsyncSession, *, scope: Scope, period: Period) -> Outcomes:
    any_start = aliased(Enrollment)
    started_education = (
        exists()
        .where(
            col(any_start.youth_id) == col(CourseEnd.youth_id),
            col(any_start.kind) == EnrollmentKind.education,
            col(any_start.starts_on) <= col(CourseEnd.ended_on),
        )
        .correlate(CourseEnd)
    )
    reached_on = func.coalesce(col(Enrollment.starts_on), col(CourseEnd.ended_on))
    ends = (
        select(
            col(Youth.readiness_group).label("grp"),
            col(CourseEnd.outcome).label("outcome"),
            case((started_education, 1), else_=0).label("education"),
            days_between(db, col(Youth.course_started_on), reached_on).label("days"),
        )
        .join(Youth, col(Youth.id) == col(CourseEnd.youth_id))
        .outerjoin(Enrollment, col(Enrollment.id) == col(CourseEnd.enrollment_id))
        .where(scope.youth(), col(CourseEnd.ended_on).between(period.start, period.end))
        .subquery("ends")
    )
    statement = select(  # type: ignore[call-overload]
        ends.c.grp, ends.c.outcome, ends.c.education, ends.c.days, func.count()
    ).group_by(ends.c.grp, ends.c.outcome, ends.c.education, ends.c.days)
    result = Outcomes()
    for group, outcome, education, days, count in await rows(db, statement):
        result.ended[ReadinessGroup(group)] += count
        result.by_outcome[CourseEndOutcome(outcome)] += count
        result.started_education += count if education else 0
        if outcome in POSITIVE:
            result.days[max(0, int(days))] += count
    return result
