"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291).

pywebpush encrypts the payload for the browser's key and py_vapid signs the VAPID
token; httpx posts it, so timeouts and answers are handled like the other channels.
The payload is generic on purpose (a title, a kind sentence and a link): it may be
shown on a locked screen, so it never holds message text, names or scores, and stays
far below the 4 KB push services accept.

Only endpoints at the push services browsers use are sent to, and only at public
addresses (`push_addresses`): an endpoint elsewhere is dropped without a connection.

Answers: 201 delivered; 404/410 the subscription is gone (the browser unsubscribed or
was reset) and is removed; 429 wait for `Retry-After`; 5xx and timeouts try later.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field

import httpx
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from pywebpush import WebPusher

from app.notifications.channels import DeliveryError, parse_retry_after
from app.notifications.channels.push_addresses import (
    NOT_PUBLIC,
    PublicOnlyTransport,
    endpoint_refusal,
    refused_address,
)
from app.notifications.texts import RenderedText
from app.settings import Settings

MAX_PAYLOAD_BYTES = 1024
TIMEOUT_SECONDS = 10.0
GONE = frozenset({404, 410})


def is_configured(settings: Settings) -> bool:
    return bool(settings.vapid_private_key)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def generate_vapid_keys() -> tuple[str, str]:
    """A new VAPID key pair: (private key, public key), both base64url, for the settings."""
    vapid = Vapid()
    vapid.generate_keys()
    number = vapid.private_key.private_numbers().private_value
    return _b64url(number.to_bytes(32, "big")), public_key_of(vapid)


def public_key_of(vapid: Vapid) -> str:
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(raw)


def application_server_key(settings: Settings) -> str | None:
    """The public key the browser subscribes with (derived when only the private is set)."""
    if settings.vapid_public_key:
        return settings.vapid_public_key
    if not settings.vapid_private_key:
        return None
    return public_key_of(Vapid.from_string(settings.vapid_private_key))


def payload_of(text: RenderedText, *, tag: str) -> bytes:
    """The JSON the service worker shows (static/js/sw-push.js)."""
    data = {"title": text.title, "body": text.body, "url": text.url or "/", "tag": tag}
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    if len(encoded) > MAX_PAYLOAD_BYTES:
        raise DeliveryError("push payload too large", retryable=False)
    return encoded


@dataclass(frozen=True)
class Subscription:
    id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass
class PushOutcome:
    delivered: list[int] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)
    errors: list[DeliveryError] = field(default_factory=list)


async def send_push(
    settings: Settings,
    subscriptions: list[Subscription],
    *,
    text: RenderedText,
    topic: str,
    urgent: bool = False,
) -> PushOutcome:
    """Push to every subscription of one person; the caller removes the `gone` ones."""
    if not settings.vapid_private_key:
        raise DeliveryError("Web Push is not configured (no VAPID key)", retryable=False)
    vapid = Vapid.from_string(settings.vapid_private_key)
    payload = payload_of(text, tag=topic)
    headers = {
        "TTL": str(text.ttl_seconds),
        "Urgency": "high" if urgent else text.urgency,
        # A newer push with the same topic replaces one the phone has not fetched yet.
        "Topic": topic,
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
    }
    outcome = PushOutcome()
    transport = PublicOnlyTransport(settings)
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, transport=transport) as client:
        for subscription in subscriptions:
            refusal = endpoint_refusal(settings, subscription.endpoint)
            if refusal is not None:
                # Saved before the rules (or the setting) changed: it can never be used.
                outcome.gone.append(subscription.id)
                outcome.errors.append(DeliveryError(refusal, retryable=False))
                continue
            try:
                await _post(client, vapid, settings, subscription, payload, headers)
            except _Gone:
                outcome.gone.append(subscription.id)
            except DeliveryError as error:
                outcome.errors.append(error)
            else:
                outcome.delivered.append(subscription.id)
    return outcome


class _Gone(Exception):
    pass


async def _post(
    client: httpx.AsyncClient,
    vapid: Vapid,
    settings: Settings,
    subscription: Subscription,
    payload: bytes,
    headers: dict[str, str],
) -> None:
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    try:
        body = WebPusher(info).encode(payload, "aes128gcm")["body"]
    except Exception as exc:  # a broken key in the subscription: it can never work
        raise _Gone() from exc
    audience = str(httpx.URL(subscription.endpoint).copy_with(path="/", query=None))
    # RFC 8292: at most 24 h ahead; 12 h leaves room for clock skew. The machine's time,
    # not the app's clock: the push service checks it against its own real clock.
    claims = {
        "sub": settings.vapid_subject,
        "aud": audience.rstrip("/"),
        "exp": int(time.time()) + 12 * 3600,  # outside clock: the push service's
    }
    signed = vapid.sign(claims)
    try:
        response = await client.post(
            subscription.endpoint, content=body, headers={**headers, **signed}
        )
    except httpx.TimeoutException as exc:
        raise DeliveryError("push service timed out", retryable=True) from exc
    except httpx.TransportError as exc:
        if refused_address(exc):
            raise DeliveryError(NOT_PUBLIC, retryable=False) from exc
        raise DeliveryError(
            f"push service unreachable ({type(exc).__name__})", retryable=True
        ) from exc
    status = response.status_code
    if status in (200, 201, 202):
        return
    if status in GONE:
        raise _Gone()
    if status == 429:
        raise DeliveryError(
            "push service rate limit (429)",
            retryable=True,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    raise DeliveryError(f"push service answered {status}", retryable=status >= 500)
