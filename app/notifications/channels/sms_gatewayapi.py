"""SMS through GatewayAPI (gatewayapi.com), the REST API.

Shapes from GatewayAPI's REST documentation, https://gatewayapi.com/docs/apis/rest/
("Sending SMS Messages", "Basic Use"):

    POST /rest/mtsms                     Authorization: Token <API token>
    {"sender": "Trinvis", "message": "...", "userref": "trinvis-notification-12",
     "recipients": [{"msisdn": 4520000001}]}
    200 {"ids": [1000001], "usage": {...}}
    4xx/5xx {"code": "0x0213", "message": "...", "variables": [...], "incident_uuid": "..."}

`userref` is GatewayAPI's own reference field ("returned to you when you receive
Delivery Statuses"): our idempotency key, so a receipt finds its notification and a
retry carries the same reference. Delivery statuses arrive on the webhook set up at
GatewayAPI (README, "SMS"), signed as a JWT (HS256) with the webhook's secret in the
`X-Gwapi-Signature` header (GatewayAPI's webhook documentation, "Webhooks"/"Securing
webhooks"); `app/notifications/receipts.py` checks it.
"""

from __future__ import annotations

from typing import Any

from app.notifications.channels import DeliveryError
from app.notifications.channels.sms import answer_error, is_phone_number, msisdn, post_once
from app.settings import Settings

DEFAULT_URL = "https://gatewayapi.com/rest/mtsms"
PROVIDER = "GatewayAPI"
SIGNATURE_HEADER = "X-Gwapi-Signature"
# Final statuses of GatewayAPI's delivery status list; the others (ACCEPTED, BUFFERED,
# ENROUTE, SCHEDULED, UNKNOWN) are on the way.
DELIVERED = frozenset({"DELIVERED"})
NOT_DELIVERED = frozenset({"UNDELIVERABLE", "EXPIRED", "REJECTED", "DELETED", "SKIPPED"})


def payload(settings: Settings, *, to: str, text: str, reference: str) -> dict[str, Any]:
    return {
        "sender": settings.sms_sender[:11],
        "message": text,
        "userref": reference,
        "recipients": [{"msisdn": int(msisdn(to))}],
    }


async def send(settings: Settings, *, to: str, text: str, reference: str) -> str:
    """Send one SMS; returns GatewayAPI's message id."""
    if not settings.sms_gateway_token:
        raise DeliveryError("GatewayAPI is not configured (no API token)", retryable=False)
    if not is_phone_number(to):
        raise DeliveryError("GatewayAPI: the phone number is not a number", retryable=False)
    response = await post_once(
        PROVIDER,
        settings,
        settings.sms_gateway_url or DEFAULT_URL,
        json=payload(settings, to=to, text=text, reference=reference),
        headers={"Authorization": f"Token {settings.sms_gateway_token}"},
    )
    if not response.is_success:
        error = answer_error(PROVIDER, response)
        code = _error_code(response)
        if code:
            error.reason = f"{error.reason} {code}"[:480]
        raise error
    try:
        ids = response.json().get("ids") or []
    except (ValueError, AttributeError):
        ids = []
    return f"GatewayAPI id {ids[0]}" if ids else "accepted by GatewayAPI"


def _error_code(response: Any) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("code") or "") if isinstance(data, dict) else ""
