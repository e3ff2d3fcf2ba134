"""Builders for the workspace tests: young people with a bit of everything the caseload
page shows (steps, messages, check-ins and alerts, flags, appointments, follow-ups)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import (
    AlertKind,
    Appointment,
    Enrollment,
    EnrollmentKind,
    FlagReason,
    FollowUp,
    Message,
    PlanStep,
    RiskFlag,
    User,
    Youth,
)
from tests.factories.checkins import checkin
from tests.factories.people import make_youth, user_of

_keys = itertools.count(1)


def key(prefix: str = "ws") -> str:
    return f"{prefix}-{next(_keys):08d}"


async def message(
    db: AsyncSession, youth: Youth, sender: User, at: datetime, *, read: bool = False
) -> Message:
    assert youth.id is not None
    row = Message(
        youth_id=youth.id,
        sender_id=sender.id,
        body="Hej",
        client_key=key("m"),
        sent_at=at,
        read_at=at if read else None,
    )
    db.add(row)
    await db.flush()
    return row


async def busy_youth(db: AsyncSession, guide: User, now: datetime, n: int) -> Youth:
    """A young person with something in every caseload column."""
    youth = await make_youth(db, guide=guide)
    person = await user_of(db, youth)
    assert youth.id is not None and guide.id is not None
    db.add(PlanStep(youth_id=youth.id, title=f"Skridt {n}", created_by_id=guide.id, position=1))
    await message(db, youth, guide, now - timedelta(days=3), read=True)
    await message(db, youth, person, now - timedelta(hours=n + 1))
    await checkin(db, youth, score=60, taken_at=now - timedelta(days=40), recorded_by=guide)
    await checkin(
        db,
        youth,
        score=24,
        taken_at=now - timedelta(days=2),
        recorded_by=guide,
        alert=AlertKind.urgent,
    )
    db.add(
        Appointment(
            youth_id=youth.id,
            guide_id=guide.id,
            starts_at=now + timedelta(days=2),
            topic="Snak",
            client_key=key("a"),
        )
    )
    enrollment = Enrollment(
        youth_id=youth.id,
        kind=EnrollmentKind.job,
        place="Netto",
        starts_on=(now - timedelta(days=20)).date(),
        created_by_id=guide.id,
        client_key=key("e"),
    )
    db.add(enrollment)
    await db.flush()
    assert enrollment.id is not None
    follow_up = FollowUp(
        enrollment_id=enrollment.id,
        youth_id=youth.id,
        sequence=1,
        due_on=(now + timedelta(days=3)).date(),
        due_at=now + timedelta(days=3),
    )
    db.add(follow_up)
    db.add(
        RiskFlag(
            youth_id=youth.id,
            enrollment_id=enrollment.id,
            reason=FlagReason.unanswered,
            raised_at=now,
            dedupe_key=key("f"),
        )
    )
    await db.flush()
    return youth
