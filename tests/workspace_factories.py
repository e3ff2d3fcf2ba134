"""Builders for the workspace tests: young people with a bit of everything the caseload
page shows (steps, messages, check-ins and alerts, flags, appointments, follow-ups)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import (
    AlertKind,
    Appointment,
    CheckIn,
    CheckInAlert,
    Enrollment,
    EnrollmentKind,
    FlagReason,
    FollowUp,
    Instrument,
    Message,
    PlanStep,
    RiskFlag,
    User,
    Youth,
)
from tests.factories import make_youth, user_of

_keys = itertools.count(1)


def key(prefix: str = "ws") -> str:
    return f"{prefix}-{next(_keys):08d}"


async def instrument(db: AsyncSession) -> Instrument:
    from sqlmodel import select

    found = (await db.exec(select(Instrument).where(Instrument.code == "who5"))).first()
    if found is None:
        found = Instrument(code="who5", version=1, content_hash=key(), definition="{}")
        db.add(found)
        await db.flush()
    return found


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


async def checkin(
    db: AsyncSession,
    youth: Youth,
    guide: User,
    score: int,
    at: datetime,
    *,
    alert: AlertKind | None = None,
) -> CheckIn:
    assert youth.id is not None and guide.id is not None
    who5 = await instrument(db)
    assert who5.id is not None
    row = CheckIn(
        youth_id=youth.id,
        instrument_id=who5.id,
        instrument_code="who5",
        raw_score=score // 4,
        score=score,
        taken_at=at,
        recorded_by_id=guide.id,
        client_key=key("c"),
    )
    db.add(row)
    await db.flush()
    if alert is not None:
        assert row.id is not None
        db.add(CheckInAlert(checkin_id=row.id, youth_id=youth.id, kind=alert, created_at=at))
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
    await checkin(db, youth, guide, 60, now - timedelta(days=40))
    await checkin(db, youth, guide, 24, now - timedelta(days=2), alert=AlertKind.urgent)
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
