"""Demo data that looks real: one municipality, two teams, staff and ~40 young people.

Generated from a fixed seed, so it is the same every time (only the dates follow the
day it is loaded, so the demo always looks current). Loaded once: a marker row makes a
second run do nothing. Every person in it is made up.

Each area adds its part as a step in `STEPS` (a module with `async def add(...)`), so
the demo grows with the product without one file owning everything.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.demo import (
    checkins,
    followups,
    identity,
    messages,
    notifications,
    people,
    plan,
    privacy,
    workspace,
)
from app.demo.world import DemoWorld
from app.models import AppSetting

SEED = 20261122
MARKER = "demo_data_loaded"

DemoStep = Callable[[AsyncSession, DemoWorld, random.Random, datetime], Awaitable[None]]
STEPS: list[DemoStep] = [
    plan.add,
    followups.add,
    notifications.add,
    checkins.add,
    identity.add,
    messages.add,
    workspace.add,
    privacy.add,  # the municipality's part of the notices
]


async def load_demo_data(db: AsyncSession, *, now: datetime) -> bool:
    """Load the demo once; returns False when it was already there."""
    if await db.get(AppSetting, MARKER) is not None:
        return False
    rng = random.Random(SEED)
    world = await people.add(db, rng=rng, now=now)
    for step in STEPS:
        await step(db, world, rng, now)
    db.add(AppSetting(key=MARKER, value=now.isoformat()))
    await db.flush()
    return True
