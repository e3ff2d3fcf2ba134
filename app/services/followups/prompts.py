"""The young person's side of a follow-up: the prompt on the due day and the answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import add_working_days, copenhagen_today
from app.errors import Conflict, NotFound
from app.i18n import N_
from app.models import (
    Enrollment,
    FlagReason,
    FollowUp,
    FollowUpAnswer,
    Message,
    MessageKind,
    RiskFlag,
    User,
    Youth,
)
from app.notifications.outbox import enqueue
from app.services.client_keys import insert_once
from app.services.followups.enrollments import OUTCOME_OF_KIND, record_course_end
from app.services.followups.flags import ANSWER_WINDOW_WORKING_DAYS, flag_unanswered, raise_flag
from app.services.plan.steps import own_youth

WORRIED_ANSWERS = frozenset({FollowUpAnswer.hard, FollowUpAnswer.considering_stopping})


class AnswerForm(BaseModel):
    answer: FollowUpAnswer
    text: Annotated[str, StringConstraints(max_length=500)] | None = None


@dataclass(frozen=True)
class FollowUpPrompt:
    """What the young person sees: "Hvordan går det på {place}?" and their answer."""

    follow_up: FollowUp
    place: str

    @property
    def answered(self) -> bool:
        return self.follow_up.answered_at is not None


async def open_prompt(db: AsyncSession, *, actor: User, now: datetime) -> FollowUpPrompt | None:
    """The follow-up card for the young person's home: the latest due one, if unanswered.

    For the lead to wire into the youth home (partial `home/_followup_card.html`).
    """
    youth = await own_youth(db, actor=actor)
    row = (
        await db.exec(
            select(FollowUp, Enrollment)
            .join(Enrollment, col(Enrollment.id) == col(FollowUp.enrollment_id))
            .where(
                FollowUp.youth_id == youth.id,
                col(Enrollment.ended_at).is_(None),
                col(FollowUp.cancelled_at).is_(None),
                col(FollowUp.due_at) <= now,
            )
            .order_by(col(FollowUp.due_at).desc())
        )
    ).first()
    if row is None or row[0].answered_at is not None:
        return None
    return FollowUpPrompt(follow_up=row[0], place=row[1].place)


async def prompt_for(
    db: AsyncSession, *, actor: User, follow_up_id: int, now: datetime
) -> FollowUpPrompt:
    """One of the young person's own follow-ups that is due; anyone else's is NotFound."""
    youth = await own_youth(db, actor=actor)
    row = (
        await db.exec(
            select(FollowUp, Enrollment)
            .join(Enrollment, col(Enrollment.id) == col(FollowUp.enrollment_id))
            .where(FollowUp.id == follow_up_id, FollowUp.youth_id == youth.id)
        )
    ).first()
    if row is None or row[0].due_at > now:
        raise NotFound()
    return FollowUpPrompt(follow_up=row[0], place=row[1].place)


async def answer(
    db: AsyncSession, *, actor: User, follow_up_id: int, form: AnswerForm, now: datetime
) -> FollowUpPrompt:
    """Store the answer once; words also land in the conversation with the guide.

    A repeated answer (double tap, retry) keeps the first and changes nothing.
    """
    prompt = await prompt_for(db, actor=actor, follow_up_id=follow_up_id, now=now)
    follow_up = prompt.follow_up
    if follow_up.answered_at is not None:
        return prompt
    enrollment = await db.get(Enrollment, follow_up.enrollment_id)
    assert enrollment is not None and follow_up.id is not None
    if enrollment.ended_at is not None or follow_up.cancelled_at is not None:
        raise Conflict(N_("This question is closed. You can always write to your guide."))
    follow_up.answer = form.answer
    follow_up.answer_text = form.text or None
    follow_up.answered_at = now
    db.add(follow_up)
    if form.text:
        await _add_to_conversation(db, follow_up=follow_up, sender=actor, text=form.text, now=now)
    if form.answer in WORRIED_ANSWERS:
        await raise_flag(
            db,
            enrollment=enrollment,
            reason=FlagReason.answer,
            dedupe_key=f"answer:{follow_up.id}",
            follow_up_id=follow_up.id,
            now=now,
        )
    await db.flush()
    return prompt


async def _add_to_conversation(
    db: AsyncSession, *, follow_up: FollowUp, sender: User, text: str, now: datetime
) -> None:
    await insert_once(
        db,
        Message(
            youth_id=follow_up.youth_id,
            sender_id=sender.id,
            kind=MessageKind.text,
            body=text,
            client_key=f"followup:{follow_up.id}",
            sent_at=now,
        ),
    )


async def prompt_due(db: AsyncSession, *, now: datetime) -> int:
    """Queue "Hvordan går det på …?" for follow-ups that became due (once each).

    One that is already past its answer window (the worker was down) is not sent late.
    """
    rows = await db.exec(
        select(FollowUp, Enrollment, Youth)
        .join(Enrollment, col(Enrollment.id) == col(FollowUp.enrollment_id))
        .join(Youth, col(Youth.id) == col(FollowUp.youth_id))
        .where(
            col(Enrollment.ended_at).is_(None),
            col(FollowUp.due_at) <= now,
            col(FollowUp.prompted_at).is_(None),
            col(FollowUp.answered_at).is_(None),
            col(FollowUp.cancelled_at).is_(None),
        )
    )
    today = copenhagen_today(now)
    queued = 0
    for follow_up, enrollment, youth in rows.all():
        follow_up.prompted_at = now
        db.add(follow_up)
        if add_working_days(follow_up.due_on, ANSWER_WINDOW_WORKING_DAYS) < today:
            continue
        await enqueue(
            db,
            user_id=youth.user_id,
            kind="followup.prompt",
            dedupe_key=f"followup.prompt:{follow_up.id}",
            params={"follow_up_id": follow_up.id, "place": enrollment.place},
            now=now,
        )
        queued += 1
    await db.flush()
    return queued


async def end_completed_courses(db: AsyncSession, *, now: datetime) -> int:
    """Record the course end of starts whose last follow-up has passed.

    "After the last follow-up, a course end is recorded": when the guide handles the last
    call, `call_list.record_call` does it. When nobody does, the course would never end
    and the key figures would miss a young person still in their education or job after
    the whole period. So once the last follow-up is past its window (three working days)
    the course ends with the start's own outcome, unless an open risk flag asks the guide
    to decide first. Ids only; a second worker skips the rows the first has locked.
    """
    last_sequence = (
        select(FollowUp.enrollment_id, func.max(FollowUp.sequence).label("last"))
        .where(col(FollowUp.cancelled_at).is_(None))
        .group_by(col(FollowUp.enrollment_id))
        .subquery()
    )
    flagged = select(RiskFlag.enrollment_id).where(col(RiskFlag.handled_at).is_(None))
    rows = await db.exec(
        select(Enrollment, FollowUp, Youth)
        .join(last_sequence, last_sequence.c.enrollment_id == col(Enrollment.id))
        .join(
            FollowUp,
            (col(FollowUp.enrollment_id) == col(Enrollment.id))
            & (col(FollowUp.sequence) == last_sequence.c.last),
        )
        .join(Youth, col(Youth.id) == col(Enrollment.youth_id))
        .where(
            col(Enrollment.ended_at).is_(None),
            col(FollowUp.due_at) <= now,
            col(Enrollment.id).not_in(flagged),
        )
        .with_for_update(of=Enrollment, skip_locked=True)  # type: ignore[arg-type]
    )
    today = copenhagen_today(now)
    ended = 0
    for enrollment, last, youth in rows.all():
        if add_working_days(last.due_on, ANSWER_WINDOW_WORKING_DAYS) >= today:
            continue
        await record_course_end(
            db,
            youth=youth,
            enrollment=enrollment,
            ended_on=today,
            outcome=OUTCOME_OF_KIND[enrollment.kind],
            actor=None,
            now=now,
        )
        ended += 1
    return ended


async def run_follow_up_jobs(db: AsyncSession, now: datetime) -> int:
    """The worker job: prompts for follow-ups that became due, silence flags, course ends."""
    queued = await prompt_due(db, now=now)
    await flag_unanswered(db, now=now)
    await end_completed_courses(db, now=now)
    return queued
