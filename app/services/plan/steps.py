"""The young person's plan: concrete, reachable steps toward a positive destination.

The young person marks their steps doing/done and adds steps of their own; the guide
edits, reorders and deletes (with undo). Every change is kept as a `PlanEvent`, so the
plan has a history (who, what, when: `history.py`). The destination and the readiness
group are set in `goal.py`.

Parallel requests keep the plan whole. A step's places are computed from the order that
was read, so a move or a new step first takes the young person's plan (`_lock_plan`); a
change of one step reads it locked (`_lock_step`), so each change counts in `version`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlalchemy import bindparam, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Conflict, Forbidden, NotFound
from app.i18n import N_
from app.models import PlanEvent, PlanStep, StepStatus, User, Youth
from app.security.access import Via, youth_scope
from app.security.audit import open_youth
from app.services.client_keys import insert_once
from app.services.plan.text_input import RequiredText

# A long-term plan, for the key-figure report: a destination and at least this many steps.
LONG_TERM_PLAN_MIN_STEPS = 3


class StepForm(BaseModel):
    title: RequiredText = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    due_on: date | None = None


class Direction(StrEnum):
    up = "up"
    down = "down"


class StepChanged(Conflict):
    """Someone saved the step first; `current` is the version to show."""

    message = N_("Someone else changed this step while you were editing. Here is the new version.")

    def __init__(self, current: PlanStep) -> None:
        super().__init__()
        self.current = current


@dataclass(frozen=True)
class Plan:
    youth: Youth
    person: User
    steps: list[PlanStep]

    @property
    def done(self) -> int:
        return sum(1 for step in self.steps if step.status == StepStatus.done)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def next_step(self) -> PlanStep | None:
        """The step the home screen shows: one already started, else the first open one."""
        open_steps = [step for step in self.steps if step.status != StepStatus.done]
        doing = [step for step in open_steps if step.status == StepStatus.doing]
        chosen = doing or open_steps
        return chosen[0] if chosen else None

    @property
    def has_long_term_plan(self) -> bool:
        return bool(self.youth.destination) and self.total >= LONG_TERM_PLAN_MIN_STEPS


# The young person's plan page and home read these on every view: built once (see app/db.py).
_OWN_YOUTH = select(Youth).where(col(Youth.user_id) == bindparam("user_id"))
PLAN_STEPS = (
    select(PlanStep)
    .where(col(PlanStep.youth_id) == bindparam("youth_id"), col(PlanStep.deleted_at).is_(None))
    .order_by(col(PlanStep.position), col(PlanStep.id))
)


async def own_youth(db: AsyncSession, *, actor: User) -> Youth:
    """The young person's own course record."""
    youth = (await db.exec(_OWN_YOUTH, params={"user_id": actor.id})).first()
    if youth is None:
        raise NotFound()
    return youth


async def load_plan(db: AsyncSession, *, youth: Youth) -> Plan:
    person = await db.get(User, youth.user_id)
    assert person is not None
    rows = await db.exec(PLAN_STEPS, params={"youth_id": youth.id})
    return Plan(youth=youth, person=person, steps=list(rows.all()))


async def my_plan(db: AsyncSession, *, actor: User) -> Plan:
    return await load_plan(db, youth=await own_youth(db, actor=actor))


@dataclass(frozen=True)
class StepPage:
    plan: Plan
    step: PlanStep


async def guide_step_page(
    db: AsyncSession, *, actor: User, youth_id: int, step_id: int, now: datetime, audit: bool = True
) -> StepPage:
    """One step, for the guide's edit form."""
    await staff_only(
        db, actor=actor, youth_id=youth_id, now=now, audit="plan.view" if audit else None
    )
    step = await db.get(PlanStep, step_id)
    youth = await db.get(Youth, youth_id)
    if step is None or youth is None or step.youth_id != youth_id or step.deleted_at is not None:
        raise NotFound()
    return StepPage(plan=await load_plan(db, youth=youth), step=step)


async def add_step(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int,
    data: StepForm,
    client_key: str,
    now: datetime,
) -> PlanStep:
    """Add a step at the end of the plan; a resubmitted form adds it once."""
    await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    assert actor.id is not None
    await _lock_plan(db, youth_id)
    last = (
        await db.exec(
            select(func.max(PlanStep.position)).where(
                PlanStep.youth_id == youth_id, col(PlanStep.deleted_at).is_(None)
            )
        )
    ).one()
    step, created = await insert_once(
        db,
        PlanStep(
            youth_id=youth_id,
            title=data.title,
            description=data.description,
            due_on=data.due_on,
            position=(last if last is not None else -1) + 1,
            created_by_id=actor.id,
            created_at=now,
            updated_at=now,
            client_key=client_key,
        ),
    )
    if created:
        await _event(db, actor=actor, step=step, action="step.added", detail=step.title, now=now)
    return step


async def edit_step(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int,
    step_id: int,
    data: StepForm,
    version: int,
    now: datetime,
) -> PlanStep:
    """Save a guide's edit, unless someone saved the step since the form was opened."""
    step = await _guide_step(db, actor=actor, youth_id=youth_id, step_id=step_id, now=now)
    # One conditional UPDATE, so two saves racing on PostgreSQL cannot both win.
    result = await db.exec(
        update(PlanStep)
        .where(col(PlanStep.id) == step_id, col(PlanStep.version) == version)
        .values(
            title=data.title,
            description=data.description,
            due_on=data.due_on,
            version=version + 1,
            updated_at=now,
        )
    )  # type: ignore[call-overload]
    await db.refresh(step)
    if result.rowcount != 1:
        raise StepChanged(step)
    await _event(db, actor=actor, step=step, action="step.edited", detail=step.title, now=now)
    return step


async def set_status(
    db: AsyncSession,
    *,
    actor: User,
    step_id: int,
    status: StepStatus,
    now: datetime,
    youth_id: int | None = None,
) -> PlanStep:
    """Mark a step todo/doing/done; the young person on their own steps, or their guide."""
    step = await db.get(PlanStep, step_id)
    if step is None or step.deleted_at is not None:
        raise NotFound()
    if youth_id is not None and step.youth_id != youth_id:
        raise NotFound()
    await youth_scope(db, actor=actor, youth_id=step.youth_id, now=now)
    await _lock_step(db, step)
    if step.deleted_at is not None:
        raise NotFound()  # deleted meanwhile
    if step.status == status:
        return step  # a repeated tap changes nothing and records nothing
    step.status = status
    step.done_at = now if status == StepStatus.done else None
    await _touch(db, step, now)
    detail = f"{status.value}:{step.title}"
    await _event(db, actor=actor, step=step, action="step.status", detail=detail, now=now)
    return step


async def move_step(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int,
    step_id: int,
    direction: Direction,
    now: datetime,
) -> None:
    """Swap a step with its neighbour. Order is not content: versions stay."""
    step = await _guide_step(db, actor=actor, youth_id=youth_id, step_id=step_id, now=now)
    await _lock_plan(db, youth_id)
    steps = await _fresh_steps(db, youth_id)
    index = next((i for i, s in enumerate(steps) if s.id == step.id), None)
    if index is None:
        raise NotFound()  # deleted meanwhile
    other = index - 1 if direction == Direction.up else index + 1
    if not 0 <= other < len(steps):
        return
    steps[index], steps[other] = steps[other], steps[index]
    for position, each in enumerate(steps):
        each.position = position
        db.add(each)
    await db.flush()
    detail = f"{direction.value}:{step.title}"
    await _event(db, actor=actor, step=step, action="step.moved", detail=detail, now=now)


async def delete_step(
    db: AsyncSession, *, actor: User, youth_id: int, step_id: int, now: datetime
) -> PlanStep:
    """Delete softly, so the guide can undo and the history keeps the step."""
    step = await _guide_step(
        db, actor=actor, youth_id=youth_id, step_id=step_id, now=now, include_deleted=True
    )
    await _lock_step(db, step)
    if step.deleted_at is None:
        step.deleted_at = now
        await _touch(db, step, now)
        await _event(db, actor=actor, step=step, action="step.deleted", detail=step.title, now=now)
    return step


async def restore_step(
    db: AsyncSession, *, actor: User, youth_id: int, step_id: int, now: datetime
) -> PlanStep:
    step = await _guide_step(
        db, actor=actor, youth_id=youth_id, step_id=step_id, now=now, include_deleted=True
    )
    await _lock_step(db, step)
    if step.deleted_at is not None:
        step.deleted_at = None
        await _touch(db, step, now)
        await _event(db, actor=actor, step=step, action="step.restored", detail=step.title, now=now)
    return step


async def staff_only(
    db: AsyncSession, *, actor: User, youth_id: int, now: datetime, audit: str | None = None
) -> Via:
    if audit:
        via = await open_youth(db, actor=actor, youth_id=youth_id, action=audit, now=now)
    else:
        via = await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    if via is Via.self_:
        raise Forbidden()
    return via


async def _guide_step(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int,
    step_id: int,
    now: datetime,
    include_deleted: bool = False,
) -> PlanStep:
    await staff_only(db, actor=actor, youth_id=youth_id, now=now)
    step = await db.get(PlanStep, step_id)
    gone = step is not None and step.deleted_at is not None and not include_deleted
    if step is None or step.youth_id != youth_id or gone:
        raise NotFound()
    return step


async def _lock_plan(db: AsyncSession, youth_id: int) -> None:
    """Take the young person's plan until the transaction ends: moves and new steps wait
    for each other, so no two of them compute places from the same order.

    The young person's row is the plan's lock. FOR NO KEY UPDATE still lets rows that
    only refer to it (an event, a message) be written meanwhile. SQLite has no row
    locks and needs none: its writers take turns (`_writer_turn` in app/db.py).
    """
    await db.exec(select(Youth.id).where(Youth.id == youth_id).with_for_update(key_share=True))


async def _fresh_steps(db: AsyncSession, youth_id: int) -> list[PlanStep]:
    """The plan's steps in order, as committed now (not as this session first read them)."""
    rows = await db.exec(
        select(PlanStep)
        .where(PlanStep.youth_id == youth_id, col(PlanStep.deleted_at).is_(None))
        .order_by(col(PlanStep.position), col(PlanStep.id))
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def _lock_step(db: AsyncSession, step: PlanStep) -> None:
    """Read the step again, locked: a parallel change is waited for and then seen, so
    `_touch` counts from the version it left."""
    await db.refresh(step, with_for_update={"key_share": True})


async def _touch(db: AsyncSession, step: PlanStep, now: datetime) -> None:
    step.version += 1
    step.updated_at = now
    db.add(step)
    await db.flush()


async def record_added(db: AsyncSession, *, actor: User, step: PlanStep, now: datetime) -> None:
    """A step another area added (the plan B step after a drop-out) in the plan's history."""
    await _event(db, actor=actor, step=step, action="step.added", detail=step.title, now=now)


async def _event(
    db: AsyncSession, *, actor: User, step: PlanStep, action: str, detail: str, now: datetime
) -> None:
    assert actor.id is not None
    db.add(
        PlanEvent(
            youth_id=step.youth_id,
            step_id=step.id,
            actor_id=actor.id,
            action=action,
            detail=detail[:400],
            at=now,
        )
    )
    await db.flush()
