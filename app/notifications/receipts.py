"""Delivery receipts from the SMS provider: a sent SMS becomes "delivered" or
"undelivered" (then `failed`, so it shows on the admin's failed list and can be sent
again).

A receipt names our reference (`trinvis-notification-<id>`, the idempotency key each
adapter sends as the provider's reference field). Receipts are idempotent: the first
final receipt wins (a conditional UPDATE), so a provider repeating its callback changes
nothing. How each provider is authenticated:
- GatewayAPI signs its webhook as a JWT (HS256, the webhook's secret) in
  `X-Gwapi-Signature`; the claims are what we trust, not the body.
- CPSMS signs nothing; its `dlr_url` carries `TRINVIS_SMS_RECEIPT_SECRET`, compared in
  constant time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import AppError, NotFound
from app.i18n import N_
from app.models import Notification, NotificationStatus
from app.notifications.channels import sms_cpsms, sms_gatewayapi
from app.security.tokens import same
from app.settings import Settings

log = logging.getLogger("trinvis.notifications")

REFERENCE = re.compile(r"^trinvis-notification-(\d{1,18})$")
DELIVERED = "delivered"
UNDELIVERED = "undelivered"


class ReceiptRefused(AppError):
    """A receipt whose signature or secret is wrong: nothing is recorded."""

    status_code = 401
    message = N_("You do not have access to this.")


class ReceiptNotUnderstood(AppError):
    status_code = 400
    message = N_("The request was not understood. Please reload the page and try again.")


@dataclass(frozen=True)
class Receipt:
    notification_id: int
    delivered: bool
    detail: str  # the provider's own status, for staff


def _notification_id(reference: object) -> int | None:
    match = REFERENCE.match(str(reference or ""))
    return int(match.group(1)) if match else None


def gatewayapi_receipt(settings: Settings, *, signature: str | None) -> Receipt | None:
    """The delivery status in GatewayAPI's signed webhook; None while not final or
    not one of ours."""
    if settings.sms_provider != "gatewayapi" or not settings.sms_receipt_secret:
        raise NotFound()
    if not signature:
        raise ReceiptRefused()
    try:
        token = jwt.decode(
            signature, OctKey.import_key(settings.sms_receipt_secret), algorithms=["HS256"]
        )
    except (JoseError, ValueError) as exc:
        raise ReceiptRefused() from exc
    claims = token.claims
    status = str(claims.get("status") or "").upper()
    if not status:
        raise ReceiptNotUnderstood()
    return _final(
        claims.get("userref"), status, sms_gatewayapi.DELIVERED, sms_gatewayapi.NOT_DELIVERED
    )


def cpsms_receipt(settings: Settings, *, secret: str, query: Mapping[str, str]) -> Receipt | None:
    """CPSMS's delivery report (a GET on the dlr_url we gave); None while not final."""
    expected = settings.sms_receipt_secret
    if settings.sms_provider != "cpsms" or not expected:
        raise NotFound()
    if not same(secret, expected):
        raise ReceiptRefused()
    status = (query.get("status") or query.get("dlrStatus") or "").strip()
    if not status:
        raise ReceiptNotUnderstood()
    reference = query.get("reference") or query.get("userReference")
    return _final(reference, status, sms_cpsms.DELIVERED, sms_cpsms.NOT_DELIVERED)


def _final(
    reference: object, status: str, delivered: Iterable[str], not_delivered: Iterable[str]
) -> Receipt | None:
    notification_id = _notification_id(reference)
    if notification_id is None:
        return None
    if status in delivered:
        return Receipt(notification_id, True, status)
    if status in not_delivered:
        return Receipt(notification_id, False, status)
    return None


async def record(db: AsyncSession, receipt: Receipt | None, *, now: datetime) -> bool:
    """Mark the notification delivered or not; False when there was nothing to change
    (a repeated receipt, or a reference that is not ours)."""
    if receipt is None:
        return False
    outcome = DELIVERED if receipt.delivered else UNDELIVERED
    changed = await db.exec(
        update(Notification)  # type: ignore[call-overload]
        .where(col(Notification.id) == receipt.notification_id, col(Notification.receipt).is_(None))
        .values(receipt=outcome, receipt_at=now, receipt_detail=receipt.detail[:120])
    )
    if not changed.rowcount:
        return False
    if not receipt.delivered:
        await db.exec(
            update(Notification)  # type: ignore[call-overload]
            .where(
                col(Notification.id) == receipt.notification_id,
                col(Notification.status) == NotificationStatus.sent,
            )
            .values(
                status=NotificationStatus.failed,
                last_error=f"SMS not delivered ({receipt.detail})"[:500],
            )
        )
    log.info(
        "sms receipt",
        extra={
            "event": "sms_receipt",
            "notification_id": receipt.notification_id,
            "outcome": outcome,
        },
    )
    return True


async def sms_receipts_of_messages(db: AsyncSession, message_ids: list[int]) -> dict[int, str]:
    """The SMS receipt a young person's phone gave for each of these messages (either
    the first notice or the delayed SMS)."""
    if not message_ids:
        return {}
    keys = {f"message.new:{i}": i for i in message_ids} | {
        f"message.new:{i}:sms": i for i in message_ids
    }
    rows = await db.exec(
        select(Notification.dedupe_key, Notification.receipt).where(
            col(Notification.dedupe_key).in_(list(keys)), col(Notification.receipt).is_not(None)
        )
    )
    found: dict[int, str] = {}
    for key, receipt in rows.all():
        message_id = keys[key]
        if found.get(message_id) != DELIVERED:
            found[message_id] = str(receipt)
    return found
