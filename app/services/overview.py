"""The start page of each role: what the person needs to see first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.models import Appointment, Role, Team, User, Youth
from app.services.checkins import reminders
from app.services.checkins.reminders import Due
from app.services.followups import prompts
from app.services.followups.prompts import FollowUpPrompt
from app.services.messages import conversation
from app.services.plan import appointments, steps
from app.services.plan.steps import Plan


@dataclass(frozen=True)
class YouthHome:
    me: User
    youth: Youth
    guide: User | None
    plan: Plan
    next_appointment: Appointment | None
    unread_messages: int
    checkins_due: list[Due]
    follow_up: FollowUpPrompt | None


async def youth_home(db: AsyncSession, *, actor: User, now: datetime) -> YouthHome:
    """Everything the young person's home screen answers "what now?" with."""
    youth = (await db.exec(select(Youth).where(Youth.user_id == actor.id))).first()
    if youth is None or youth.id is None:
        raise NotFound()
    guide = await db.get(User, youth.guide_id) if youth.guide_id else None
    if guide is not None and not guide.is_active:
        guide = None  # "you will get a guide soon" until a leader hands them over
    return YouthHome(
        me=actor,
        youth=youth,
        guide=guide,
        plan=await steps.load_plan(db, youth=youth),
        next_appointment=await appointments.next_appointment(db, youth_id=youth.id, now=now),
        unread_messages=await conversation.own_unread(db, actor=actor),
        checkins_due=await reminders.due_now(db, actor=actor, now=now),
        follow_up=await prompts.open_prompt(db, actor=actor, now=now),
    )


# The guide's caseload lives in app/services/workspace/caseload.py.


@dataclass(frozen=True)
class GuideLoad:
    guide: User
    team: str
    caseload: int


async def caseload_sizes(db: AsyncSession) -> list[GuideLoad]:
    """Caseload size per guide: aggregates only, for leaders."""
    counts = (
        select(Youth.guide_id, func.count().label("n"))
        .where(col(Youth.status) != "ended")
        .group_by(col(Youth.guide_id))
        .subquery()
    )
    rows = await db.exec(
        select(User, Team.name, func.coalesce(counts.c.n, 0))
        .outerjoin(Team, col(Team.id) == col(User.team_id))
        .outerjoin(counts, counts.c.guide_id == col(User.id))
        .where(User.role == Role.guide, col(User.is_active))
        .order_by(col(Team.name), col(User.name))
    )
    return [GuideLoad(guide=u, team=t or "", caseload=int(n)) for u, t, n in rows.all()]


async def staff_directory(db: AsyncSession) -> list[tuple[User, str]]:
    """Staff accounts with their team, for admins (no young person's data)."""
    rows = await db.exec(
        select(User, Team.name)
        .outerjoin(Team, col(Team.id) == col(User.team_id))
        .where(col(User.role) != Role.youth)
        .order_by(col(User.role), col(User.name))
    )
    return [(u, t or "") for u, t in rows.all()]


@dataclass(frozen=True)
class WithoutGuide:
    former_guide: User
    young_people: int


async def without_guide(db: AsyncSession, *, actor: User) -> list[WithoutGuide]:
    """Young people whose guide was deactivated, counted per former guide of the leader's
    team (numbers, no names): the leader's first job is to hand them over."""
    rows = await db.exec(
        select(User, func.count(col(Youth.id)))
        .join(Youth, col(Youth.guide_id) == col(User.id))
        .where(
            User.role == Role.guide,
            col(User.is_active).is_(False),
            User.team_id == actor.team_id,
            col(Youth.status) != "ended",
        )
        .group_by(col(User.id))
        .order_by(col(User.name))
    )
    return [WithoutGuide(former_guide=u, young_people=int(n)) for u, n in rows.all()]
