"""Demo for the guide's workspace: one cover running right now (Aisha covers for Mads
this week and next), and handover notes on the earlier changes of guide."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.demo.world import DemoWorld
from app.models import Cover, CoverKey, GuideAssignment, Handover

HANDOVER_NOTES = [
    "Har brug for god tid ved møder. Start gerne med at spørge til hverdagen, ikke til planen.",
    "Vil helst skrive frem for at ringe. Svarer bedst om eftermiddagen.",
    "Er i gang med at søge praktik. Mor er en god støtte og må gerne være med til møder.",
    "Har haft en svær periode med søvn. Vi har aftalt små skridt og korte møder.",
    "Meget motiveret for uddannelse, men bliver nervøs ved nye steder. Følg gerne med første gang.",
]


async def add(db: AsyncSession, world: DemoWorld, rng: random.Random, now: datetime) -> None:
    absent, covering = world.guides[1], world.guides[2]
    assert absent.id is not None and covering.id is not None and world.leader.id is not None
    cover = Cover(
        absent_guide_id=absent.id,
        covering_guide_id=covering.id,
        starts_at=now - timedelta(days=2),
        ends_at=now + timedelta(days=9),
        created_by_id=world.leader.id,
    )
    db.add(cover)
    await db.flush()
    assert cover.id is not None
    db.add(CoverKey(client_key="demo-cover-0001", cover_id=cover.id))
    await _handover_notes(db, world, rng)
    await db.flush()


async def _handover_notes(db: AsyncSession, world: DemoWorld, rng: random.Random) -> None:
    """Every earlier change of guide in the demo gets its note and its handover row."""
    youth_ids = [youth.id for youth, _ in world.youths]
    periods = (
        await db.exec(
            select(GuideAssignment)
            .where(col(GuideAssignment.youth_id).in_(youth_ids))
            .order_by(col(GuideAssignment.youth_id), col(GuideAssignment.started_at))
        )
    ).all()
    previous: dict[int, GuideAssignment] = {}
    for period in periods:
        before = previous.get(period.youth_id)
        previous[period.youth_id] = period
        if before is None:
            continue
        period.handover_note = rng.choice(HANDOVER_NOTES)
        db.add(period)
        db.add(
            Handover(
                youth_id=period.youth_id,
                from_guide_id=before.guide_id,
                to_guide_id=period.guide_id,
                assignment_id=period.id,
                by_id=period.assigned_by_id or world.leader.id or period.guide_id,
                client_key=f"demo-handover-{period.id}",
                at=period.started_at,
            )
        )
