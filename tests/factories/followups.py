"""Factories for starts in education or a job and their follow-ups."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import Enrollment, EnrollmentKind, User, Youth
from app.services.followups.enrollments import StartForm, register_start

_keys = itertools.count(1)


def start_form(starts_on: date, **fields: object) -> StartForm:
    values: dict[str, object] = {
        "kind": EnrollmentKind.education,
        "place": "Tømreruddannelsen, Fjordby Tekniske Skole",
        "starts_on": starts_on,
        "first_gap_days": 7,
        "interval_days": 14,
        "length_months": 12,
        "client_key": f"start-key-{next(_keys):06d}",
    }
    values.update(fields)
    return StartForm.model_validate(values)


async def start(
    db: AsyncSession, *, guide: User, youth: Youth, starts_on: date, now: datetime, **fields: object
) -> Enrollment:
    assert youth.id is not None
    return await register_start(
        db, actor=guide, youth_id=youth.id, form=start_form(starts_on, **fields), now=now
    )
