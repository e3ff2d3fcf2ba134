"""All key figures for a scope and a period, computed in the database.

A fixed number of aggregate queries (seven), whatever the number of young people: each
area's module (`courses`, `wellbeing`, `followups`, `staff`) owns its queries, the
figures about the young people followed share one pass (`followed`), and this module
only gathers the results. Nothing here is suppressed yet: `report.py` does that.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.services.key_figures import courses, followups, staff, wellbeing
from app.services.key_figures.courses import Courses, Outcomes
from app.services.key_figures.followed import followed_figures
from app.services.key_figures.followups import FollowUps, Retention
from app.services.key_figures.period import Period
from app.services.key_figures.scope import Scope
from app.services.key_figures.staff import Changes
from app.services.key_figures.wellbeing import Completion, Progression


@dataclass(frozen=True)
class RawFigures:
    courses: Courses
    outcomes: Outcomes
    progression: Progression
    completion: Completion
    retention: Retention
    follow_ups: FollowUps
    changes: Changes
    caseloads: list[int]


async def compute(db: AsyncSession, *, scope: Scope, period: Period) -> RawFigures:
    """Every figure of the report, unsuppressed (never shown as it is)."""
    if db.get_bind().dialect.name == "postgresql":
        # For this transaction only. The aggregates are costed high enough for the JIT,
        # whose compiling took longer than the queries at national size; and a prepared
        # statement's generic plan cannot see how narrow the period is.
        await db.execute(text("SET LOCAL jit = off"))
        await db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    of_followed = await followed_figures(db, scope=scope, period=period)
    return RawFigures(
        courses=of_followed.courses,
        outcomes=await courses.outcomes(db, scope=scope, period=period),
        progression=await wellbeing.progression(db, scope=scope, period=period),
        completion=of_followed.completion,
        retention=await followups.retention(db, scope=scope, period=period),
        follow_ups=await followups.follow_ups(db, scope=scope, period=period),
        changes=of_followed.changes,
        caseloads=await staff.caseloads(db, scope=scope, period=period),
    )
