"""A real local HTTP server standing in for a Web Push service (RFC 8030 / 8291 / 8292).

Why: Web Push involves real cryptography end to end -- the app must sign a VAPID JWT for the push
service's origin and encrypt the payload (aes128gcm) for the browser's key. This peer plays both
the push service and the browser: it mints subscriptions with a fresh P-256 key pair and auth
secret, verifies VAPID on every POST and decrypts the body, so a test sees exactly what a
browser's service worker would receive.

    with PushService() as push:
        sub = push.new_subscription()       # {"endpoint": ".../push/<id>", "keys": {...}}
        ... app calls pywebpush.webpush(sub, data, vapid_private_key=..., vapid_claims=...) ...
        msg = push.wait_for(1)[0]
        msg["text"], msg["json"], msg["ttl"], msg["urgency"], msg["vapid_claims"]

    push.respond(sub, 410)                   # subscription gone (until changed)
    push.respond(sub, 429, retry_after=30, times=1)
    push.respond(sub, 500, times=2)          # then back to 201
    push.respond(sub, 404)

Checks on POST /push/<id> (failures are answered like a real service and kept in ``attempts``):
401 when the ``Authorization: vapid t=<JWT>, k=<key>`` header is missing, not ES256, badly signed,
its ``aud`` is not this service's origin, or ``exp`` is not in the future (nor within 24 h);
400 when ``TTL`` is missing, ``Urgency`` is not very-low/low/normal/high, the
``Content-Encoding`` is not aes128gcm, or the body does not decrypt. Success is ``201 Created``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import secrets
import time
from collections import deque
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.peers._http import BackgroundHTTPServer

URGENCIES = {"very-low", "low", "normal", "high"}
_AUTH = re.compile(r"^vapid\s+(.*)$", re.I)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidError(Exception):
    pass


def verify_vapid(header: str | None, audience: str) -> tuple[dict[str, Any], str]:
    """Check an RFC 8292 ``vapid t=..., k=...`` header; return (claims, public key b64url)."""
    match = _AUTH.match(header or "")
    if match is None:
        raise VapidError("missing or non-vapid Authorization header")
    params = dict(part.strip().split("=", 1) for part in match.group(1).split(",") if "=" in part)
    token, key_b64 = params.get("t"), params.get("k")
    if not token or not key_b64:
        raise VapidError("vapid header needs t= and k=")
    try:
        head_b64, claims_b64, sig_b64 = token.split(".")
        header_json = json.loads(b64url_decode(head_b64))
        claims = json.loads(b64url_decode(claims_b64))
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), b64url_decode(key_b64)
        )
        sig = b64url_decode(sig_b64)
    except (ValueError, TypeError) as exc:
        raise VapidError(f"malformed VAPID token: {exc}") from exc
    if header_json.get("alg") != "ES256" or len(sig) != 64:
        raise VapidError("VAPID token must be ES256")
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        public_key.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise VapidError("VAPID signature does not verify") from exc
    if claims.get("aud") != audience:
        raise VapidError(f"VAPID aud {claims.get('aud')!r} is not {audience!r}")
    exp = claims.get("exp")
    now = time.time()
    if not isinstance(exp, int | float) or exp <= now or exp > now + 24 * 3600:
        raise VapidError("VAPID exp must be in the future and at most 24 h ahead")
    return claims, key_b64


class PushService(BackgroundHTTPServer):
    """Push service + simulated browser; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self._subs: dict[str, dict[str, Any]] = {}
        self._script: dict[str, deque[tuple[int, int | None]]] = {}
        self._sticky: dict[str, tuple[int, int | None]] = {}
        self._received: list[dict[str, Any]] = []
        self._attempts: list[dict[str, Any]] = []

    def new_subscription(self) -> dict[str, Any]:
        """Create a browser-like subscription (P-256 key pair + 16-byte auth secret)."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        auth = os.urandom(16)
        sub_id = secrets.token_urlsafe(12)
        subscription = {
            "endpoint": f"{self.url}/push/{sub_id}",
            "keys": {"p256dh": b64url(public), "auth": b64url(auth)},
        }
        with self._lock:
            self._subs[sub_id] = {
                "private_key": private_key,
                "auth": auth,
                "subscription": subscription,
            }
        return json.loads(json.dumps(subscription))

    @staticmethod
    def subscription_id(subscription: dict[str, Any] | str) -> str:
        endpoint = subscription if isinstance(subscription, str) else subscription["endpoint"]
        return endpoint.rstrip("/").rsplit("/", 1)[-1]

    def respond(
        self,
        subscription: dict[str, Any] | str,
        status: int,
        *,
        times: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer POSTs for ``subscription`` with ``status``: ``times`` times, or until changed.

        ``respond(sub, 201)`` restores normal behaviour.
        """
        sub_id = self.subscription_id(subscription)
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._script.pop(sub_id, None)
            self._sticky.pop(sub_id, None)
            if times is not None:
                self._script[sub_id] = deque([(status, retry_after)] * times)
            elif status != 201:
                self._sticky[sub_id] = (status, retry_after)

    @property
    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._received]

    @property
    def attempts(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(a) for a in self._attempts]

    def messages_for(self, subscription: dict[str, Any] | str) -> list[dict[str, Any]]:
        sub_id = self.subscription_id(subscription)
        return [m for m in self.received if m["subscription_id"] == sub_id]

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        if not self.wait_until(lambda: len(self._received) >= count, timeout):
            raise AssertionError(
                f"expected {count} pushes, got {len(self._received)}: attempts={self.attempts}"
            )
        return self.received

    async def wait_for_async(self, count: int = 1, within: float = 5.0) -> list[dict[str, Any]]:
        """``wait_for`` for async tests: waits in a thread so the app's tasks keep running."""
        return await asyncio.to_thread(self.wait_for, count, within)

    def reset(self) -> None:
        with self._lock:
            self._received.clear()
            self._attempts.clear()
            self._script.clear()
            self._sticky.clear()

    # -- serving -----------------------------------------------------------------------------
    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, dict, Any]:
        match = re.fullmatch(r"/push/([A-Za-z0-9_-]+)", path.split("?")[0])
        if method != "POST" or match is None:
            return 404, {}, {"error": "not_found"}
        sub_id = match.group(1)
        attempt: dict[str, Any] = {"subscription_id": sub_id, "headers": dict(headers.items())}
        status, extra, answer = self._process(sub_id, headers, body, attempt)
        attempt["status"] = status
        with self._lock:
            self._attempts.append(attempt)
            self.notify()
        return status, extra, answer

    def _process(
        self, sub_id: str, headers: Any, body: bytes, attempt: dict[str, Any]
    ) -> tuple[int, dict, Any]:
        with self._lock:
            sub = self._subs.get(sub_id)
            queued = self._script.get(sub_id)
            scripted = queued.popleft() if queued else self._sticky.get(sub_id)
        if sub is None:
            return 404, {}, {"error": "unknown subscription"}
        if scripted is not None:
            status, retry_after = scripted
            extra = {"Retry-After": retry_after} if retry_after else {}
            return status, extra, {"error": f"scripted {status}"}
        try:
            claims, vapid_key = verify_vapid(headers.get("Authorization"), self.url)
        except VapidError as exc:
            attempt["error"] = str(exc)
            return 401, {}, {"error": str(exc)}
        ttl, urgency = headers.get("TTL"), headers.get("Urgency", "normal")
        if ttl is None or not ttl.isdigit():
            attempt["error"] = "TTL header missing or not a number"
        elif urgency not in URGENCIES:
            attempt["error"] = f"bad Urgency {urgency!r}"
        elif headers.get("Content-Encoding", "").lower() != "aes128gcm":
            attempt["error"] = "Content-Encoding must be aes128gcm"
        if "error" in attempt:
            return 400, {}, {"error": attempt["error"]}
        try:
            plaintext = http_ece.decrypt(
                body, private_key=sub["private_key"], auth_secret=sub["auth"], version="aes128gcm"
            )
        except Exception as exc:
            attempt["error"] = f"cannot decrypt: {exc!r}"
            return 400, {}, {"error": "payload does not decrypt"}
        text = plaintext.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        message = {
            "id": secrets.token_hex(8),
            "subscription_id": sub_id,
            "payload": plaintext,
            "text": text,
            "json": parsed,
            "ttl": int(ttl or 0),
            "urgency": urgency,
            "topic": headers.get("Topic"),
            "headers": attempt["headers"],
            "vapid_claims": claims,
            "vapid_public_key": vapid_key,
        }
        with self._lock:
            self._received.append(message)
        return 201, {"Location": f"{self.url}/message/{message['id']}", "TTL": ttl}, b""
