"""A person's notification choices, their devices, and staff views of the outbox."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, field_validator
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Conflict, NotFound
from app.i18n import N_
from app.models import (
    AuditRecord,
    Notification,
    NotificationAttempt,
    NotificationPreference,
    NotificationStatus,
    PushSubscription,
    Role,
    User,
)
from app.notifications.channels import email, push, sms
from app.notifications.outbox import params_of
from app.notifications.rules import preferences_of
from app.notifications.texts import RenderedText, render_text
from app.settings import Settings

log = logging.getLogger("trinvis.notifications")

OUTBOX_PAGE_SIZE = 100


class PreferencesForm(BaseModel):
    """Checkboxes: present means on. Anything but "on" is refused."""

    push: bool = False
    sms: bool = False
    email: bool = False

    @field_validator("push", "sms", "email", mode="before")
    @classmethod
    def _checkbox(cls, value: object) -> bool:
        if value in (None, False):
            return False
        if value in ("on", "true", "1", True):
            return True
        raise ValueError(N_("Please choose on or off."))


def _b64url_length(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, TypeError):
        return -1


class PushSubscriptionForm(BaseModel):
    """What `pushManager.subscribe()` gives the browser, as push.js posts it."""

    endpoint: str
    p256dh: str
    auth: str

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if len(value) > 1024 or not value.startswith(("https://", "http://127.0.0.1")):
            raise ValueError(N_("This is not a push address."))
        return value

    @field_validator("p256dh")
    @classmethod
    def _public_key(cls, value: str) -> str:
        if _b64url_length(value) != 65:
            raise ValueError(N_("This is not a push key."))
        return value

    @field_validator("auth")
    @classmethod
    def _auth(cls, value: str) -> str:
        if _b64url_length(value) != 16:
            raise ValueError(N_("This is not a push key."))
        return value


@dataclass(frozen=True)
class NotificationSettings:
    preferences: NotificationPreference
    has_phone: bool
    has_email: bool
    devices: int
    push_key: str | None
    sms_available: bool
    email_available: bool


async def settings_for(
    db: AsyncSession, *, actor: User, settings: Settings
) -> NotificationSettings:
    assert actor.id is not None
    devices = (
        await db.exec(
            select(func.count())
            .select_from(PushSubscription)
            .where(PushSubscription.user_id == actor.id)
        )
    ).one()
    return NotificationSettings(
        preferences=await preferences_of(db, actor.id),
        has_phone=bool(actor.phone),
        has_email=bool(actor.email),
        devices=int(devices),
        push_key=push.application_server_key(settings),
        sms_available=sms.is_configured(settings) or settings.demo_mode,
        email_available=email.is_configured(settings) or settings.demo_mode,
    )


async def save_preferences(
    db: AsyncSession, *, actor: User, form: PreferencesForm, now: datetime
) -> NotificationPreference:
    assert actor.id is not None
    row = await db.get(NotificationPreference, actor.id)
    if row is None:
        row = NotificationPreference(user_id=actor.id)
    row.push, row.sms, row.email = form.push, form.sms, form.email
    row.updated_at = now
    db.add(row)
    await db.flush()
    return row


async def save_push_subscription(
    db: AsyncSession, *, actor: User, subscription: PushSubscriptionForm, now: datetime
) -> PushSubscription:
    """Store this device's subscription; the same endpoint again updates, never duplicates.

    A phone shared by two people (or one signing in after another) keeps one endpoint:
    it follows whoever subscribed last.
    """
    assert actor.id is not None
    row = (
        await db.exec(
            select(PushSubscription).where(PushSubscription.endpoint == subscription.endpoint)
        )
    ).first()
    if row is None:
        row = PushSubscription(
            user_id=actor.id,
            endpoint=subscription.endpoint,
            p256dh=subscription.p256dh,
            auth=subscription.auth,
            created_at=now,
        )
    else:
        row.user_id, row.p256dh, row.auth = actor.id, subscription.p256dh, subscription.auth
    db.add(row)
    await db.flush()
    log.info("push subscription saved", extra={"user_id": actor.id, "subscription_id": row.id})
    return row


async def remove_push_subscription(db: AsyncSession, *, actor: User, endpoint: str) -> bool:
    """Forget this device (only one's own); True when there was something to forget."""
    row = (
        await db.exec(
            select(PushSubscription).where(
                PushSubscription.endpoint == endpoint, PushSubscription.user_id == actor.id
            )
        )
    ).first()
    if row is None:
        return False
    await db.delete(row)
    await db.flush()
    return True


@dataclass(frozen=True)
class OutboxRow:
    notification: Notification
    recipient_role: str
    channel: str
    text: RenderedText
    attempts: list[NotificationAttempt]


async def failed_notifications(db: AsyncSession, *, actor: User) -> list[OutboxRow]:
    """Failed notifications with their reason, newest first (admins)."""
    _require(actor, Role.admin)
    rows = await db.exec(
        select(Notification, User.role)
        .join(User, col(User.id) == Notification.user_id)
        .where(Notification.status == NotificationStatus.failed)
        .order_by(col(Notification.created_at).desc())
        .limit(OUTBOX_PAGE_SIZE)
    )
    return await _with_attempts(db, list(rows.all()), locale="en")


async def retry_notification(
    db: AsyncSession, *, actor: User, notification_id: int, now: datetime
) -> Notification:
    """Send a failed notification again, with a fresh count of attempts (admins)."""
    _require(actor, Role.admin)
    row = await db.get(Notification, notification_id)
    if row is None:
        raise NotFound()
    if row.status != NotificationStatus.failed:
        raise Conflict(N_("This notification is no longer failed."))
    row.status = NotificationStatus.pending
    row.not_before = now
    row.attempts = 0
    row.lease_until = None
    # A new SMS gets its own receipt.
    row.receipt = row.receipt_at = row.receipt_detail = None
    db.add(row)
    assert actor.id is not None
    db.add(AuditRecord(at=now, actor_id=actor.id, action="notification.retry", via="admin"))
    await db.flush()
    log.info(
        "failed notification queued again",
        extra={"event": "notification_retry", "notification_id": row.id, "actor_id": actor.id},
    )
    return row


async def demo_outbox(
    db: AsyncSession, *, actor: User, settings: Settings, locale: str
) -> list[OutboxRow]:
    """Everything that was (or would have been) sent, for the demo only."""
    if not settings.demo_mode:
        raise NotFound()
    _require(actor, Role.guide, Role.admin)
    rows = await db.exec(
        select(Notification, User.role)
        .join(User, col(User.id) == Notification.user_id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(OUTBOX_PAGE_SIZE)
    )
    return await _with_attempts(db, list(rows.all()), locale=locale, base_url="")


async def _with_attempts(
    db: AsyncSession, rows: list, *, locale: str, base_url: str = ""
) -> list[OutboxRow]:
    ids = [notification.id for notification, _role in rows]
    attempts: dict[int, list[NotificationAttempt]] = {}
    if ids:
        found = await db.exec(
            select(NotificationAttempt)
            .where(col(NotificationAttempt.notification_id).in_(ids))
            .order_by(col(NotificationAttempt.id))
        )
        for attempt in found.all():
            attempts.setdefault(attempt.notification_id, []).append(attempt)
    result = []
    for notification, role in rows:
        tries = attempts.get(notification.id, [])
        channel = tries[-1].channel if tries else (notification.channel or "")
        text = render_text(
            notification.kind, params_of(notification), locale=locale, base_url=base_url
        )
        result.append(OutboxRow(notification, str(role), channel, text, tries))
    return result


def _require(actor: User, *roles: Role) -> None:
    if actor.role not in roles:
        raise NotFound()
