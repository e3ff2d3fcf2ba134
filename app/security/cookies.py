"""Cookie rules shared by every cookie Trinvis sets.

Names: over https every cookie is a `__Host-` cookie (Secure, `Path=/`, no `Domain`), so a
neighbouring subdomain can neither set nor overwrite it; over plain http (development,
tests) the browser refuses that prefix, so the bare name is used.

Values that must not be read by whoever sees the browser's cookies (the address a sign-in
code went to) are sealed: encrypted and authenticated with AES-GCM under a key derived
from `TRINVIS_SECRET_KEY` for one purpose, and with an expiry inside.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import datetime, timedelta
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Request, Response
from starlette.requests import cookie_parser
from starlette.types import Scope

from app.settings import Settings

_NONCE_BYTES = 12


def read_cookie(scope: Scope, name: str) -> str | None:
    """One cookie of the request, read as `request.cookies` reads it (for middleware).

    One parser for every cookie, as browsers send them: the standard library's
    `SimpleCookie` refused a whole header for one odd cookie, and cost six times as much.
    """
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            return cookie_parser(value.decode("latin-1")).get(name) or None
    return None


def host_cookie_name(settings: Settings, name: str) -> str:
    """`__Host-<name>` over https, `<name>` over plain http."""
    return f"__Host-{name}" if settings.uses_https else name


def set_host_cookie(
    response: Response,
    settings: Settings,
    name: str,
    value: str,
    *,
    max_age: int | None,
    samesite: Literal["lax", "strict"] = "lax",
) -> None:
    response.set_cookie(
        host_cookie_name(settings, name),
        value,
        max_age=max_age,
        httponly=True,
        secure=settings.uses_https,
        samesite=samesite,
        path="/",
    )


def read_host_cookie(request: Request, settings: Settings, name: str) -> str | None:
    return request.cookies.get(host_cookie_name(settings, name))


def clear_host_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(host_cookie_name(settings, name), path="/", secure=settings.uses_https)


def _key(settings: Settings, purpose: str) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"trinvis cookie {purpose}".encode()
    ).derive(settings.secret_key.encode())
    return AESGCM(derived)


def seal(settings: Settings, purpose: str, value: str, *, now: datetime, ttl: timedelta) -> str:
    """`value` encrypted for this purpose, readable by `unseal` until `now + ttl`."""
    body = json.dumps({"v": value, "exp": int((now + ttl).timestamp())}).encode()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = nonce + _key(settings, purpose).encrypt(nonce, body, purpose.encode())
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def unseal(settings: Settings, purpose: str, token: str | None, *, now: datetime) -> str | None:
    """The sealed value, or None when missing, tampered with, for another purpose or old."""
    if not token or len(token) > 2048:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        body = json.loads(_key(settings, purpose).decrypt(nonce, sealed, purpose.encode()))
    except (ValueError, InvalidTag):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("v"), str):
        return None
    if not isinstance(body.get("exp"), int) or body["exp"] <= now.timestamp():
        return None
    return str(body["v"])
