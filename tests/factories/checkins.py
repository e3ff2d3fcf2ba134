"""Factories for check-ins: answers that give a wanted WHO-5 score, a check-in answered
through the service (`answer_who5`), and a stored check-in row with exactly the date and
score a test needs (`checkin`)."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import AlertKind, CheckIn, CheckInAlert, Instrument, User, Youth
from app.services.checkins import answering

_keys = itertools.count(1)


def who5_answers(score: int) -> dict[str, str]:
    """Five answers whose WHO-5 score (raw × 4) is `score` (a multiple of 4)."""
    assert score % 4 == 0 and 0 <= score <= 100
    raw = score // 4
    values = [raw // 5 + (1 if i < raw % 5 else 0) for i in range(5)]
    return {f"q{i + 1}": str(v) for i, v in enumerate(values)}


def client_key() -> str:
    return f"test-key-{next(_keys):07d}"


async def answer_who5(
    db: AsyncSession, *, actor: User, youth: Youth | None = None, score: int, now: datetime
) -> CheckIn:
    return await answering.submit(
        db,
        actor=actor,
        youth_id=youth.id if youth is not None else None,
        code="who5",
        answers=who5_answers(score),
        client_key=client_key(),
        now=now,
    )


async def instrument_id(db: AsyncSession, code: str) -> int:
    row = (await db.exec(select(Instrument.id).where(Instrument.code == code))).first()
    assert row is not None
    return row


async def checkin(
    db: AsyncSession,
    youth: Youth,
    *,
    score: int,
    taken_at: datetime,
    code: str = "who5",
    recorded_by: User | None = None,
    alert: AlertKind | None = None,
) -> CheckIn:
    """A stored check-in (no scoring, reminders or flags), recorded by the young person
    unless `recorded_by` says otherwise, with an alert of `alert`'s kind if given."""
    assert youth.id is not None
    row = CheckIn(
        youth_id=youth.id,
        instrument_id=await instrument_id(db, code),
        instrument_code=code,
        raw_score=score // 4,
        score=score,
        taken_at=taken_at,
        recorded_by_id=recorded_by.id if recorded_by is not None else youth.user_id,
        client_key=client_key(),
    )
    db.add(row)
    await db.flush()
    if alert is not None:
        assert row.id is not None
        db.add(CheckInAlert(checkin_id=row.id, youth_id=youth.id, kind=alert, created_at=taken_at))
        await db.flush()
    return row
