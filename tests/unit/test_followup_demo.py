"""The demo shows follow-ups as a guide would meet them."""

from collections import Counter

from sqlmodel import col, select

from app.demo import load_demo_data
from app.models import (
    CourseEnd,
    CourseStatus,
    Enrollment,
    FlagReason,
    FollowUp,
    PlanStep,
    RiskFlag,
    User,
    Youth,
)
from app.services.followups.call_list import call_list
from app.services.followups.prompts import open_prompt
from tests.factories.people import T0


async def test_demo_has_starts_answers_silence_a_drop_out_and_course_ends(db):
    await load_demo_data(db, now=T0)
    enrollments = (await db.exec(select(Enrollment))).all()
    assert len(enrollments) == 10
    for enrollment in enrollments:
        assert 28 <= (T0.date() - enrollment.starts_on).days <= 155
    assert Counter(e.end_reason for e in enrollments) == {
        None: 6,
        "completed": 3,
        "dropped_out": 1,
    }
    ends = (await db.exec(select(CourseEnd.outcome))).all()
    assert sorted(ends) == ["education", "job", "other"]
    dropped = next(e for e in enrollments if e.end_reason == "dropped_out")
    dropped_youth = await db.get(Youth, dropped.youth_id)
    assert dropped_youth.status == CourseStatus.in_course
    steps = (await db.exec(select(PlanStep).where(PlanStep.youth_id == dropped.youth_id))).all()
    assert f"planb:{dropped.id}" in [s.client_key for s in steps]
    due = (await db.exec(select(FollowUp).where(col(FollowUp.due_at) <= T0))).all()
    assert any(f.answered_at for f in due) and any(f.answered_at is None for f in due)
    reasons = {f.reason for f in (await db.exec(select(RiskFlag))).all() if not f.handled_at}
    # The check-in demo may add well-being-drop flags for young people who started.
    assert {FlagReason.answer, FlagReason.unanswered} <= reasons


async def test_demo_young_person_has_a_question_and_the_guide_a_call_list(db):
    await load_demo_data(db, now=T0)
    youth, sara = (
        await db.exec(
            select(Youth, User).join(User, col(User.id) == col(Youth.user_id)).order_by(User.id)
        )
    ).first()
    prompt = await open_prompt(db, actor=sara, now=T0)
    assert prompt is not None and prompt.place == "SOSU-skolen Fjordby"
    guide = await db.get(User, youth.guide_id)
    calls = await call_list(db, actor=guide, now=T0)
    assert youth.id in {row.youth.id for row in calls.rows}
    assert calls.rows[0].flags  # a flagged young person comes first
