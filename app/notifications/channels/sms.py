"""SMS through the municipality's HTTP gateway (httpx), chosen by `TRINVIS_SMS_PROVIDER`:
"gatewayapi" (`sms_gatewayapi.py`), "cpsms" (`sms_cpsms.py`), or "generic", the
contract below. Delivery receipts come back through `app/notifications/receipts.py`.

Generic: `POST {TRINVIS_SMS_GATEWAY_URL}` with `{"to", "text"}`, a Bearer token, and an
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
    if settings.sms_provider == "gatewayapi":
        return bool(settings.sms_gateway_token)
    if settings.sms_provider == "cpsms":
        return bool(settings.sms_gateway_token and settings.sms_gateway_username)
    return bool(settings.sms_gateway_url)


async def send_sms(
    settings: Settings,
    *,
    to: str,
    text: str,
    idempotency_key: str,
    pause_seconds: float = PAUSE_SECONDS,
) -> str:
    """Send one SMS with the chosen provider; returns its message id, or raises
    DeliveryError (retryable or not)."""
    from app.notifications.channels import sms_cpsms, sms_gatewayapi

    if settings.sms_provider == "gatewayapi":
        return await sms_gatewayapi.send(settings, to=to, text=text, reference=idempotency_key)
    if settings.sms_provider == "cpsms":
        return await sms_cpsms.send(settings, to=to, text=text, reference=idempotency_key)
    return await send_generic(
        settings, to=to, text=text, idempotency_key=idempotency_key, pause_seconds=pause_seconds
    )


def msisdn(phone: str) -> str:
    """A phone number as the gateways want it: digits with the country code, no "+"
    (a Danish 8-digit number gets 45)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("00"):
        digits = digits[2:]
    return "45" + digits if len(digits) == 8 else digits


def is_phone_number(phone: str) -> bool:
    """Digits (8 to 15 with the country code), spaces, dashes, brackets and a leading +."""
    allowed = set("0123456789 -()")
    body = phone.strip().removeprefix("+")
    return bool(body) and set(body) <= allowed and 8 <= len(msisdn(phone)) <= 15


def answer_error(provider: str, response: httpx.Response) -> DeliveryError:
    """A provider's refusal: 429 and 5xx are worth another try later, any other 4xx
    (wrong key, a number or text refused) is not."""
    status = response.status_code
    if status == 429:
        return DeliveryError(
            f"{provider} rate limit (429)",
            retryable=True,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500:
        return DeliveryError(f"{provider} error {status}", retryable=True)
    return DeliveryError(f"{provider} refused the message ({status})", retryable=False)


async def post_once(
    provider: str, settings: Settings, url: str, **request: object
) -> httpx.Response:
    """One POST to a provider; a timeout or a connection error is worth another try.

    Neither GatewayAPI nor CPSMS documents dropping a repeated request by its reference,
    so there is no quick retry inside an attempt: the outbox tries again after its
    backoff, with the same reference.
    """
    timeout = httpx.Timeout(settings.sms_timeout_seconds, connect=5.0)
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            return await client.post(url, **request)  # type: ignore[arg-type]
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"{provider} timed out", retryable=True) from exc
    except httpx.TransportError as exc:
        raise DeliveryError(
            f"{provider} unreachable ({type(exc).__name__})", retryable=True
        ) from exc


async def send_generic(
    settings: Settings,
    *,
    to: str,
    text: str,
    idempotency_key: str,
    pause_seconds: float = PAUSE_SECONDS,
) -> str:
    """The generic contract: one SMS, the same Idempotency-Key on every try."""
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
