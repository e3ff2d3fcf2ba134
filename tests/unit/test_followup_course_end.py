"""After the last follow-up the course ends by itself, once, unless a flag asks the guide."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from app.clock import add_working_days
from app.models import CourseEnd, CourseEndOutcome, CourseStatus, FlagReason, FollowUp, Youth
from app.services.followups.flags import raise_flag
from app.services.followups.prompts import end_completed_courses
from tests.factories.followups import start
from tests.factories.people import make_user, make_youth

pytestmark = pytest.mark.time_dependent

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _short_start(db, **fields):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    enrollment = await start(
        db,
        guide=guide,
        youth=youth,
        starts_on=date(2026, 3, 2),
        now=MONDAY,
        length_months=1,
        **fields,
    )
    last = (
        await db.exec(
            select(FollowUp)
            .where(FollowUp.enrollment_id == enrollment.id)
            .order_by(col(FollowUp.sequence).desc())
        )
    ).first()
    return youth, enrollment, last


def _morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


async def _ends(db, youth) -> list[CourseEnd]:
    return list((await db.exec(select(CourseEnd).where(CourseEnd.youth_id == youth.id))).all())


async def test_a_course_ends_three_working_days_after_the_last_follow_up(db):
    youth, enrollment, last = await _short_start(db)
    window_closes = add_working_days(last.due_on, 3)

    # On the last day of the window the guide can still handle the call: nothing ends.
    assert await end_completed_courses(db, now=_morning(window_closes)) == 0
    assert await _ends(db, youth) == []

    after = _morning(window_closes + timedelta(days=1))
    assert await end_completed_courses(db, now=after) == 1
    [end] = await _ends(db, youth)
    # Still in the education when the follow-up period ran out: the start's own outcome.
    assert (end.outcome, end.enrollment_id, end.recorded_by_id) == (
        CourseEndOutcome.education,
        enrollment.id,
        None,
    )
    await db.refresh(youth)
    await db.refresh(enrollment)
    assert youth.status == CourseStatus.ended and enrollment.ended_at == after

    # The worker runs again (or a second worker): nothing more is recorded.
    assert await end_completed_courses(db, now=after + timedelta(minutes=5)) == 0
    assert len(await _ends(db, youth)) == 1


async def test_a_job_start_ends_as_a_job(db):
    youth, _enrollment, last = await _short_start(db, kind="job", place="Netto, Fjordby")
    after = _morning(add_working_days(last.due_on, 4))
    assert await end_completed_courses(db, now=after) == 1
    [end] = await _ends(db, youth)
    assert end.outcome == CourseEndOutcome.job


async def test_an_open_risk_flag_leaves_the_ending_to_the_guide(db):
    youth, enrollment, last = await _short_start(db)
    await raise_flag(
        db, enrollment=enrollment, reason=FlagReason.answer, dedupe_key="t:1", now=MONDAY
    )
    after = _morning(add_working_days(last.due_on, 10))
    assert await end_completed_courses(db, now=after) == 0
    assert await _ends(db, youth) == []
    assert (await db.get(Youth, youth.id)).status == CourseStatus.started
