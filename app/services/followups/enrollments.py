"""Starts in education or a job, their follow-up schedule, and how courses end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import N_, gettext
from app.models import (
    CourseEnd,
    CourseEndOutcome,
    CourseStatus,
    Enrollment,
    EnrollmentEnd,
    EnrollmentKind,
    FollowUp,
    PlanStep,
    RiskFlag,
    StepStatus,
    User,
    Youth,
)
from app.security.access import youth_scope
from app.security.audit import open_youth
from app.services.admin import municipal_settings
from app.services.client_keys import ClientKey, insert_once
from app.services.followups import schedule
from app.services.followups.flags import active_enrollment, handle_open_flags
from app.services.plan import steps as plan_steps

Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ScheduleForm(BaseModel):
    first_gap_days: int = Field(ge=1, le=60)
    interval_days: int = Field(ge=7, le=60)
    length_months: int = Field(ge=1, le=24)


class StartForm(BaseModel):
    # Left empty, the municipality's defaults apply (admin settings).
    first_gap_days: int | None = Field(default=None, ge=1, le=60)
    interval_days: int | None = Field(default=None, ge=7, le=60)
    length_months: int | None = Field(default=None, ge=1, le=24)
    kind: EnrollmentKind
    place: Text200
    starts_on: date
    expected_end_on: date | None = None
    client_key: ClientKey

    @field_validator("expected_end_on")
    @classmethod
    def _ends_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if value is not None and starts_on is not None and value <= starts_on:
            raise ValueError(N_("The expected end must be after the start."))
        return value


class CourseEndForm(BaseModel):
    ended_on: date
    outcome: CourseEndOutcome


OUTCOME_OF_KIND = {
    EnrollmentKind.education: CourseEndOutcome.education,
    EnrollmentKind.job: CourseEndOutcome.job,
}


@dataclass(frozen=True)
class YouthFollowUps:
    youth: Youth
    person: User
    enrollment: Enrollment | None
    follow_ups: list[FollowUp]
    flags: list[RiskFlag]
    past_enrollments: list[Enrollment]
    course_ends: list[CourseEnd]


async def default_schedule(db: AsyncSession) -> dict[str, int]:
    """The municipality's eftervend defaults (first gap, interval, length) for a new start."""
    settings = await municipal_settings.current(db)
    return {
        "first_gap_days": settings.followup_first_gap_days,
        "interval_days": settings.followup_interval_days,
        "length_months": settings.followup_length_months,
    }


async def _youth_and_person(db: AsyncSession, youth_id: int) -> tuple[Youth, User]:
    youth = await db.get(Youth, youth_id)
    person = await db.get(User, youth.user_id) if youth else None
    if youth is None or person is None:
        raise NotFound()
    return youth, person


async def youth_followups(
    db: AsyncSession, *, actor: User, youth_id: int, now: datetime
) -> YouthFollowUps:
    """The guide's page for one young person's starts and follow-ups (audited)."""
    await open_youth(db, actor=actor, youth_id=youth_id, action="followup.view", now=now)
    youth, person = await _youth_and_person(db, youth_id)
    enrollments = list(
        (
            await db.exec(
                select(Enrollment)
                .where(Enrollment.youth_id == youth_id)
                .order_by(col(Enrollment.created_at).desc())
            )
        ).all()
    )
    active = next((e for e in enrollments if e.ended_at is None), None)
    follow_ups: list[FollowUp] = []
    if active is not None:
        follow_ups = list(
            (
                await db.exec(
                    select(FollowUp)
                    .where(FollowUp.enrollment_id == active.id)
                    .order_by(col(FollowUp.sequence))
                )
            ).all()
        )
    flags = (
        await db.exec(
            select(RiskFlag)
            .where(RiskFlag.youth_id == youth_id, col(RiskFlag.handled_at).is_(None))
            .order_by(col(RiskFlag.raised_at))
        )
    ).all()
    ends = (
        await db.exec(
            select(CourseEnd)
            .where(CourseEnd.youth_id == youth_id)
            .order_by(col(CourseEnd.ended_on).desc())
        )
    ).all()
    return YouthFollowUps(
        youth=youth,
        person=person,
        enrollment=active,
        follow_ups=follow_ups,
        flags=list(flags),
        past_enrollments=[e for e in enrollments if e.ended_at is not None],
        course_ends=list(ends),
    )


async def register_start(
    db: AsyncSession, *, actor: User, youth_id: int, form: StartForm, now: datetime
) -> Enrollment:
    """Register a start: the course status becomes "started" and follow-ups are planned.

    A retried form (same client key) returns the enrollment it already stored.
    """
    await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    existing = (
        await db.exec(select(Enrollment).where(Enrollment.client_key == form.client_key))
    ).first()
    if existing is not None:
        if existing.youth_id != youth_id:
            raise NotFound()
        return existing
    if await active_enrollment(db, youth_id=youth_id) is not None:
        raise Conflict(N_("A start is already registered. End it before registering a new one."))
    given = {key: value for key, value in form.model_dump().items() if value is not None}
    values = (
        await default_schedule(db)
        | given
        | {
            "youth_id": youth_id,
            "created_by_id": actor.id,
            "created_at": now,
        }
    )
    enrollment, created = await insert_once(db, Enrollment(**values))
    if not created:
        return enrollment  # the same form arrived twice at once: the other one planned it
    youth, _ = await _youth_and_person(db, youth_id)
    youth.status = CourseStatus.started
    db.add(youth)
    await schedule.schedule(db, enrollment=enrollment, from_day=copenhagen_today(now))
    await db.flush()
    return enrollment


async def _locked_active(db: AsyncSession, youth_id: int) -> Enrollment:
    enrollment = (
        await db.exec(
            select(Enrollment)
            .where(Enrollment.youth_id == youth_id, col(Enrollment.ended_at).is_(None))
            .with_for_update()
        )
    ).first()
    if enrollment is None:
        raise Conflict(N_("There is no registered start to change."))
    return enrollment


async def change_schedule(
    db: AsyncSession, *, actor: User, youth_id: int, form: ScheduleForm, now: datetime
) -> Enrollment:
    """Change the interval, first gap or length; only future follow-ups are re-planned."""
    await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    enrollment = await _locked_active(db, youth_id)
    enrollment.first_gap_days = form.first_gap_days
    enrollment.interval_days = form.interval_days
    enrollment.length_months = form.length_months
    db.add(enrollment)
    await db.flush()
    await schedule.replan(db, enrollment=enrollment, now=now)
    await db.flush()
    return enrollment


async def record_course_end(
    db: AsyncSession,
    *,
    youth: Youth,
    enrollment: Enrollment | None,
    ended_on: date,
    outcome: CourseEndOutcome,
    actor: User | None,
    now: datetime,
) -> CourseEnd:
    """The course is over: schedule stopped, status "ended", one course end recorded."""
    assert youth.id is not None
    if enrollment is not None:
        assert enrollment.id is not None
        await schedule.cancel_future(db, enrollment_id=enrollment.id, now=now)
        enrollment.ended_at = now
        enrollment.end_reason = EnrollmentEnd.completed
        db.add(enrollment)
    youth.status = CourseStatus.ended
    db.add(youth)
    end = CourseEnd(
        youth_id=youth.id,
        enrollment_id=enrollment.id if enrollment else None,
        ended_on=ended_on,
        outcome=outcome,
        recorded_by_id=actor.id if actor else None,
        created_at=now,
    )
    db.add(end)
    if actor is not None:
        await handle_open_flags(db, youth_id=youth.id, actor=actor, now=now)
    await db.flush()
    return end


async def end_course(
    db: AsyncSession, *, actor: User, youth_id: int, form: CourseEndForm, now: datetime
) -> CourseEnd:
    """The guide ends the course, with or without a registered start."""
    await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    youth, _ = await _youth_and_person(db, youth_id)
    if youth.status == CourseStatus.ended:
        raise Conflict(N_("This course has already ended."))
    if form.ended_on > copenhagen_today(now):
        raise ValidationFailed(
            {"ended_on": gettext("The end date cannot be in the future.")},
            values=form.model_dump(mode="json"),
        )
    enrollment = await active_enrollment(db, youth_id=youth_id)
    return await record_course_end(
        db,
        youth=youth,
        enrollment=enrollment,
        ended_on=form.ended_on,
        outcome=form.outcome,
        actor=actor,
        now=now,
    )


async def drop_out(
    db: AsyncSession, *, actor: User, enrollment: Enrollment, now: datetime
) -> PlanStep:
    """ "Faldet fra": stop the schedule and re-open the course with a plan B step.

    Nothing is deleted: answered and cancelled follow-ups stay as the history.
    """
    assert enrollment.id is not None and actor.id is not None
    await schedule.cancel_future(db, enrollment_id=enrollment.id, now=now)
    enrollment.ended_at = now
    enrollment.end_reason = EnrollmentEnd.dropped_out
    db.add(enrollment)
    youth, _ = await _youth_and_person(db, enrollment.youth_id)
    youth.status = CourseStatus.in_course
    db.add(youth)
    first = (
        await db.exec(
            select(func.min(PlanStep.position)).where(
                PlanStep.youth_id == youth.id, col(PlanStep.deleted_at).is_(None)
            )
        )
    ).one()
    step, created = await insert_once(
        db,
        PlanStep(
            youth_id=enrollment.youth_id,
            title=gettext("Plan B: find the next step together"),
            description=gettext("%(place)s did not work out. Together we find a new way.")
            % {"place": enrollment.place},
            due_on=copenhagen_today(now) + timedelta(days=7),
            status=StepStatus.todo,
            position=(first or 0) - 1,
            created_by_id=actor.id,
            created_at=now,
            updated_at=now,
            client_key=f"planb:{enrollment.id}",
        ),
    )
    if created:
        await plan_steps.record_added(db, actor=actor, step=step, now=now)
    await handle_open_flags(db, youth_id=enrollment.youth_id, actor=actor, now=now)
    await db.flush()
    return step
