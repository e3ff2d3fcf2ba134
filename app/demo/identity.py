"""Demo: half a year of "who has seen my data", a cover period, a second device, and a
MitID reference for the first young person (the local test IdP's `youth_ref` YR-0001)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.demo.world import DemoWorld
from app.models import AuditRecord, Cover, UserSession, YouthIdentityLink
from app.security.sessions import YOUTH_ABSOLUTE, YOUTH_IDLE
from app.security.tokens import token_hash

ACTIONS = ("plan.view", "plan.view", "message.view", "checkin.view", "youth.view")


async def add(db: AsyncSession, world: DemoWorld, rng: random.Random, now: datetime) -> None:
    absent, covering = world.guides[1], world.guides[0]
    assert absent.id is not None and covering.id is not None
    cover_start = now - timedelta(days=63)
    cover_end = cover_start + timedelta(days=14)
    db.add(
        Cover(
            absent_guide_id=absent.id,
            covering_guide_id=covering.id,
            starts_at=cover_start,
            ends_at=cover_end,
            created_by_id=world.leader.id or covering.id,
        )
    )
    for youth, _person in world.youths:
        assert youth.id is not None and youth.guide_id is not None
        day = datetime.combine(youth.course_started_on, time(9), UTC)
        while day < now:
            # Weekdays in office hours, about once a week: what a guide really opens.
            if day.weekday() < 5 and rng.random() < 0.22:
                at = day + timedelta(hours=rng.randint(0, 6), minutes=rng.randint(0, 59))
                if at > now:  # later today: not opened yet
                    break
                in_cover = youth.guide_id == absent.id and cover_start <= at < cover_end
                db.add(
                    AuditRecord(
                        at=at,
                        actor_id=covering.id if in_cover else youth.guide_id,
                        youth_id=youth.id,
                        action=rng.choice(ACTIONS),
                        via="cover" if in_cover else "caseload",
                    )
                )
            day += timedelta(days=1)
    first_youth, first_person = world.youths[0]
    assert first_youth.id is not None and first_person.id is not None
    db.add(YouthIdentityLink(youth_id=first_youth.id, ref="YR-0001"))
    signed_in = now - timedelta(days=12)
    db.add(
        UserSession(
            id=token_hash(f"demo-device-{first_person.id}"),
            user_id=first_person.id,
            created_at=signed_in,
            last_seen_at=now - timedelta(days=2),
            idle_timeout_seconds=int(YOUTH_IDLE.total_seconds()),
            absolute_expires_at=signed_in + YOUTH_ABSOLUTE,
            device_label="Safari · iPhone",
        )
    )
    await db.flush()
