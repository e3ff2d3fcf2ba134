"""The start page of each role: what the person needs to see first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.models import (
    Appointment,
    AppointmentStatus,
    Enrollment,
    FollowUp,
    Role,
    Team,
    User,
    Youth,
)
from app.services.checkins import reminders
from app.services.checkins.reminders import Due
from app.services.followups.prompts import FollowUpPrompt
from app.services.messages.conversation import YOUTH_UNREAD
from app.services.plan.steps import PLAN_STEPS, Plan


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


# The page a young person opens a dozen times a day (hot path, see ARCHITECTURE.md):
# three statements built once. The first reads the course record with the guide, the
# next appointment (planned, from an hour ago: as `appointments.next_appointment`), the
# latest due follow-up (as `prompts.open_prompt`) and the unread count (as
# `conversation.own_unread`); then the plan's steps; then the check-ins' schedule.
_guide = aliased(User, name="guide")
_next_appointment = (
    select(Appointment.id)
    .where(
        col(Appointment.youth_id) == col(Youth.id),
        col(Appointment.status) == AppointmentStatus.planned,
        col(Appointment.starts_at) >= bindparam("appointments_from"),
    )
    .order_by(col(Appointment.starts_at))
    .limit(1)
    .correlate(Youth)
    .scalar_subquery()
)
_latest_follow_up = (
    select(FollowUp.id)
    .join(Enrollment, col(Enrollment.id) == col(FollowUp.enrollment_id))
    .where(
        col(FollowUp.youth_id) == col(Youth.id),
        col(Enrollment.ended_at).is_(None),
        col(FollowUp.cancelled_at).is_(None),
        col(FollowUp.due_at) <= bindparam("now"),
    )
    .order_by(col(FollowUp.due_at).desc())
    .limit(1)
    .correlate(Youth)
    .scalar_subquery()
)
_follow_up_enrollment = aliased(Enrollment, name="follow_up_enrollment")
_YOUTH_HOME: Any = (
    sa_select(Youth, _guide, Appointment, FollowUp, _follow_up_enrollment.place, YOUTH_UNREAD)  # type: ignore[call-overload]
    .outerjoin(_guide, col(_guide.id) == col(Youth.guide_id))
    .outerjoin(Appointment, col(Appointment.id) == _next_appointment)
    .outerjoin(FollowUp, col(FollowUp.id) == _latest_follow_up)
    .outerjoin(
        _follow_up_enrollment,
        col(_follow_up_enrollment.id) == col(FollowUp.enrollment_id),
    )
    .where(col(Youth.user_id) == bindparam("user_id"))
)


async def youth_home(db: AsyncSession, *, actor: User, now: datetime) -> YouthHome:
    """Everything the young person's home screen answers "what now?" with."""
    row = (
        await db.exec(
            _YOUTH_HOME,
            params={
                "user_id": actor.id,
                "now": now,
                "appointments_from": now - timedelta(hours=1),
            },
        )
    ).first()
    if row is None:
        raise NotFound()
    youth, guide, appointment, follow_up, place, unread = row
    if guide is not None and not guide.is_active:
        guide = None  # "you will get a guide soon" until a leader hands them over
    steps = (await db.exec(PLAN_STEPS, params={"youth_id": youth.id})).all()
    return YouthHome(
        me=actor,
        youth=youth,
        guide=guide,
        plan=Plan(youth=youth, person=actor, steps=list(steps)),
        next_appointment=appointment,
        unread_messages=int(unread or 0),
        checkins_due=await reminders.due_for(db, youth=youth, now=now),
        # Only the latest due follow-up counts; answered, it no longer asks.
        follow_up=(
            FollowUpPrompt(follow_up=follow_up, place=place or "")
            if follow_up is not None and follow_up.answered_at is None
            else None
        ),
    )


# The guide's caseload lives in app/services/workspace/caseload.py.


@dataclass(frozen=True)
class GuideLoad:
    guide_name: str
    team: str
    caseload: int


# The leader's start page, built once (see app/db.py); names and counts only.
_CASELOADS = (
    select(  # type: ignore[call-overload]
        col(User.name),
        col(Team.name),
        func.coalesce(
            select(func.count())
            .where(col(Youth.guide_id) == col(User.id), col(Youth.status) != "ended")
            .correlate(User)
            .scalar_subquery(),
            0,
        ),
    )
    .outerjoin(Team, col(Team.id) == col(User.team_id))
    .where(User.role == Role.guide, col(User.is_active))
    .order_by(col(Team.name), col(User.name))
)


async def caseload_sizes(db: AsyncSession) -> list[GuideLoad]:
    """Caseload size per guide: aggregates only, for leaders."""
    rows = await db.exec(_CASELOADS)
    return [GuideLoad(guide_name=name, team=team or "", caseload=int(n)) for name, team, n in rows]


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
    guide_id: int
    guide_name: str
    young_people: int


_WITHOUT_GUIDE = (
    select(col(User.id), col(User.name), func.count(col(Youth.id)))  # type: ignore[call-overload]
    .join(Youth, col(Youth.guide_id) == col(User.id))
    .where(
        User.role == Role.guide,
        col(User.is_active).is_(False),
        col(User.team_id) == bindparam("team_id"),
        col(Youth.status) != "ended",
    )
    .group_by(col(User.id), col(User.name))
    .order_by(col(User.name))
)


async def without_guide(db: AsyncSession, *, actor: User) -> list[WithoutGuide]:
    """Young people whose guide was deactivated, counted per former guide of the leader's
    team (numbers, no names): the leader's first job is to hand them over."""
    rows = await db.exec(_WITHOUT_GUIDE, params={"team_id": actor.team_id})
    return [
        WithoutGuide(guide_id=guide_id, guide_name=name, young_people=int(n))
        for guide_id, name, n in rows
        if guide_id is not None  # a primary key: always there
    ]
