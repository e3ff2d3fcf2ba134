"""Fixtures for delivering the outbox against the real local peers."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import Notification, PushSubscription, Role, User
from app.notifications.delivery import Report, deliver_due
from app.notifications.outbox import ParamValue, enqueue
from app.settings import Settings
from tests.factories.people import make_user
from tests.peers.fixtures import (
    CPSMS_API_KEY,
    CPSMS_USERNAME,
    GATEWAYAPI_TOKEN,
    GATEWAYAPI_WEBHOOK_SECRET,
    SMS_TOKEN,
)

CPSMS_RECEIPT_SECRET = "cpsms-receipt-secret-0123456789abcdef"

# A Monday, 10:00 in Copenhagen: outside quiet hours.
DAYTIME = datetime.fromisoformat("2026-03-02T09:00:00+00:00")
_phones = itertools.count(1)


@pytest.fixture
def quiet_settings(settings: Settings) -> Settings:
    """No channel configured and not in demo mode: tests add what they need."""
    return settings.model_copy(update={"demo_mode": False})


def with_sms(settings: Settings, gateway, **extra: object) -> Settings:
    return settings.model_copy(
        update={
            "sms_gateway_url": gateway.messages_url,
            "sms_gateway_token": SMS_TOKEN,
            "sms_timeout_seconds": 2.0,
            **extra,
        }
    )


def with_gatewayapi(settings: Settings, peer, **extra: object) -> Settings:
    return settings.model_copy(
        update={
            "sms_provider": "gatewayapi",
            "sms_gateway_url": peer.messages_url,
            "sms_gateway_token": GATEWAYAPI_TOKEN,
            "sms_receipt_secret": GATEWAYAPI_WEBHOOK_SECRET,
            "sms_timeout_seconds": 2.0,
            **extra,
        }
    )


def with_cpsms(settings: Settings, peer, **extra: object) -> Settings:
    return settings.model_copy(
        update={
            "sms_provider": "cpsms",
            "sms_gateway_url": peer.send_url,
            "sms_gateway_username": CPSMS_USERNAME,
            "sms_gateway_token": CPSMS_API_KEY,
            "sms_receipt_secret": CPSMS_RECEIPT_SECRET,
            "sms_timeout_seconds": 2.0,
            **extra,
        }
    )


async def person(db: AsyncSession, role: Role = Role.youth, **fields: object) -> User:
    fields.setdefault("phone", f"+4520{next(_phones):06d}")
    return await make_user(db, role, **fields)


async def queue(
    db: AsyncSession,
    user: User,
    kind: str = "message.new",
    *,
    key: str | None = None,
    now: datetime = DAYTIME,
    params: dict[str, ParamValue] | None = None,
    **fields: object,
) -> Notification:
    assert user.id is not None
    row = await enqueue(
        db,
        user_id=user.id,
        kind=kind,
        dedupe_key=key or f"{kind}:{user.id}:{now.isoformat()}:{fields}",
        now=now,
        params=params,
        **fields,  # type: ignore[arg-type]
    )
    await db.commit()
    return row


async def deliver(db: AsyncSession, settings: Settings, at: datetime = DAYTIME) -> Report:
    return await deliver_due(db, settings=settings, clock=lambda: at)


async def reload(db: AsyncSession, row: Notification) -> Notification:
    fresh = await db.get(Notification, row.id, populate_existing=True)
    assert fresh is not None
    return fresh


async def subscribe(db: AsyncSession, user: User, subscription: dict) -> PushSubscription:
    assert user.id is not None
    row = PushSubscription(
        user_id=user.id,
        endpoint=subscription["endpoint"],
        p256dh=subscription["keys"]["p256dh"],
        auth=subscription["keys"]["auth"],
        created_at=DAYTIME,
    )
    db.add(row)
    await db.commit()
    return row
