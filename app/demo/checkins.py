"""Half a year of check-ins: monthly WHO-5, quarterly readiness, and the alerts they raised.

Most young people are stable or rising; a few slide below 50, and one falls below 28
with alerts still open for the guide. Older alerts are acknowledged with a short note.
Sara (the first demo young person) is due for her WHO-5, so the home card shows.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.demo.world import DemoWorld
from app.models import CheckIn, CheckInAlert, Youth
from app.services.checkins.answering import current_instrument, record
from app.services.checkins.instruments import Definition

HALF_YEAR = timedelta(days=182)
# Index of the demo young person -> (first score, last score) of their WHO-5 curve.
PROFILES = {
    3: (64, 24),  # falls below 28: urgent
    6: (68, 44),
    10: (60, 40),
    17: (56, 36),
    2: (40, 72),  # rising
    8: (44, 68),
}
DUE_NOW = {0}
NOTES = [
    "Ringet op, aftalt møde i næste uge.",
    "Talt med hende om søvn og rutiner; følger op om 14 dage.",
    "Aftalt at vi laver trivselsmålingen sammen næste gang.",
    "Henvist til samtale hos psykolog via egen læge; aftale booket.",
    "Snakket om det til mødet. Det handlede om et brud med kæresten.",
]


async def add(db: AsyncSession, world: DemoWorld, rng: random.Random, now: datetime) -> None:
    who5 = await current_instrument(db, "who5")
    readiness = await current_instrument(db, "readiness")
    for index, (youth, person) in enumerate(world.youths):
        assert youth.id is not None and person.id is not None and youth.guide_id is not None
        start = max(
            datetime.combine(youth.course_started_on, datetime.min.time(), now.tzinfo),
            now - HALF_YEAR,
        )
        offset = timedelta(days=33) if index in DUE_NOW else timedelta(days=rng.randint(2, 26))
        times = _monthly(now - offset, start, rng)
        first, last = PROFILES.get(index, (rng.randint(52, 78),) * 2)
        for n, taken_at in enumerate(times):
            share = n / max(1, len(times) - 1)
            target = first + (last - first) * share + rng.uniform(-5, 5)
            values = _answers(who5.definition, target, rng)
            together = n % 3 == 1
            await record(
                db,
                youth_id=youth.id,
                instrument=who5,
                values=values,
                client_key=f"demo-who5-{youth.id}-{n}",
                recorded_by_id=youth.guide_id if together else person.id,
                together=together,
                now=taken_at,
            )
        taken_at = start + timedelta(days=rng.randint(3, 9))
        level = rng.uniform(30, 55)
        n = 0
        while taken_at < now:
            values = _answers(readiness.definition, level, rng)
            await record(
                db,
                youth_id=youth.id,
                instrument=readiness,
                values=values,
                client_key=f"demo-readiness-{youth.id}-{n}",
                recorded_by_id=youth.guide_id,
                together=True,
                now=taken_at,
            )
            level = min(95, level + rng.uniform(0, 14))
            taken_at += timedelta(days=91)
            n += 1
        await _acknowledge_older_alerts(db, youth, rng)


def _monthly(last: datetime, start: datetime, rng: random.Random) -> list[datetime]:
    times = []
    taken_at = last
    while taken_at >= start:
        times.append(taken_at.replace(hour=rng.randint(8, 20), minute=rng.randint(0, 59)))
        taken_at -= timedelta(days=rng.randint(27, 33))
    return sorted(times)


def _answers(definition: Definition, target: float, rng: random.Random) -> dict[str, int]:
    """Answers whose score lands near `target` (0-100), spread over the items."""
    top = max(definition.values)
    raw = round(max(0.0, min(100.0, target)) * definition.max_raw / 100)
    keys = [item.key for item in definition.items]
    values = dict.fromkeys(keys, raw // len(keys))
    for key in rng.sample(keys, raw % len(keys)):
        values[key] += 1
    # Uneven answers look real: move a point between two items now and then.
    giver, taker = rng.sample(keys, 2)
    if values[giver] > 0 and values[taker] < top and rng.random() < 0.6:
        values[giver] -= 1
        values[taker] += 1
    allowed = definition.values
    return {key: value if value in allowed else min(allowed) for key, value in values.items()}


async def _acknowledge_older_alerts(db: AsyncSession, youth: Youth, rng: random.Random) -> None:
    """The guide acknowledged every alert except those of the latest check-ins."""
    latest = (
        await db.exec(
            select(CheckIn.id)
            .where(CheckIn.youth_id == youth.id, CheckIn.instrument_code == "who5")
            .order_by(col(CheckIn.taken_at).desc())
            .limit(2)
        )
    ).all()
    alerts = (await db.exec(select(CheckInAlert).where(CheckInAlert.youth_id == youth.id))).all()
    for alert in alerts:
        if alert.checkin_id in latest:
            continue
        alert.acknowledged_at = alert.created_at + timedelta(days=rng.randint(1, 3))
        alert.acknowledged_by_id = youth.guide_id
        alert.note = rng.choice(NOTES)
        db.add(alert)
    await db.flush()
