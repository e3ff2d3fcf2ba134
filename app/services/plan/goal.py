"""Where the plan leads: the destination ("Mit mål") and the readiness group the guide
sets, and the rule for a long-term plan that the key-figure report counts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import PlanEvent, PlanStep, ReadinessGroup, User, Youth
from app.services.plan.steps import LONG_TERM_PLAN_MIN_STEPS, staff_only


class DirectionForm(BaseModel):
    destination: str | None = Field(default=None, max_length=200)
    readiness_group: ReadinessGroup


async def set_direction(
    db: AsyncSession, *, actor: User, youth_id: int, data: DirectionForm, now: datetime
) -> Youth:
    """The guide sets the destination ("Mit mål") and the readiness group."""
    await staff_only(db, actor=actor, youth_id=youth_id, now=now)
    youth = await db.get(Youth, youth_id)
    assert youth is not None and actor.id is not None
    changes: list[tuple[str, str]] = []
    if youth.destination != data.destination:
        youth.destination = data.destination
        changes.append(("plan.destination", data.destination or ""))
    if youth.readiness_group != data.readiness_group:
        youth.readiness_group = data.readiness_group
        changes.append(("plan.readiness", data.readiness_group.value))
    db.add(youth)
    for action, detail in changes:
        db.add(
            PlanEvent(youth_id=youth_id, actor_id=actor.id, action=action, detail=detail, at=now)
        )
    await db.flush()
    return youth


async def has_long_term_plan(db: AsyncSession, *, youth_id: int) -> bool:
    """A long-term plan: a destination is set and the plan has at least three steps."""
    return youth_id in await youth_ids_with_long_term_plan(db, youth_ids=[youth_id])


async def youth_ids_with_long_term_plan(db: AsyncSession, *, youth_ids: list[int]) -> set[int]:
    """The same rule for many young people in one query (the key-figure report)."""
    if not youth_ids:
        return set()
    rows = await db.exec(
        select(Youth.id)
        .join(PlanStep, col(PlanStep.youth_id) == col(Youth.id))
        .where(
            col(Youth.id).in_(youth_ids),
            col(Youth.destination).is_not(None),
            col(Youth.destination) != "",
            col(PlanStep.deleted_at).is_(None),
        )
        .group_by(col(Youth.id))
        .having(func.count(col(PlanStep.id)) >= LONG_TERM_PLAN_MIN_STEPS)
    )
    return {row for row in rows.all() if row is not None}
