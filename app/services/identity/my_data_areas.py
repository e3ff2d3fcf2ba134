"""The other areas' part of the young person's data export: notes (internal ones too, as
the note form promises), appointments and agenda, check-ins, starts and follow-ups."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import (
    AgendaItem,
    Appointment,
    CheckIn,
    CheckInAnswer,
    CourseEnd,
    Enrollment,
    FollowUp,
    Note,
    NoteReply,
    User,
    Youth,
)


def _row(model: Any) -> dict[str, Any]:
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in model.model_dump().items()
    }


async def notes_and_appointments(db: AsyncSession, actor: User, youth: Youth) -> dict[str, Any]:
    notes = (
        await db.exec(select(Note).where(Note.youth_id == youth.id).order_by(col(Note.created_at)))
    ).all()
    note_ids = [n.id for n in notes]
    replies = (await db.exec(select(NoteReply).where(col(NoteReply.note_id).in_(note_ids)))).all()
    appointments = (
        await db.exec(
            select(Appointment)
            .where(Appointment.youth_id == youth.id)
            .order_by(col(Appointment.starts_at))
        )
    ).all()
    agenda = (await db.exec(select(AgendaItem).where(AgendaItem.youth_id == youth.id))).all()
    return {
        "notes": [_row(n) for n in notes],
        "note_replies": [_row(r) for r in replies],
        "appointments": [_row(a) for a in appointments],
        "agenda": [_row(a) for a in agenda],
    }


async def checkins_and_follow_ups(db: AsyncSession, actor: User, youth: Youth) -> dict[str, Any]:
    checkins = (
        await db.exec(
            select(CheckIn).where(CheckIn.youth_id == youth.id).order_by(col(CheckIn.taken_at))
        )
    ).all()
    answers = (
        await db.exec(
            select(CheckInAnswer).where(col(CheckInAnswer.checkin_id).in_([c.id for c in checkins]))
        )
    ).all()
    enrollments = (await db.exec(select(Enrollment).where(Enrollment.youth_id == youth.id))).all()
    follow_ups = (
        await db.exec(
            select(FollowUp).where(FollowUp.youth_id == youth.id).order_by(col(FollowUp.due_at))
        )
    ).all()
    ends = (
        await db.exec(
            select(CourseEnd).where(col(CourseEnd.enrollment_id).in_([e.id for e in enrollments]))
        )
    ).all()
    return {
        "checkins": [_row(c) for c in checkins],
        "checkin_answers": [_row(a) for a in answers],
        "starts": [_row(e) for e in enrollments],
        "follow_ups": [_row(f) for f in follow_ups],
        "course_ends": [_row(e) for e in ends],
    }
