"""A person's notification choices, their devices, and staff views of the outbox."""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, field_validator
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import N_, current_locale, gettext
from app.models import (
    AuditRecord,
    Notification,
    NotificationAttempt,
    NotificationPreference,
    NotificationStatus,
    PushSubscription,
    Role,
    User,
    Youth,
)
from app.notifications.channels import email, push, push_addresses, sms
from app.notifications.outbox import params_of
from app.notifications.rules import preferences_of
from app.notifications.texts import RenderedText, render_text
from app.settings import Settings

log = logging.getLogger("trinvis.notifications")

OUTBOX_PAGE_SIZE = 100
NOT_A_PUSH_SERVICE = N_(
    "Trinvis sends notifications only through the push services of common browsers, "
    "and this address is not one of them."
)


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
        if len(value) > push_addresses.MAX_ENDPOINT_LENGTH or not value.startswith(
            ("https://", "http://")
        ):
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
    db: AsyncSession,
    *,
    actor: User,
    subscription: PushSubscriptionForm,
    settings: Settings,
    now: datetime,
) -> PushSubscription:
    """Store this device's subscription; the same endpoint again updates, never duplicates.

    Only endpoints at the push services browsers use are taken (`push_addresses`).
    A phone shared by two people (or one signing in after another) keeps one endpoint:
    it follows whoever subscribed last.
    """
    assert actor.id is not None
    refusal = push_addresses.endpoint_refusal(settings, subscription.endpoint)
    if refusal is not None:
        log.info(
            "push subscription refused",
            extra={"event": "push_endpoint_refused", "user_id": actor.id, "reason": refusal},
        )
        raise ValidationFailed(
            {"endpoint": gettext(NOT_A_PUSH_SERVICE)}, {"endpoint": subscription.endpoint}
        )
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
    recipient_name: str = ""

    @property
    def reason(self) -> str:
        return plain_reason(self.notification.last_error)


# The channels' technical reasons (kept in English in the outbox for IT staff and logs),
# told in plain words on the admin's page. First match wins.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"not configured|no VAPID key"), N_("This way of sending is not set up yet.")),
    (
        re.compile(r"SMS gateway refused"),
        N_("The SMS service refused the message. Check the phone number and the SMS settings."),
    ),
    (re.compile(r"SMTP login refused"), N_("The mail server refused to let Trinvis sign in.")),
    (
        re.compile(r"SMTP server answered 5"),
        N_("The mail server refused the e-mail. Check the e-mail address."),
    ),
    (
        re.compile(r"unreachable|timed out|answered 5\d\d|\(5\d\d\)|answered 429"),
        N_("The service did not answer. It will be tried again later."),
    ),
    (
        re.compile(r"subscriptions are gone"),
        N_("The phone no longer accepts notifications from Trinvis."),
    ),
    (re.compile(r"already sent by SMS|was read"), N_("Not needed any more: the message was read.")),
)


def plain_reason(technical: str | None) -> str:
    """Why a notification failed, in the reader's language and plain words."""
    if not technical:
        return "–"
    for pattern, words in _REASONS:
        if pattern.search(technical):
            return gettext(words)
    return gettext(N_("It could not be delivered."))


async def failed_notifications(db: AsyncSession, *, actor: User) -> list[OutboxRow]:
    """Failed notifications with their reason, newest first (admins)."""
    _require(actor, Role.admin)
    rows = await db.exec(
        select(Notification, User.role, User.name)
        .join(User, col(User.id) == Notification.user_id)
        .where(Notification.status == NotificationStatus.failed)
        .order_by(col(Notification.created_at).desc())
        .limit(OUTBOX_PAGE_SIZE)
    )
    return await _with_attempts(db, list(rows.all()), locale=current_locale())


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
    """What was (or would have been) sent to `actor`, for the demo only.

    A guide also sees what went to the young people on their own caseload (so a demo
    sign-in code can be read there); nobody sees other people's, not even an admin:
    sign-in codes are in it, and admins reach no young person's content.
    """
    if not settings.demo_mode:
        raise NotFound()
    assert actor.id is not None
    addressed = col(Notification.user_id) == actor.id
    if actor.role == Role.guide:
        own_youth = select(Youth.user_id).where(Youth.guide_id == actor.id)
        addressed = or_(addressed, col(Notification.user_id).in_(own_youth))
    rows = await db.exec(
        select(Notification, User.role, User.name)
        .join(User, col(User.id) == Notification.user_id)
        .where(addressed)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(OUTBOX_PAGE_SIZE)
    )
    return await _with_attempts(db, list(rows.all()), locale=locale, base_url="")


async def _with_attempts(
    db: AsyncSession, rows: list, *, locale: str, base_url: str = ""
) -> list[OutboxRow]:
    ids = [notification.id for notification, _role, _name in rows]
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
    for notification, role, name in rows:
        tries = attempts.get(notification.id, [])
        channel = tries[-1].channel if tries else (notification.channel or "")
        text = render_text(
            notification.kind, params_of(notification), locale=locale, base_url=base_url
        )
        result.append(OutboxRow(notification, str(role), channel, text, tries, name))
    return result


def _require(actor: User, *roles: Role) -> None:
    if actor.role not in roles:
        raise NotFound()
