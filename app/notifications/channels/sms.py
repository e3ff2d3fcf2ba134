"""SMS through the municipality's HTTP gateway (httpx).

`POST {TRINVIS_SMS_GATEWAY_URL}` with `{"to", "text"}`, a Bearer token, and an
`Idempotency-Key` that is the same for every try of one notification: when a reply is
lost (our timeout, a worker killed mid-call) the retry carries the same key and the
gateway drops the duplicate instead of sending a second SMS.

Within one attempt a timeout, a connection error or a 5xx is tried again a few times;
a 4xx is not (the request itself is wrong, e.g. a bad number), except 429, which ends
the attempt and lets the outbox wait for the gateway's `Retry-After`.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from app.notifications.channels import DeliveryError, parse_retry_after
from app.settings import Settings

log = logging.getLogger("trinvis.notifications")

TRIES_PER_ATTEMPT = 3
PAUSE_SECONDS = 0.5


def is_configured(settings: Settings) -> bool:
    return bool(settings.sms_gateway_url)


async def send_sms(
    settings: Settings,
    *,
    to: str,
    text: str,
    idempotency_key: str,
    pause_seconds: float = PAUSE_SECONDS,
) -> str:
    """Send one SMS; returns the gateway's message id, or raises DeliveryError."""
    if not settings.sms_gateway_url:
        raise DeliveryError("SMS gateway is not configured", retryable=False)
    headers = {
        "Idempotency-Key": idempotency_key,
        "Authorization": f"Bearer {settings.sms_gateway_token or ''}",
    }
    payload = {"to": to, "text": text, "from": settings.sms_sender}
    timeout = httpx.Timeout(settings.sms_timeout_seconds, connect=5.0)
    problem = "no answer"
    async with httpx.AsyncClient(timeout=timeout) as client:
        for attempt in range(TRIES_PER_ATTEMPT):
            if attempt:
                await asyncio.sleep(pause_seconds * 2 ** (attempt - 1))
            try:
                response = await client.post(
                    settings.sms_gateway_url, json=payload, headers=headers
                )
            except httpx.TimeoutException:
                problem = "SMS gateway timed out"
                continue
            except httpx.TransportError as exc:
                problem = f"SMS gateway unreachable ({type(exc).__name__})"
                continue
            if response.is_success:
                return _message_id(response)
            if response.status_code == 429:
                raise DeliveryError(
                    "SMS gateway rate limit (429)",
                    retryable=True,
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                )
            if response.status_code >= 500:
                problem = f"SMS gateway error {response.status_code}"
                continue
            raise DeliveryError(
                f"SMS gateway refused the message ({response.status_code})", retryable=False
            )
    raise DeliveryError(problem, retryable=True)


def _message_id(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("id", "")) if isinstance(data, dict) else ""
