"""Demo: young people who started an education or a job 1-5 months ago, and their follow-ups.

Some answered every time, one answered "Svært", one went quiet, one dropped out and got
a plan B, and a few courses ended (in education, in a job, other).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import add_months, at_copenhagen_time, copenhagen_today
from app.demo.world import DemoWorld
from app.models import (
    CallOutcome,
    CourseEndOutcome,
    CourseStatus,
    Enrollment,
    EnrollmentKind,
    FlagReason,
    FollowUp,
    FollowUpAnswer,
    Message,
    MessageKind,
    RiskState,
    User,
    Youth,
)
from app.services.followups import schedule
from app.services.followups.enrollments import drop_out, record_course_end
from app.services.followups.flags import flag_unanswered, raise_flag

# (index of the young person, kind, place, story)
STARTS = [
    (0, EnrollmentKind.education, "SOSU-skolen Fjordby", "open"),
    (1, EnrollmentKind.job, "Netto i Storegade", "hard"),
    (2, EnrollmentKind.education, "Fjordby Tekniske Skole, tømrer", "steady"),
    (3, EnrollmentKind.job, "Lageret hos Fjordby Fragt", "quiet"),
    (4, EnrollmentKind.education, "HF på VUC Fjordby", "dropped"),
    (5, EnrollmentKind.education, "Frisørskolen i Fjordby", "steady"),
    (7, EnrollmentKind.job, "Restaurant Havnen, køkkenet", "ended"),
    (8, EnrollmentKind.education, "FGU Fjordby, erhvervsgrunduddannelse", "ended"),
    (9, EnrollmentKind.job, "Rengøring hos Fjordby Service", "ended_other"),
    (11, EnrollmentKind.education, "Fjordby Gymnasium", "steady"),
]
WORDS = {
    FollowUpAnswer.good: ["Det går fint, jeg har fået en makker.", "Godt! Jeg kan lide det."],
    FollowUpAnswer.okay: ["Lidt træt om morgenen.", "Det er okay, meget nyt."],
    FollowUpAnswer.hard: ["Jeg kender ingen i klassen.", "Det er svært at nå bussen."],
    FollowUpAnswer.considering_stopping: ["Jeg tror ikke, det er noget for mig."],
}


async def add(db: AsyncSession, world: DemoWorld, rng: random.Random, now: datetime) -> None:
    guides = {g.id: g for g in world.guides}
    for index, kind, place, story in STARTS:
        youth, person = world.youths[index]
        assert youth.guide_id is not None
        guide = guides[youth.guide_id]
        ended = story.startswith("ended")
        days_ago = rng.randint(130, 150) if ended else rng.randint(35, 140)
        starts_on = max(
            youth.course_started_on + timedelta(days=7), (now - timedelta(days=days_ago)).date()
        )
        enrollment = Enrollment(
            youth_id=youth.id or 0,
            kind=kind,
            place=place,
            starts_on=starts_on,
            expected_end_on=add_months(starts_on, 24 if kind == "education" else 12),
            length_months=3 if ended else 12,
            created_by_id=guide.id or 0,
            created_at=at_copenhagen_time(starts_on, schedule.DUE_TIME),
            client_key=f"demo-start-{index}",
        )
        db.add(enrollment)
        youth.status = CourseStatus.started
        db.add(youth)
        await db.flush()
        await schedule.schedule(db, enrollment=enrollment)
        await _history(db, world, enrollment, youth, person, guide, story, rng, now)
    await flag_unanswered(db, now=now)
    await db.flush()


async def _history(
    db: AsyncSession,
    world: DemoWorld,
    enrollment: Enrollment,
    youth: Youth,
    person: User,
    guide: User,
    story: str,
    rng: random.Random,
    now: datetime,
) -> None:
    due = list(
        (
            await db.exec(
                select(FollowUp)
                .where(FollowUp.enrollment_id == enrollment.id, col(FollowUp.due_at) <= now)
                .order_by(col(FollowUp.sequence))
            )
        ).all()
    )
    for position, follow_up in enumerate(due):
        from_end = len(due) - position  # 1 for the latest due follow-up
        follow_up.prompted_at = follow_up.due_at
        answer = _answer_for(story, from_end, rng)
        if answer is not None:
            _answer(world, follow_up, person, answer, rng)
        ends_here = story.startswith("ended") and from_end == 1
        if from_end > 2 or ends_here or (story == "dropped" and from_end == 1):
            _call(follow_up, guide, story, answer, rng)
        db.add(follow_up)
    await db.flush()
    if not due:
        return
    await _close_story(db, enrollment, youth, guide, story, due, now)


async def _close_story(
    db: AsyncSession,
    enrollment: Enrollment,
    youth: Youth,
    guide: User,
    story: str,
    due: list[FollowUp],
    now: datetime,
) -> None:
    """How the story ends after its last due follow-up: a flag, a drop-out, a course end."""
    latest = due[-1]
    done_at = latest.handled_at or now
    if story == "hard" and latest.answer is not None:
        await raise_flag(
            db,
            enrollment=enrollment,
            reason=FlagReason.answer,
            dedupe_key=f"answer:{latest.id}",
            follow_up_id=latest.id,
            now=latest.answered_at or now,
        )
    elif story == "dropped":
        enrollment.risk_state = RiskState.dropped_out
        await drop_out(db, actor=guide, enrollment=enrollment, now=done_at)
    elif story.startswith("ended"):
        outcome = (
            CourseEndOutcome.other if story == "ended_other" else CourseEndOutcome(enrollment.kind)
        )
        await record_course_end(
            db,
            youth=youth,
            enrollment=enrollment,
            ended_on=copenhagen_today(done_at),
            outcome=outcome,
            actor=guide,
            now=done_at,
        )
    else:
        enrollment.risk_state = latest.risk_state or due[max(0, len(due) - 3)].risk_state
        db.add(enrollment)


def _answer_for(story: str, from_end: int, rng: random.Random) -> FollowUpAnswer | None:
    if story == "open" and from_end == 1:
        return None  # Sara has a question waiting on her home screen
    if story == "quiet" and from_end <= 3:
        return None
    if story == "hard" and from_end == 1:
        return FollowUpAnswer.hard
    if story == "dropped" and from_end <= 2:
        return FollowUpAnswer.considering_stopping if from_end == 1 else FollowUpAnswer.hard
    if rng.random() < 0.15:
        return None
    return rng.choices([FollowUpAnswer.good, FollowUpAnswer.okay], [0.65, 0.35])[0]


def _answer(
    world: DemoWorld,
    follow_up: FollowUp,
    person: User,
    answer: FollowUpAnswer,
    rng: random.Random,
) -> None:
    follow_up.answer = answer
    follow_up.answered_at = follow_up.due_at + timedelta(hours=rng.randint(1, 30))
    if rng.random() < 0.5 or answer in (FollowUpAnswer.hard, FollowUpAnswer.considering_stopping):
        follow_up.answer_text = rng.choice(WORDS[answer])
        world.messages.append(
            Message(
                youth_id=follow_up.youth_id,
                sender_id=person.id,
                kind=MessageKind.text,
                body=follow_up.answer_text,
                client_key=f"followup:{follow_up.id}",
                sent_at=follow_up.answered_at,
            )
        )


def _call(
    follow_up: FollowUp,
    guide: User,
    story: str,
    answer: FollowUpAnswer | None,
    rng: random.Random,
) -> None:
    follow_up.handled_at = follow_up.due_at + timedelta(days=rng.randint(0, 2), hours=3)
    follow_up.handled_by_id = guide.id
    if story == "dropped" and answer == FollowUpAnswer.considering_stopping:
        follow_up.call_outcome = CallOutcome.reached
        follow_up.risk_state = RiskState.dropped_out
        return
    follow_up.call_outcome = rng.choices(list(CallOutcome), [0.75, 0.15, 0.1])[0]
    worried = answer in (FollowUpAnswer.hard, FollowUpAnswer.considering_stopping)
    follow_up.risk_state = (
        RiskState.at_risk
        if worried
        else (RiskState.thriving if answer == FollowUpAnswer.good else RiskState.challenged)
    )
