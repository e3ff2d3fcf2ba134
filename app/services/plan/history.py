"""The plan's history (who changed what, when, from the `PlanEvent` rows), and the
guide's plan page that shows it beside the plan and the recently deleted steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import PlanEvent, PlanStep, User, Youth
from app.services.plan.steps import Plan, load_plan, staff_only


@dataclass(frozen=True)
class HistoryEntry:
    event: PlanEvent
    actor_name: str


@dataclass(frozen=True)
class PlanPage:
    plan: Plan
    history: list[HistoryEntry]
    deleted: list[PlanStep]


async def history(db: AsyncSession, *, youth_id: int, limit: int = 50) -> list[HistoryEntry]:
    """The plan's changes, newest first. Callers have checked access."""
    rows = await db.exec(
        select(PlanEvent, User.name)
        .join(User, col(User.id) == col(PlanEvent.actor_id))
        .where(PlanEvent.youth_id == youth_id)
        .order_by(col(PlanEvent.at).desc(), col(PlanEvent.id).desc())
        .limit(limit)
    )
    return [HistoryEntry(event=event, actor_name=name) for event, name in rows.all()]


async def guide_plan_page(
    db: AsyncSession, *, actor: User, youth_id: int, now: datetime, audit: bool = True
) -> PlanPage:
    """A guide opens a young person's plan (audited; not again when re-shown after a change)."""
    await staff_only(
        db, actor=actor, youth_id=youth_id, now=now, audit="plan.view" if audit else None
    )
    youth = await db.get(Youth, youth_id)
    assert youth is not None
    deleted = await db.exec(
        select(PlanStep)
        .where(PlanStep.youth_id == youth_id, col(PlanStep.deleted_at).is_not(None))
        .order_by(col(PlanStep.deleted_at).desc())
        .limit(5)
    )
    return PlanPage(
        plan=await load_plan(db, youth=youth),
        history=await history(db, youth_id=youth_id),
        deleted=list(deleted.all()),
    )
