"""The figures about the young people followed, counted in one pass over them: the group
by readiness group, long-term plans, check-ins done of those expected, and changes of
contact person. One statement instead of three, because at national size each pass over
the young people costs as much as the counting itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import ReadinessGroup, Youth
from app.services.key_figures.courses import Courses, has_long_term_plan, plan_steps
from app.services.key_figures.period import Period
from app.services.key_figures.scope import Scope, followed, last_course_ends, rows
from app.services.key_figures.staff import Changes, guide_changes
from app.services.key_figures.wellbeing import Completion, checkins_done, checkins_expected


@dataclass(frozen=True)
class FollowedFigures:
    courses: Courses
    completion: Completion
    changes: Changes


async def followed_figures(db: AsyncSession, *, scope: Scope, period: Period) -> FollowedFigures:
    courses = Courses()
    totals = [0] * 5
    for group, n_followed, n_new, n_plan, *rest in await rows(db, _statement(db, scope, period)):
        courses.followed[ReadinessGroup(group)] += int(n_followed or 0)
        courses.new[ReadinessGroup(group)] += int(n_new or 0)
        courses.with_plan += int(n_plan or 0)
        totals = [t + int(v or 0) for t, v in zip(totals, rest, strict=True)]
    expected_total, done_total, young, moved, moved_young = totals
    return FollowedFigures(
        courses=courses,
        completion=Completion(expected_total, done_total, young),
        changes=Changes(moved, moved_young),
    )


def _statement(db: AsyncSession, scope: Scope, period: Period) -> Any:
    """Per readiness group: followed, new, with a plan, check-ins expected and done
    (capped per young person), young people expected to check in, changes of guide, and
    young people who changed guide."""
    among = scope.narrow_ids()
    last_end, steps = last_course_ends(among), plan_steps(among)
    done, moves = checkins_done(period, among), guide_changes(period, among)
    is_followed = followed(period, last_end)
    expected = checkins_expected(db, period, last_end)
    count_done = func.coalesce(done.c.n, 0)
    count_moves = func.coalesce(moves.c.n, 0)

    def among_followed(value: Any, condition: Any = true()) -> Any:
        return func.sum(case((and_(is_followed, condition), value), else_=0))

    statement = (
        select(  # type: ignore[call-overload]
            col(Youth.readiness_group),
            among_followed(1),
            func.sum(
                case((col(Youth.course_started_on).between(period.start, period.end), 1), else_=0)
            ),
            among_followed(1, has_long_term_plan(steps)),
            among_followed(expected),
            among_followed(case((count_done < expected, count_done), else_=expected)),
            among_followed(1, expected > 0),
            among_followed(count_moves),
            among_followed(1, count_moves > 0),
        )
        .outerjoin(last_end, last_end.c.youth_id == col(Youth.id))
        .outerjoin(steps, steps.c.youth_id == col(Youth.id))
        .outerjoin(done, done.c.youth_id == col(Youth.id))
        .outerjoin(moves, moves.c.youth_id == col(Youth.id))
        .where(scope.youth())
        .group_by(col(Youth.readiness_group))
    )
    return statement
