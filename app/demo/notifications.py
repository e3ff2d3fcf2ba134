"""Demo notifications: channel choices and half a year of what was sent, for the demo outbox.

Everything went to the demo outbox channel (nothing leaves a demo); a few rows show
the other outcomes staff meet: a fallback SMS cancelled because the message was read,
and two failures with their reason on the admin page.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.demo.world import DemoWorld
from app.models import (
    Notification,
    NotificationAttempt,
    NotificationPreference,
    NotificationStatus,
)
from app.notifications.delivery import DEMO_CHANNEL

HISTORY_DAYS = 182
ROUTINE = ("checkin.due", "message.new", "message.new", "appointment.changed")


async def add(db: AsyncSession, world: DemoWorld, rng: random.Random, now: datetime) -> None:
    sent: list[Notification] = []
    for _youth, person in world.youths:
        assert person.id is not None
        if rng.random() < 0.35:
            db.add(
                NotificationPreference(
                    user_id=person.id,
                    push=True,
                    sms=rng.random() < 0.5,
                    email=rng.random() < 0.3,
                    updated_at=now - timedelta(days=rng.randint(1, 150)),
                )
            )
        for n in range(rng.randint(4, 9)):
            at = now - timedelta(days=rng.randint(1, HISTORY_DAYS), minutes=rng.randint(0, 600))
            sent.append(_sent(person.id, rng.choice(ROUTINE), f"demo:{person.id}:{n}", at))
    db.add_all(sent)
    await db.flush()
    for row in sent:
        assert row.id is not None and row.sent_at is not None
        db.add(
            NotificationAttempt(
                notification_id=row.id,
                number=1,
                channel=DEMO_CHANNEL,
                worker="demo",
                started_at=row.created_at,
                finished_at=row.sent_at,
                outcome="sent",
                detail="shown in the demo outbox",
            )
        )
    await _cancelled_fallback(db, world, now)
    await _failures(db, world, now)
    await db.flush()


def _sent(user_id: int, kind: str, key: str, at: datetime) -> Notification:
    return Notification(
        user_id=user_id,
        kind=kind,
        dedupe_key=key,
        status=NotificationStatus.sent,
        created_at=at,
        not_before=at,
        attempts=1,
        sent_at=at + timedelta(seconds=2),
    )


async def _cancelled_fallback(db: AsyncSession, world: DemoWorld, now: datetime) -> None:
    _youth, person = world.youths[0]
    assert person.id is not None
    at = now - timedelta(days=2, hours=3)
    db.add(
        Notification(
            user_id=person.id,
            kind="message.new",
            channel="sms",
            dedupe_key=f"demo:{person.id}:fallback",
            status=NotificationStatus.cancelled,
            created_at=at,
            not_before=at + timedelta(minutes=30),
            last_error="the message was read, or already sent by SMS",
        )
    )


async def _failures(db: AsyncSession, world: DemoWorld, now: datetime) -> None:
    reasons = [
        ("sms", "SMS gateway refused the message (400)"),
        ("email", "SMTP server answered 550"),
    ]
    for index, (channel, reason) in enumerate(reasons):
        _youth, person = world.youths[index + 1]
        assert person.id is not None
        at = now - timedelta(days=index + 1, hours=5)
        row = Notification(
            user_id=person.id,
            kind="checkin.due",
            channel=channel,
            dedupe_key=f"demo:{person.id}:failed:{index}",
            status=NotificationStatus.failed,
            created_at=at,
            not_before=at,
            attempts=1,
            last_error=reason,
        )
        db.add(row)
        await db.flush()
        assert row.id is not None
        db.add(
            NotificationAttempt(
                notification_id=row.id,
                number=1,
                channel=channel,
                worker="demo",
                started_at=at,
                finished_at=at + timedelta(seconds=1),
                outcome="failed",
                detail=reason,
            )
        )
