"""SMS through GatewayAPI (gatewayapi.com), the REST API.

Shapes from GatewayAPI's REST documentation, https://gatewayapi.com/docs/apis/rest/
("Sending SMS Messages" → "Basic Use"; "Delivery Status Notification"; "Webhooks" →
"Authentication token"), and the token header from https://gatewayapi.com/docs/guide/
("Authentication": the Token Authorization Header):

    POST /rest/mtsms                     Authorization: Token <API token>
    {"sender": "Trinvis", "message": "...", "userref": "trinvis-notification-12",
     "recipients": [{"msisdn": 4520000001}]}
    200 {"ids": [1000001], "usage": {...}}
    400 invalid arguments, 401 invalid API key, 403 unauthorized IP address,
    422 invalid JSON body, 500 an exception: details in the JSON body.

`userref` is GatewayAPI's own reference field ("returned to you when you receive a
Delivery Status Notification"): our idempotency key, so a receipt finds its
notification and a retry carries the same reference. Delivery statuses arrive on the
webhook set up at GatewayAPI (README, "SMS gateway and delivery receipts") as JSON
(`id`, `msisdn`, `time`, `status`, `error`, `code`, `userref`, ...); with the webhook's
authentication token set, GatewayAPI adds a JWT of those fields signed with it (HS256)
in `X-Gwapi-Signature`, which `app/notifications/receipts.py` checks and reads.
GatewayAPI resends a status it got no 2xx for.
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
