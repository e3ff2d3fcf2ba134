"""The guide's call list: today's and overdue follow-ups, risk first, and the calls made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today
from app.errors import Conflict, NotFound
from app.i18n import N_
from app.models import (
    Appointment,
    AppointmentStatus,
    CallOutcome,
    CourseStatus,
    Enrollment,
    FollowUp,
    FollowUpAnswer,
    Message,
    RiskFlag,
    RiskState,
    User,
    Youth,
)
from app.security.access import covered_guide_ids, reachable_youth_filter, youth_scope
from app.services.checkins.guide_side import ScoreTrend, latest_scores
from app.services.followups import schedule
from app.services.followups.enrollments import OUTCOME_OF_KIND, drop_out, record_course_end
from app.services.followups.flags import handle_open_flags

RISK_ORDER = {None: 0, RiskState.thriving: 0, RiskState.challenged: 1, RiskState.at_risk: 2}
ANSWER_ORDER = {
    None: 0,
    FollowUpAnswer.good: 0,
    FollowUpAnswer.okay: 1,
    FollowUpAnswer.hard: 2,
    FollowUpAnswer.considering_stopping: 3,
}


class CallForm(BaseModel):
    follow_up_id: int
    outcome: CallOutcome
    risk_state: RiskState


@dataclass
class CallRow:
    youth: Youth
    person: User
    enrollment: Enrollment
    covered: bool
    follow_up: FollowUp | None  # a call is recorded on it and every earlier open one
    due_since: date | None  # the oldest due follow-up not yet handled
    due: bool
    overdue: bool
    latest_answer: FollowUp | None
    last_contact: datetime | None
    flags: list[RiskFlag] = field(default_factory=list)
    who5: ScoreTrend | None = None

    def sort_key(self) -> tuple[int, int, int, int, date]:
        answer = self.latest_answer.answer if self.latest_answer else None
        due_on = self.due_since or (self.follow_up.due_on if self.follow_up else date.max)
        return (
            0 if self.flags else 1,
            -RISK_ORDER.get(self.enrollment.risk_state, 0),
            -ANSWER_ORDER.get(answer, 0),
            0 if self.overdue else 1,
            due_on,
        )


@dataclass(frozen=True)
class CaseloadStart:
    youth: Youth
    person: User


@dataclass(frozen=True)
class CallList:
    rows: list[CallRow]
    caseload: list[CaseloadStart]


async def call_list(db: AsyncSession, *, actor: User, now: datetime) -> CallList:
    """Today's and overdue follow-ups and open flags of the caseload and covered young people.

    Like the caseload, a list writes no audit record (the practice's rule: one record per
    young person opened, not per row); opening one young person's follow-ups writes one.
    """
    assert actor.id is not None
    covered = await covered_guide_ids(db, guide_id=actor.id, now=now)
    people = await _reachable_people(db, guide_id=actor.id, covered=covered)
    enrollments = await _running_enrollments(db, youth_ids=list(people))
    open_follow_ups = await _open_follow_ups(db, list(enrollments.values()))
    flags = await _open_flags(db, list(enrollments))
    answers = await _latest_answers(db, list(enrollments.values()))
    contacts = await _last_contacts(db, list(enrollments), now)
    who5 = await latest_scores(db, youth_ids=list(enrollments))
    today = copenhagen_today(now)
    rows: list[CallRow] = []
    for youth_id, enrollment in enrollments.items():
        pending = open_follow_ups.get(enrollment.id or 0, [])
        due = [f for f in pending if f.due_at <= now]
        if not due and not flags.get(youth_id):
            continue
        youth, person = people[youth_id]
        current = due[-1] if due else (pending[0] if pending else None)
        rows.append(
            CallRow(
                youth=youth,
                person=person,
                enrollment=enrollment,
                covered=youth.guide_id != actor.id,
                follow_up=current,
                due_since=due[0].due_on if due else None,
                due=bool(due),
                overdue=bool(due) and schedule.is_overdue(due[0].due_on, today),
                latest_answer=answers.get(enrollment.id or 0),
                last_contact=contacts.get(youth_id),
                flags=flags.get(youth_id, []),
                who5=who5.get(youth_id),
            )
        )
    rows.sort(key=CallRow.sort_key)
    startable = [
        CaseloadStart(youth=youth, person=person)
        for youth, person in people.values()
        if youth.status == CourseStatus.in_course
    ]
    return CallList(rows=rows, caseload=startable)


async def _reachable_people(
    db: AsyncSession, *, guide_id: int, covered: list[int]
) -> dict[int | None, tuple[Youth, User]]:
    """The guide's own and covered young people, by youth id, in name order."""
    rows = await db.exec(
        select(Youth, User)
        .join(User, col(User.id) == col(Youth.user_id))
        .where(reachable_youth_filter(guide_id, covered))
        .order_by(col(User.name))
    )
    return {youth.id: (youth, person) for youth, person in rows.all()}


async def _running_enrollments(
    db: AsyncSession, *, youth_ids: list[int | None]
) -> dict[int, Enrollment]:
    """The enrollment not yet ended of each young person, by youth id."""
    rows = await db.exec(
        select(Enrollment).where(
            col(Enrollment.youth_id).in_(youth_ids), col(Enrollment.ended_at).is_(None)
        )
    )
    return {enrollment.youth_id: enrollment for enrollment in rows.all()}


async def _open_follow_ups(
    db: AsyncSession, enrollments: list[Enrollment]
) -> dict[int, list[FollowUp]]:
    by_enrollment: dict[int, list[FollowUp]] = {}
    if not enrollments:
        return by_enrollment
    rows = await db.exec(
        select(FollowUp)
        .where(
            col(FollowUp.enrollment_id).in_([e.id for e in enrollments]),
            col(FollowUp.handled_at).is_(None),
            col(FollowUp.cancelled_at).is_(None),
        )
        .order_by(col(FollowUp.sequence))
    )
    for follow_up in rows.all():
        by_enrollment.setdefault(follow_up.enrollment_id, []).append(follow_up)
    return by_enrollment


async def _open_flags(db: AsyncSession, youth_ids: list[int]) -> dict[int, list[RiskFlag]]:
    flags: dict[int, list[RiskFlag]] = {}
    rows = await db.exec(
        select(RiskFlag)
        .where(col(RiskFlag.youth_id).in_(youth_ids), col(RiskFlag.handled_at).is_(None))
        .order_by(col(RiskFlag.raised_at))
    )
    for flag in rows.all():
        flags.setdefault(flag.youth_id, []).append(flag)
    return flags


async def _latest_answers(db: AsyncSession, enrollments: list[Enrollment]) -> dict[int, FollowUp]:
    latest: dict[int, FollowUp] = {}
    rows = await db.exec(
        select(FollowUp)
        .where(
            col(FollowUp.enrollment_id).in_([e.id for e in enrollments]),
            col(FollowUp.answered_at).is_not(None),
        )
        .order_by(col(FollowUp.answered_at).desc())
    )
    for follow_up in rows.all():
        latest.setdefault(follow_up.enrollment_id, follow_up)
    return latest


async def _last_contacts(
    db: AsyncSession, youth_ids: list[int], now: datetime
) -> dict[int, datetime]:
    """The latest contact: a message either way, or an appointment that has taken place."""
    latest: dict[int, datetime] = {}
    messages = await db.exec(
        select(Message.youth_id, func.max(Message.sent_at))
        .where(col(Message.youth_id).in_(youth_ids))
        .group_by(col(Message.youth_id))
    )
    meetings = await db.exec(
        select(Appointment.youth_id, func.max(Appointment.starts_at))
        .where(
            col(Appointment.youth_id).in_(youth_ids),
            col(Appointment.starts_at) <= now,
            col(Appointment.status) != AppointmentStatus.cancelled,
        )
        .group_by(col(Appointment.youth_id))
    )
    for youth_id, at in [*messages.all(), *meetings.all()]:
        if at is not None and (youth_id not in latest or at > latest[youth_id]):
            latest[youth_id] = at
    return latest


@dataclass(frozen=True)
class CallResult:
    dropped_out: bool
    course_ended: bool


async def record_call(
    db: AsyncSession, *, actor: User, youth_id: int, form: CallForm, now: datetime
) -> CallResult:
    """Record a call's outcome and the risk state on the follow-up (and any overdue ones).

    Reaching the young person handles their open flags; "faldet fra" re-opens the course
    with a plan B; handling the last follow-up ends the course. A retry changes nothing.
    """
    await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    follow_up = await db.get(FollowUp, form.follow_up_id)
    if follow_up is None or follow_up.youth_id != youth_id:
        raise NotFound()
    if follow_up.handled_at is not None:
        return CallResult(dropped_out=False, course_ended=False)
    enrollment = await db.get(Enrollment, follow_up.enrollment_id)
    assert enrollment is not None
    if enrollment.ended_at is not None or follow_up.cancelled_at is not None:
        raise Conflict(N_("This follow-up is closed: the start has ended."))
    handled = await db.exec(
        select(FollowUp).where(
            FollowUp.enrollment_id == enrollment.id,
            col(FollowUp.sequence) <= follow_up.sequence,
            col(FollowUp.handled_at).is_(None),
            col(FollowUp.cancelled_at).is_(None),
        )
    )
    for row in handled.all():
        row.call_outcome = form.outcome
        row.risk_state = form.risk_state
        row.handled_at = now
        row.handled_by_id = actor.id
        db.add(row)
    enrollment.risk_state = form.risk_state
    db.add(enrollment)
    if form.outcome == CallOutcome.reached:
        await handle_open_flags(db, youth_id=youth_id, actor=actor, now=now)
    await db.flush()
    if form.risk_state == RiskState.dropped_out:
        await drop_out(db, actor=actor, enrollment=enrollment, now=now)
        return CallResult(dropped_out=True, course_ended=False)
    if await _was_last(db, follow_up):
        youth = await db.get(Youth, youth_id)
        assert youth is not None
        await record_course_end(
            db,
            youth=youth,
            enrollment=enrollment,
            ended_on=copenhagen_today(now),
            outcome=OUTCOME_OF_KIND[enrollment.kind],
            actor=actor,
            now=now,
        )
        return CallResult(dropped_out=False, course_ended=True)
    return CallResult(dropped_out=False, course_ended=False)


async def _was_last(db: AsyncSession, follow_up: FollowUp) -> bool:
    later = await db.exec(
        select(FollowUp.id).where(
            FollowUp.enrollment_id == follow_up.enrollment_id,
            col(FollowUp.sequence) > follow_up.sequence,
            col(FollowUp.cancelled_at).is_(None),
        )
    )
    return later.first() is None
