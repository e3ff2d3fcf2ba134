"""SMS through CPSMS (cpsms.dk), REST API v2.

Shapes from CPSMS's API documentation, https://api.cpsms.dk/documentation/index.html
("Authentication", "SMS → Send"):

    POST https://api.cpsms.dk/v2/send     Authorization: Basic base64(username:apikey)
    {"to": "4520000001", "message": "...", "from": "Trinvis",
     "reference": "trinvis-notification-12", "dlr_url": "https://.../webhooks/sms/cpsms/<secret>"}
    200 {"success": [{"to": "4520000001", "cost": 1}]}
    4xx {"error": {"code": 401, "message": "..."}}

`dlr_url` is in the send parameters of that page ("If specified you will receive
delivery reports to the given URL"); CPSMS calls it with GET and query parameters.
`reference` is CPSMS's own field for our reference, and the log endpoint
(`GET /v2/getlog`, same page) shows it back as `userReference` with `dlrStatus`
(1 = "Received"). The stored documentation does not list the delivery report's
parameter names, so `app/notifications/receipts.py` reads `status` or `dlrStatus` and
`reference` or `userReference`. CPSMS signs nothing, so the receipt address carries a
secret (`TRINVIS_SMS_RECEIPT_SECRET`) that is checked in constant time.
"""

from __future__ import annotations

from typing import Any

import httpx

from app.notifications.channels import DeliveryError
from app.notifications.channels.sms import answer_error, is_phone_number, msisdn, post_once
from app.settings import Settings

DEFAULT_URL = "https://api.cpsms.dk/v2/send"
PROVIDER = "CPSMS"
RECEIPT_PATH = "/webhooks/sms/cpsms/"
# CPSMS's DLR status codes: 1 delivered ("Received"), 2 not delivered (and 16, rejected
# by the operator, in the SMPP-style bitmask CPSMS's codes follow); the others (queued,
# sent to the operator) are on the way.
DELIVERED = frozenset({"1"})
NOT_DELIVERED = frozenset({"2", "16"})


def receipt_url(settings: Settings) -> str | None:
    if not settings.sms_receipt_secret:
        return None
    return settings.public_base_url.rstrip("/") + RECEIPT_PATH + settings.sms_receipt_secret


def payload(settings: Settings, *, to: str, text: str, reference: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "to": msisdn(to),
        "message": text,
        "from": settings.sms_sender[:11],
        "reference": reference,
    }
    dlr_url = receipt_url(settings)
    if dlr_url:
        data["dlr_url"] = dlr_url
    return data


async def send(settings: Settings, *, to: str, text: str, reference: str) -> str:
    """Send one SMS; returns what CPSMS answered (the recipient and the cost)."""
    if not (settings.sms_gateway_token and settings.sms_gateway_username):
        raise DeliveryError("CPSMS is not configured (username and API key)", retryable=False)
    if not is_phone_number(to):
        raise DeliveryError("CPSMS: the phone number is not a number", retryable=False)
    response = await post_once(
        PROVIDER,
        settings,
        settings.sms_gateway_url or DEFAULT_URL,
        json=payload(settings, to=to, text=text, reference=reference),
        auth=httpx.BasicAuth(settings.sms_gateway_username, settings.sms_gateway_token),
    )
    data = _json(response)
    error = data.get("error") if isinstance(data, dict) else None
    if not response.is_success or error:
        refusal = answer_error(PROVIDER, response)
        if response.is_success:  # an error object with 200: the request itself was refused
            refusal = DeliveryError(f"{PROVIDER} refused the message", retryable=False)
        if isinstance(error, dict) and error.get("code"):
            refusal.reason = f"{refusal.reason} (code {error['code']})"[:480]
        raise refusal
    success = data.get("success") if isinstance(data, dict) else None
    cost = success[0].get("cost") if isinstance(success, list) and success else None
    return f"accepted by CPSMS (cost {cost})" if cost is not None else "accepted by CPSMS"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
