"""Factories for check-ins: answers that give a wanted WHO-5 score, and stored check-ins."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import CheckIn, User, Youth
from app.services import checkins

_keys = itertools.count(1)


def who5_answers(score: int) -> dict[str, str]:
    """Five answers whose WHO-5 score (raw × 4) is `score` (a multiple of 4)."""
    assert score % 4 == 0 and 0 <= score <= 100
    raw = score // 4
    values = [raw // 5 + (1 if i < raw % 5 else 0) for i in range(5)]
    return {f"q{i + 1}": str(v) for i, v in enumerate(values)}


def client_key() -> str:
    return f"test-key-{next(_keys):06d}"


async def answer_who5(
    db: AsyncSession, *, actor: User, youth: Youth | None = None, score: int, now: datetime
) -> CheckIn:
    return await checkins.submit(
        db,
        actor=actor,
        youth_id=youth.id if youth is not None else None,
        code="who5",
        answers=who5_answers(score),
        client_key=client_key(),
        now=now,
    )
