"""Dropout-risk flags: raised by a worried answer, silence, or a fall in well-being.

A flag stays on top of the guide's call list until the guide reaches the young person
(or the course ends). Each signal has a dedupe key, so it raises one flag however often
it is seen, by however many workers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import add_working_days, copenhagen_today
from app.db import dialect_insert
from app.models import (
    CallOutcome,
    Enrollment,
    FlagReason,
    FollowUp,
    RiskFlag,
    User,
    Youth,
)
from app.notifications.outbox import enqueue

# A change of 10 points on the 0-100 WHO-5 scale is meaningful (DESIGN.md).
WELLBEING_DROP_POINTS = 10
ANSWER_WINDOW_WORKING_DAYS = 3


async def raise_flag(
    db: AsyncSession,
    *,
    enrollment: Enrollment,
    reason: FlagReason,
    dedupe_key: str,
    now: datetime,
    follow_up_id: int | None = None,
) -> RiskFlag:
    """Raise one flag per signal and tell the guide; a repeat returns the existing flag."""
    assert enrollment.id is not None
    insert = dialect_insert(db)
    statement = (
        insert(RiskFlag)
        .values(
            youth_id=enrollment.youth_id,
            enrollment_id=enrollment.id,
            follow_up_id=follow_up_id,
            reason=reason,
            raised_at=now,
            dedupe_key=dedupe_key,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    await db.exec(statement)  # type: ignore[call-overload]
    flag = (await db.exec(select(RiskFlag).where(RiskFlag.dedupe_key == dedupe_key))).one()
    youth = await db.get(Youth, enrollment.youth_id)
    if youth is not None and youth.guide_id is not None:
        # The guide's channel says only that there is something on the call list.
        await enqueue(
            db,
            user_id=youth.guide_id,
            kind="followup.flag",
            dedupe_key=f"followup.flag:{flag.id}",
            params={"youth_id": youth.id},
            now=now,
        )
    return flag


async def active_enrollment(db: AsyncSession, *, youth_id: int) -> Enrollment | None:
    return (
        await db.exec(
            select(Enrollment).where(
                Enrollment.youth_id == youth_id, col(Enrollment.ended_at).is_(None)
            )
        )
    ).first()


async def raise_flag_for_wellbeing_drop(
    db: AsyncSession, *, youth_id: int, drop: int, now: datetime
) -> RiskFlag | None:
    """Called by the check-in area when WHO-5 fell by `drop` points (0-100 scale).

    Raises a flag while the young person is in a started education or job and the drop
    is 10 points or more; one flag per day at most.
    """
    if drop < WELLBEING_DROP_POINTS:
        return None
    enrollment = await active_enrollment(db, youth_id=youth_id)
    if enrollment is None:
        return None
    key = f"wellbeing:{enrollment.id}:{copenhagen_today(now).isoformat()}"
    return await raise_flag(
        db, enrollment=enrollment, reason=FlagReason.wellbeing_drop, dedupe_key=key, now=now
    )


def _responded(follow_up: FollowUp) -> bool:
    return follow_up.answered_at is not None or follow_up.call_outcome == CallOutcome.reached


def _window_closed(follow_up: FollowUp, now: datetime) -> bool:
    closes = add_working_days(follow_up.due_on, ANSWER_WINDOW_WORKING_DAYS)
    return closes < copenhagen_today(now)


async def flag_unanswered(db: AsyncSession, *, now: datetime) -> int:
    """Flag enrollments whose last two closed follow-ups both went without an answer.

    A follow-up's answer window closes three working days after its due date; a call in
    which the guide reached the young person counts as an answer.
    """
    rows = await db.exec(
        select(FollowUp, Enrollment)
        .join(Enrollment, col(Enrollment.id) == col(FollowUp.enrollment_id))
        .where(
            col(Enrollment.ended_at).is_(None),
            col(FollowUp.cancelled_at).is_(None),
            col(FollowUp.due_at) <= now - timedelta(days=ANSWER_WINDOW_WORKING_DAYS),
        )
        .order_by(col(FollowUp.enrollment_id), col(FollowUp.sequence).desc())
    )
    closed: dict[int, list[FollowUp]] = defaultdict(list)
    enrollments: dict[int, Enrollment] = {}
    for follow_up, enrollment in rows.all():
        if _window_closed(follow_up, now) and len(closed[follow_up.enrollment_id]) < 2:
            closed[follow_up.enrollment_id].append(follow_up)
            enrollments[follow_up.enrollment_id] = enrollment
    raised = 0
    for enrollment_id, (latest, *earlier) in closed.items():
        if not earlier or _responded(latest) or _responded(earlier[0]):
            continue
        await raise_flag(
            db,
            enrollment=enrollments[enrollment_id],
            reason=FlagReason.unanswered,
            dedupe_key=f"unanswered:{latest.id}",
            follow_up_id=latest.id,
            now=now,
        )
        raised += 1
    return raised


async def open_flags(db: AsyncSession, *, youth_id: int) -> list[RiskFlag]:
    rows = await db.exec(
        select(RiskFlag)
        .where(RiskFlag.youth_id == youth_id, col(RiskFlag.handled_at).is_(None))
        .order_by(col(RiskFlag.raised_at))
    )
    return list(rows.all())


async def handle_open_flags(db: AsyncSession, *, youth_id: int, actor: User, now: datetime) -> None:
    for flag in await open_flags(db, youth_id=youth_id):
        flag.handled_at = now
        flag.handled_by_id = actor.id
        db.add(flag)
    await db.flush()
