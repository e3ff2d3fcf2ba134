"""The worker's side of the outbox: claim, decide, send, record.

One notification goes through three short transactions, never one long one:
1. claim a batch (status `sending`, a lease, attempts + 1), commit;
2. decide (cancel, hold for quiet hours, or pick a channel) and write the
   `NotificationAttempt`, commit;
3. call the channel outside any transaction, then record the outcome, commit, but only
   while this worker still holds the newest claim (`attempts` is the fencing token).
A worker killed between 2 and 3 leaves the row `sending`; when its lease runs out any
worker claims it again and calls the gateway with the same idempotency key.

Retries follow app/notifications/retries.py.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import utcnow
from app.models import (
    Message,
    Notification,
    NotificationAttempt,
    NotificationStatus,
    PushSubscription,
    Role,
    User,
)
from app.notifications.channels import DeliveryError, email, push, sms
from app.notifications.claims import Claim, claim_due
from app.notifications.outbox import params_of
from app.notifications.retries import outcome_values
from app.notifications.rules import CHANNEL_ORDER, preferences_of, quiet_hours
from app.notifications.texts import ESSENTIAL_KINDS, RenderedText, render_text
from app.settings import Settings

log = logging.getLogger("trinvis.notifications")

DEMO_CHANNEL = "demo"
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"[:80]
Clock = Callable[[], datetime]


def idempotency_key(notification_id: int) -> str:
    """The same for every try of one notification: receivers drop the duplicate."""
    return f"trinvis-notification-{notification_id}"


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    held: int = 0
    skipped: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class Plan:
    """What to do with one claimed notification."""

    action: str  # send | cancel | hold | fail
    reason: str = ""
    channel: str = ""
    hold_until: datetime | None = None
    target: str = ""
    subscriptions: list[push.Subscription] = field(default_factory=list)


async def deliver_due(
    db: AsyncSession,
    *,
    settings: Settings,
    clock: Clock = utcnow,
    batch: int = 10,
    max_batches: int = 20,
) -> Report:
    """Deliver what is due now. Commits between steps (see the module docstring)."""
    report = Report()
    for _ in range(max_batches):
        claims = await claim_due(
            db, now=clock(), lease_seconds=settings.notification_lease_seconds, limit=batch
        )
        await db.commit()
        if not claims:
            break
        for claim in claims:
            try:
                report.add(await deliver_claimed(db, claim, settings=settings, clock=clock))
            except Exception:
                await db.rollback()
                log.exception("delivery failed", extra={"notification_id": claim.notification_id})
    return report


async def deliver_claimed(
    db: AsyncSession, claim: Claim, *, settings: Settings, clock: Clock = utcnow
) -> str:
    """Deliver one claimed notification; returns sent/retried/failed/cancelled/held/skipped."""
    notification = await db.get(Notification, claim.notification_id, populate_existing=True)
    if notification is None or notification.attempts != claim.number:
        return "skipped"
    user = await db.get(User, notification.user_id)
    now = clock()
    plan = await _plan(db, notification, user, settings=settings, now=now)
    if plan.action != "send":
        await _settle(db, claim, plan, now=now)
        await db.commit()
        return {"cancel": "cancelled", "hold": "held", "fail": "failed"}[plan.action]
    assert user is not None
    attempt = NotificationAttempt(
        notification_id=claim.notification_id,
        number=claim.number,
        channel=plan.channel,
        worker=WORKER_NAME,
        started_at=now,
    )
    db.add(attempt)
    params = params_of(notification)
    text = render_text(
        notification.kind, params, locale=user.locale, base_url=settings.public_base_url
    )
    urgent = notification.urgent
    await db.commit()

    detail, error = "", None
    try:
        detail = await _send(plan, claim, text, settings=settings, urgent=urgent, db=db)
    except DeliveryError as exc:
        error = exc
    return await _record(db, claim, attempt, plan, error, detail, settings=settings, now=clock())


async def _plan(
    db: AsyncSession,
    notification: Notification,
    user: User | None,
    *,
    settings: Settings,
    now: datetime,
) -> Plan:
    if user is None or not user.is_active:
        return Plan("cancel", "the person no longer has an account")
    if notification.attempts > settings.notification_max_attempts:
        return Plan("fail", "too many attempts (the worker stopped during delivery)")
    essential = notification.kind in ESSENTIAL_KINDS
    if await _fallback_no_longer_needed(db, notification):
        return Plan("cancel", "the message was read, or already sent by SMS")
    if user.role == Role.youth and not (notification.urgent or essential):
        until = (await quiet_hours(db)).until(now)
        if until is not None:
            return Plan("hold", "quiet hours", hold_until=until)
    return await _choose_channel(db, notification, user, settings=settings, essential=essential)


async def _choose_channel(
    db: AsyncSession,
    notification: Notification,
    user: User,
    *,
    settings: Settings,
    essential: bool,
) -> Plan:
    assert user.id is not None
    preferences = await preferences_of(db, user.id)
    wanted = [notification.channel] if notification.channel else list(CHANNEL_ORDER)
    turned_off = 0
    for channel in wanted:
        if not essential and not getattr(preferences, channel, False):
            turned_off += 1
            continue
        plan = await _reachable(db, channel, user, settings)
        if plan is not None:
            return plan
    if turned_off == len(wanted):
        return Plan("cancel", "the person turned this channel off")
    if settings.demo_mode:
        return Plan("send", channel=DEMO_CHANNEL)
    return Plan("fail", f"no way to reach the person ({', '.join(wanted)})")


async def _reachable(db: AsyncSession, channel: str, user: User, settings: Settings) -> Plan | None:
    if channel == "push" and push.is_configured(settings):
        rows = (
            await db.exec(select(PushSubscription).where(PushSubscription.user_id == user.id))
        ).all()
        if rows:
            subs = [
                push.Subscription(row.id or 0, row.endpoint, row.p256dh, row.auth) for row in rows
            ]
            return Plan("send", channel="push", subscriptions=subs)
    if channel == "sms" and sms.is_configured(settings) and user.phone:
        return Plan("send", channel="sms", target=user.phone)
    if channel == "email" and email.is_configured(settings) and user.email:
        return Plan("send", channel="email", target=user.email)
    return None


async def _fallback_no_longer_needed(db: AsyncSession, notification: Notification) -> bool:
    """A delayed "message.new" SMS is only for a message nobody has read yet, and only if
    the first notice did not already go out by SMS."""
    if notification.kind != "message.new" or notification.channel != "sms":
        return False
    message_id = params_of(notification).get("message_id")
    if message_id is None:
        return False
    message = await db.get(Message, int(message_id))
    if message is None or message.read_at is not None:
        return True
    siblings = await db.exec(
        select(Notification.params, NotificationAttempt.channel)
        .join(NotificationAttempt, col(NotificationAttempt.notification_id) == Notification.id)
        .where(
            Notification.user_id == notification.user_id,
            Notification.kind == "message.new",
            Notification.id != notification.id,
            NotificationAttempt.outcome == "sent",
        )
    )
    return any(
        channel == "sms" and json.loads(params or "{}").get("message_id") == message_id
        for params, channel in siblings.all()
    )


async def _send(
    plan: Plan,
    claim: Claim,
    text: RenderedText,
    *,
    settings: Settings,
    urgent: bool,
    db: AsyncSession,
) -> str:
    key = idempotency_key(claim.notification_id)
    if plan.channel == DEMO_CHANNEL:
        return "shown in the demo outbox"
    if plan.channel == "sms":
        return await sms.send_sms(settings, to=plan.target, text=text.as_sms(), idempotency_key=key)
    if plan.channel == "email":
        return await email.send_email(settings, to=plan.target, text=text, idempotency_key=key)
    outcome = await push.send_push(
        settings, plan.subscriptions, text=text, topic=f"n{claim.notification_id}", urgent=urgent
    )
    if outcome.gone:
        for sub_id in outcome.gone:
            row = await db.get(PushSubscription, sub_id)
            if row is not None:
                await db.delete(row)
        await db.commit()
        log.info("push subscriptions removed", extra={"count": len(outcome.gone)})
    if outcome.delivered:
        await _mark_pushed(db, outcome.delivered)
        return f"pushed to {len(outcome.delivered)} device(s)"
    if outcome.errors:
        retryable = any(error.retryable for error in outcome.errors)
        waits = [error.retry_after for error in outcome.errors if error.retry_after]
        raise DeliveryError(
            outcome.errors[0].reason, retryable=retryable, retry_after=max(waits, default=None)
        )
    # Every subscription was gone: the next attempt picks another channel.
    raise DeliveryError("the push subscriptions are gone (404/410)", retryable=True, retry_after=0)


async def _mark_pushed(db: AsyncSession, subscription_ids: list[int]) -> None:
    await db.exec(
        update(PushSubscription)  # type: ignore[call-overload]
        .where(col(PushSubscription.id).in_(subscription_ids))
        .values(last_success_at=utcnow())
    )
    await db.commit()


def _fenced(claim: Claim) -> ColumnElement[bool]:
    return and_(
        col(Notification.id) == claim.notification_id,
        col(Notification.status) == NotificationStatus.sending,
        col(Notification.attempts) == claim.number,
    )


async def _settle(db: AsyncSession, claim: Claim, plan: Plan, *, now: datetime) -> None:
    values: dict[str, object] = {"lease_until": None, "last_error": plan.reason[:500]}
    if plan.action == "cancel":
        values["status"] = NotificationStatus.cancelled
    elif plan.action == "fail":
        values["status"] = NotificationStatus.failed
    else:  # hold: not an attempt, so it does not count
        values |= {
            "status": NotificationStatus.pending,
            "not_before": plan.hold_until,
            "attempts": claim.number - 1,
            "last_error": None,
        }
    await db.exec(update(Notification).where(_fenced(claim)).values(**values))  # type: ignore[call-overload]
    log.info(
        "notification not sent",
        extra={"notification_id": claim.notification_id, "action": plan.action},
    )


async def _record(
    db: AsyncSession,
    claim: Claim,
    attempt: NotificationAttempt,
    plan: Plan,
    error: DeliveryError | None,
    detail: str,
    *,
    settings: Settings,
    now: datetime,
) -> str:
    values = outcome_values(claim, attempt, error, detail, settings=settings, now=now)
    values["lease_until"] = None
    result = await db.exec(update(Notification).where(_fenced(claim)).values(**values))  # type: ignore[call-overload]
    attempt.finished_at = now
    if result.rowcount == 0:
        # Another worker claimed it after our lease ran out: its outcome counts, not ours.
        attempt.detail = f"lease ran out before the answer ({attempt.outcome})"
        attempt.outcome = "interrupted"
    elif values["status"] != NotificationStatus.pending and plan.channel != DEMO_CHANNEL:
        # A sign-in code or invite link is a secret: once delivered (or given up), it is
        # no longer kept in the outbox. (The demo outbox page shows it instead of a phone.)
        await db.exec(
            update(Notification)  # type: ignore[call-overload]
            .where(
                col(Notification.id) == claim.notification_id,
                col(Notification.kind).in_(ESSENTIAL_KINDS),
            )
            .values(params="{}")
        )
    db.add(attempt)
    await db.commit()
    outcome = (
        "sent" if error is None else ("retried" if values["status"] == "pending" else "failed")
    )
    log.info(
        "notification delivery",
        extra={
            "notification_id": claim.notification_id,
            "channel": plan.channel,
            "outcome": attempt.outcome,
            "attempt": claim.number,
        },
    )
    return outcome if result.rowcount else "skipped"
