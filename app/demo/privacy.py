"""Demo: the made-up municipality's part of the privacy notice and the accessibility
statement, so the demo's notices read as a municipality's would."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today
from app.demo.world import DemoWorld
from app.models import AppSetting
from app.services.admin.municipal_settings import NOTICE_KEY_PREFIX, NoticeSettings


async def add(db: AsyncSession, world: DemoWorld, rng: random.Random, now: datetime) -> None:
    facts = NoticeSettings(
        controller_name="Fjordby Kommune",
        controller_address="Rådhustorvet 1, 9990 Fjordby",
        controller_contact="ungeindsats@fjordby.example · 99 99 00 00",
        dpo_contact="Databeskyttelsesrådgiver Mette Dam, dpo@fjordby.example",
        accessibility_contact="webtilgaengelighed@fjordby.example",
        accessibility_reviewed_on=copenhagen_today(now) - timedelta(days=30),
    )
    for field, value in facts.model_dump(mode="json").items():
        if value:
            db.add(AppSetting(key=NOTICE_KEY_PREFIX + field, value=json.dumps(value)))
    await db.flush()
