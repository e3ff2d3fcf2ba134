"""The guide's page of one young person: plan, check-ins, messages, notes, appointments,
start and follow-ups, course history and guide history, each with a link to its area.

Opening it is audited (`youth.view`, via caseload or cover); the printable handover
summary is audited as `youth.summary`. Both show only what the guide may reach.

A guide opens this page many times a day (a hot path, see ARCHITECTURE.md): after the
access check and the audit record, each area of the page is read by one statement built
once, at import, and what the page only shows is read as plain rows, not ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import String, and_, bindparam, func, literal, null, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
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
    PlanStep,
    RiskFlag,
    User,
    Youth,
)
from app.models.base import UTCDateTime
from app.security.access import Via
from app.security.audit import open_youth
from app.services.checkins.history import Section, sections_for
from app.services.messages.conversation import MessageView, view_of
from app.services.plan.steps import Plan

RECENT = 5  # messages, notes, appointments, check-ins in the list
HISTORY = 20  # starts and course ends in the course history


class OpenAlert(NamedTuple):
    kind: str
    created_at: datetime


class OpenFlag(NamedTuple):
    reason: str
    raised_at: datetime


class CourseEndRow(NamedTuple):
    ended_on: date
    outcome: str


# -- statements built once ---------------------------------------------------------------
# One per area of the page, each with the bind parameter `youth_id` (and `now`).

ALERT, FLAG = "alert", "flag"
START, END = "start", "end"

_person = aliased(User, name="person")
_guide = aliased(User, name="guide")
_unread = (  # as `conversation.unread_count` for a guide: the young person's unread lines
    select(func.count())
    .select_from(Message)
    .where(
        col(Message.youth_id) == col(Youth.id),
        col(Message.read_at).is_(None),
        col(Message.sender_id) == col(Youth.user_id),
    )
    .correlate(Youth)
    .scalar_subquery()
)
_next_follow_up_at = (
    select(func.min(FollowUp.due_at))
    .where(
        col(FollowUp.youth_id) == col(Youth.id),
        col(FollowUp.handled_at).is_(None),
        col(FollowUp.cancelled_at).is_(None),
    )
    .correlate(Youth)
    .scalar_subquery()
)
# The course record with the young person, their guide, the unread count, when the next
# follow-up is due, and the plan: one row per step (one without a step when there is none).
_HEADER_AND_PLAN: Any = (
    sa_select(Youth, _person, _guide, _unread, _next_follow_up_at, PlanStep)  # type: ignore[call-overload]
    .join(_person, col(_person.id) == col(Youth.user_id))
    .outerjoin(_guide, col(_guide.id) == col(Youth.guide_id))
    .outerjoin(
        PlanStep,
        and_(col(PlanStep.youth_id) == col(Youth.id), col(PlanStep.deleted_at).is_(None)),
    )
    .where(col(Youth.id) == bindparam("youth_id"))
    .order_by(col(PlanStep.position), col(PlanStep.id))
)
_CHECKINS = (  # oldest first: the curves
    select(CheckIn)
    .where(col(CheckIn.youth_id) == bindparam("youth_id"))
    .order_by(col(CheckIn.taken_at), col(CheckIn.id))
)
_sender = aliased(User, name="sender")
_MESSAGES = (  # the latest few, newest first, with the sender's name
    select(Message, _sender.name)
    .outerjoin(_sender, col(_sender.id) == col(Message.sender_id))
    .where(col(Message.youth_id) == bindparam("youth_id"))
    .order_by(col(Message.sent_at).desc(), col(Message.id).desc())
    .limit(RECENT)
)
# "Needs you now": the open check-in alerts and risk flags, told apart by `area`, each
# oldest first.
_NEEDS: Any = union_all(
    sa_select(
        literal(ALERT).label("area"),
        col(CheckInAlert.id).label("id"),
        col(CheckInAlert.kind).label("what"),
        col(CheckInAlert.created_at).label("at"),
    ).where(
        col(CheckInAlert.youth_id) == bindparam("youth_id"),
        col(CheckInAlert.acknowledged_at).is_(None),
    ),
    sa_select(literal(FLAG), col(RiskFlag.id), col(RiskFlag.reason), col(RiskFlag.raised_at)).where(
        col(RiskFlag.youth_id) == bindparam("youth_id"), col(RiskFlag.handled_at).is_(None)
    ),
).order_by("area", "id")
_author = aliased(User, name="author")
_NOTES: Any = (  # the latest few, newest first, shared and internal
    sa_select(
        col(Note.author_id),
        col(_author.name).label("author_name"),
        col(Note.body),
        col(Note.shared),
        col(Note.created_at),
    )
    .join(_author, col(_author.id) == col(Note.author_id))
    .where(col(Note.youth_id) == bindparam("youth_id"))
    .order_by(col(Note.created_at).desc())
    .limit(RECENT)
)
_COMING = (  # planned, soonest first
    select(col(Appointment.starts_at), col(Appointment.topic))
    .where(
        col(Appointment.youth_id) == bindparam("youth_id"),
        col(Appointment.status) == AppointmentStatus.planned,
        col(Appointment.starts_at) > bindparam("now"),
    )
    .order_by(col(Appointment.starts_at))
    .limit(RECENT)
)
# The course history: the starts (enrollments) and the course ends, each newest first,
# told apart by `area` and kept in order by `position`.
_starts = (
    sa_select(
        literal(START).label("area"),
        func.row_number().over(order_by=col(Enrollment.starts_on).desc()).label("position"),
        col(Enrollment.kind),
        col(Enrollment.place),
        col(Enrollment.starts_on),
        col(Enrollment.ended_at),
        col(Enrollment.end_reason),
    )
    .where(col(Enrollment.youth_id) == bindparam("youth_id"))
    .order_by(col(Enrollment.starts_on).desc())
    .limit(HISTORY)
    .subquery()
)
_ends = (  # its columns named as the starts': `kind` is the outcome, `starts_on` the end
    sa_select(
        literal(END).label("area"),
        func.row_number().over(order_by=col(CourseEnd.created_at).desc()).label("position"),
        col(CourseEnd.outcome).label("kind"),
        null().cast(String).label("place"),
        col(CourseEnd.ended_on).label("starts_on"),
        null().cast(UTCDateTime).label("ended_at"),
        null().cast(String).label("end_reason"),
    )
    .where(col(CourseEnd.youth_id) == bindparam("youth_id"))
    .order_by(col(CourseEnd.created_at).desc())
    .limit(HISTORY)
    .subquery()
)
_COURSE: Any = union_all(sa_select(_starts), sa_select(_ends)).order_by("area", "position")
_assigned_by = aliased(User, name="assigned_by")
_GUIDE_HISTORY: Any = (  # every period with a guide, oldest first, with who made the change
    sa_select(
        col(_guide.name).label("guide_name"),
        col(GuideAssignment.started_at),
        col(GuideAssignment.ended_at),
        col(_assigned_by.name).label("assigned_by_name"),
        col(GuideAssignment.handover_note),
    )
    .join(_guide, col(_guide.id) == col(GuideAssignment.guide_id))
    .outerjoin(_assigned_by, col(_assigned_by.id) == col(GuideAssignment.assigned_by_id))
    .where(col(GuideAssignment.youth_id) == bindparam("youth_id"))
    .order_by(col(GuideAssignment.started_at), col(GuideAssignment.id))
)


@dataclass(frozen=True)
class YouthPage:
    """The page's areas; the lists it only shows are plain rows (named in the statements)."""

    youth: Youth
    person: User
    guide: User | None
    via: Via
    plan: Plan
    checkins: list[CheckIn]  # newest first
    checkin_sections: list[Section]  # per instrument, WHO-5 first: the curve with thresholds
    open_alerts: list[OpenAlert]
    messages: list[MessageView]  # the latest few, oldest first
    unread: int
    notes: list[Any]  # newest first: author_id, author_name, body, shared, created_at
    note_authors: dict[int, str]
    appointments: list[Any]  # coming, soonest first: starts_at, topic
    enrollments: list[Any]  # newest first: kind, place, starts_on, ended_at, end_reason
    next_follow_up_at: datetime | None
    open_flags: list[OpenFlag]
    course_ends: list[CourseEndRow]  # newest first
    guide_history: list[Any]  # oldest first: guide_name, started_at, ended_at, ...

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
    by_youth = {"youth_id": youth_id}
    rows = (await db.exec(_HEADER_AND_PLAN, params=by_youth)).all()
    youth, person, guide, unread, next_follow_up_at, _step = rows[0]
    steps = [step for *_header, step in rows if step is not None]
    checkins = list((await db.exec(_CHECKINS, params=by_youth)).all())
    needs = (await db.exec(_NEEDS, params=by_youth)).all()
    notes = (await db.exec(_NOTES, params=by_youth)).all()
    course = (await db.exec(_COURSE, params=by_youth)).all()
    return YouthPage(
        youth=youth,
        person=person,
        guide=guide,
        via=via,
        plan=Plan(youth=youth, person=person, steps=steps),
        checkins=checkins[::-1][:RECENT],
        checkin_sections=await sections_for(
            db, youth=youth, checkins=checkins, threshold_lines=True
        ),
        open_alerts=[OpenAlert(row.what, row.at) for row in needs if row.area == ALERT],
        messages=await _messages(db, youth=youth, reader=actor),
        unread=int(unread or 0),
        notes=list(notes),
        note_authors={row.author_id: row.author_name for row in notes},
        appointments=list((await db.exec(_COMING, params={**by_youth, "now": now})).all()),
        enrollments=[row for row in course if row.area == START],
        next_follow_up_at=next_follow_up_at,
        open_flags=[OpenFlag(row.what, row.at) for row in needs if row.area == FLAG],
        course_ends=[CourseEndRow(row.starts_on, row.kind) for row in course if row.area == END],
        guide_history=list((await db.exec(_GUIDE_HISTORY, params=by_youth)).all()),
    )


async def _messages(db: AsyncSession, *, youth: Youth, reader: User) -> list[MessageView]:
    """The latest few messages, oldest first, as the guide sees them."""
    rows = (await db.exec(_MESSAGES, params={"youth_id": youth.id})).all()
    return [view_of(message, name, reader=reader, youth=youth) for message, name in rows[::-1]]
