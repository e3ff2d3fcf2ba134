"""The guide's page of one young person: plan, check-ins, messages, notes, appointments,
start and follow-ups, course history and guide history, each with a link to its area.

Opening it is audited (`youth.view`, via caseload or cover); the printable handover
summary is audited as `youth.summary`. Both show only what the guide may reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import (
    Appointment,
    AppointmentStatus,
    CheckIn,
    CheckInAlert,
    CourseEnd,
    Enrollment,
    FollowUp,
    GuideAssignment,
    Message,
    Note,
    RiskFlag,
    User,
    Youth,
)
from app.security.access import Via
from app.security.audit import open_youth
from app.services.checkins.history import Section, sections_for
from app.services.messages.conversation import MessageView, unread_count, views
from app.services.plan import steps
from app.services.plan.steps import Plan

RECENT = 5


@dataclass(frozen=True)
class GuidePeriod:
    assignment: GuideAssignment
    guide: User
    assigned_by: User | None


@dataclass(frozen=True)
class YouthPage:
    youth: Youth
    person: User
    guide: User | None
    via: Via
    plan: Plan
    checkins: list[CheckIn]  # newest first
    checkin_sections: list[Section]  # per instrument, WHO-5 first: the curve with thresholds
    open_alerts: list[CheckInAlert]
    messages: list[MessageView]  # the latest few, oldest first
    unread: int
    notes: list[Note]  # newest first, shared and internal
    note_authors: dict[int, str]
    appointments: list[Appointment]  # coming, soonest first
    enrollments: list[Enrollment]  # newest first
    next_follow_up: FollowUp | None
    open_flags: list[RiskFlag]
    course_ends: list[CourseEnd]
    guide_history: list[GuidePeriod]  # oldest first

    @property
    def is_own(self) -> bool:
        return self.via == Via.caseload

    def instrument_name(self, code: str) -> str:
        for section in self.checkin_sections:
            if section.instrument.code == code:
                return str(section.instrument.definition.name)
        return code.upper()

    @property
    def guide_changes(self) -> int:
        """Changes of contact person: fewer is better (a key figure)."""
        return max(0, len(self.guide_history) - 1)


async def youth_page(
    db: AsyncSession, *, actor: User, youth_id: int, now: datetime, action: str = "youth.view"
) -> YouthPage:
    """Everything about one young person the guide may see; audited."""
    via = await open_youth(db, actor=actor, youth_id=youth_id, action=action, now=now)
    youth = await db.get(Youth, youth_id)
    assert youth is not None and youth.id is not None
    plan = await steps.load_plan(db, youth=youth)
    guide = await db.get(User, youth.guide_id) if youth.guide_id else None
    messages = list(
        (
            await db.exec(
                select(Message)
                .where(Message.youth_id == youth.id)
                .order_by(col(Message.sent_at).desc(), col(Message.id).desc())
                .limit(RECENT)
            )
        ).all()
    )
    notes = await _recent(db, Note, youth.id, col(Note.created_at))
    all_checkins = (
        await db.exec(
            select(CheckIn)
            .where(CheckIn.youth_id == youth.id)
            .order_by(col(CheckIn.taken_at), col(CheckIn.id))
        )
    ).all()
    sections = await sections_for(
        db, youth=youth, checkins=list(all_checkins), threshold_lines=True
    )
    return YouthPage(
        youth=youth,
        person=plan.person,
        guide=guide,
        via=via,
        plan=plan,
        checkins=list(reversed(all_checkins))[:RECENT],
        checkin_sections=sections,
        open_alerts=await _open(db, CheckInAlert, youth.id, col(CheckInAlert.acknowledged_at)),
        messages=await views(db, list(reversed(messages)), reader=actor, youth=youth),
        unread=await unread_count(db, reader=actor, youth=youth),
        notes=notes,
        note_authors=await _names(db, {n.author_id for n in notes}),
        appointments=await _coming(db, youth.id, now),
        enrollments=await _recent(db, Enrollment, youth.id, col(Enrollment.starts_on), 20),
        next_follow_up=await _next_follow_up(db, youth.id),
        open_flags=await _open(db, RiskFlag, youth.id, col(RiskFlag.handled_at)),
        course_ends=await _recent(db, CourseEnd, youth.id, col(CourseEnd.created_at), 20),
        guide_history=await guide_history(db, youth_id=youth.id),
    )


async def _recent(
    db: AsyncSession, model: Any, youth_id: int, order: Any, n: int = RECENT
) -> list[Any]:
    rows: Any = await db.exec(
        select(model).where(model.youth_id == youth_id).order_by(order.desc()).limit(n)
    )
    return list(rows.all())


async def _open(db: AsyncSession, model: Any, youth_id: int, closed: Any) -> list[Any]:
    rows: Any = await db.exec(select(model).where(model.youth_id == youth_id, closed.is_(None)))
    return list(rows.all())


async def _names(db: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await db.exec(select(User.id, User.name).where(col(User.id).in_(ids)))
    return {uid: name for uid, name in rows.all() if uid is not None}


async def _coming(db: AsyncSession, youth_id: int, now: datetime) -> list[Appointment]:
    rows = await db.exec(
        select(Appointment)
        .where(
            Appointment.youth_id == youth_id,
            Appointment.status == AppointmentStatus.planned,
            col(Appointment.starts_at) > now,
        )
        .order_by(col(Appointment.starts_at))
        .limit(RECENT)
    )
    return list(rows.all())


async def _next_follow_up(db: AsyncSession, youth_id: int) -> FollowUp | None:
    return (
        await db.exec(
            select(FollowUp)
            .where(
                FollowUp.youth_id == youth_id,
                col(FollowUp.handled_at).is_(None),
                col(FollowUp.cancelled_at).is_(None),
            )
            .order_by(col(FollowUp.due_at))
        )
    ).first()


async def guide_history(db: AsyncSession, *, youth_id: int) -> list[GuidePeriod]:
    """Every period with a guide, oldest first, with who made the change."""
    assignments = list(
        (
            await db.exec(
                select(GuideAssignment)
                .where(GuideAssignment.youth_id == youth_id)
                .order_by(col(GuideAssignment.started_at), col(GuideAssignment.id))
            )
        ).all()
    )
    people = {
        u.id: u
        for u in (
            await db.exec(
                select(User).where(
                    col(User.id).in_(
                        {a.guide_id for a in assignments}
                        | {a.assigned_by_id for a in assignments if a.assigned_by_id}
                    )
                )
            )
        ).all()
    }
    return [
        GuidePeriod(a, people[a.guide_id], people.get(a.assigned_by_id or 0))
        for a in assignments
        if a.guide_id in people
    ]
