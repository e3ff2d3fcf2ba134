"""CSRF protection for every unsafe request, forms and htmx alike.

Two checks, both required: the request must come from our own origin (`Origin`, or
`Sec-Fetch-Site` when a browser sends no Origin), and it must carry the token from the
HttpOnly CSRF cookie, either as the `X-CSRF-Token` header (htmx, set by trinvis.js) or
as the `csrf_token` form field (plain forms, which work without JavaScript). A refused
request gets 403 and reaches no handler, so nothing changes.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.cookies import read_cookie
from app.security.tokens import new_token, same
from app.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_BYTES = 1_000_000
HEADER = "x-csrf-token"
FIELD = "csrf_token"
# Machine-to-machine endpoints: no cookies, each authenticates every request itself
# (SCIM: the IdP's bearer token; SMS receipts: the provider's signature or URL secret).
EXEMPT_PREFIXES = ("/scim/v2/", "/webhooks/sms/")


def cookie_name(settings: Settings) -> str:
    return "__Host-trinvis_csrf" if settings.uses_https else "trinvis_csrf"


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        parts = urlsplit(settings.public_base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookie_token = read_cookie(scope, cookie_name(self.settings))
        token = cookie_token or new_token()
        scope.setdefault("state", {})["csrf_token"] = token

        exempt = scope.get("path", "").startswith(EXEMPT_PREFIXES)
        if scope["method"] not in SAFE_METHODS and not exempt:
            refusal, receive = await self._check(scope, receive, headers, cookie_token)
            if refusal:
                await _forbid(scope, send, refusal)
                return

        async def send_with_cookie(message: Message) -> None:
            # Only pages set the cookie: a page and its parallel asset requests would
            # otherwise each set a different token, and the last one would win.
            if message["type"] == "http.response.start" and cookie_token is None:
                raw = list(message.get("headers", []))
                if any(k == b"content-type" and v.startswith(b"text/html") for k, v in raw):
                    raw.append((b"set-cookie", self._cookie_header(token).encode()))
                    message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie_header(self, token: str) -> str:
        secure = "; Secure" if self.settings.uses_https else ""
        return f"{cookie_name(self.settings)}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"

    async def _check(
        self, scope: Scope, receive: Receive, headers: Headers, cookie_token: str | None
    ) -> tuple[str | None, Receive]:
        origin = headers.get("origin")
        if origin == "null":
            # Privacy settings make browsers send "null"; Sec-Fetch-Site still tells.
            origin = None
        fetch_site = headers.get("sec-fetch-site")
        if origin is not None and origin != self.origin:
            return "foreign origin", receive
        if origin is None and fetch_site not in (None, "same-origin", "none"):
            return "cross-site request", receive
        if cookie_token is None:
            return "missing CSRF cookie", receive
        sent = headers.get(HEADER)
        if sent is None:
            body, receive = await _buffer_body(receive)
            if body is None:
                return "request body too large", receive
            sent = await _token_from_body(scope, headers, body)
        if not sent or not same(sent, cookie_token):
            return "missing or wrong CSRF token", receive
        return None, receive


async def _buffer_body(receive: Receive) -> tuple[bytes | None, Receive]:
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None, receive
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def _token_from_body(scope: Scope, headers: Headers, body: bytes) -> str | None:
    content_type = headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(FIELD)
        return values[0] if values else None
    if content_type.startswith("multipart/form-data"):
        sent = False

        async def once() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        form = await Request(scope, once).form()
        value = form.get(FIELD)
        return value if isinstance(value, str) else None
    if content_type.startswith("application/json"):
        try:
            value = json.loads(body or b"{}").get(FIELD)
        except (ValueError, AttributeError):
            return None
        return value if isinstance(value, str) else None
    return None


async def _forbid(scope: Scope, send: Send, reason: str) -> None:
    logging.getLogger("trinvis.security").warning(
        "request refused", extra={"event": "csrf_refused", "reason": reason, "path": scope["path"]}
    )
    body = b"Forbidden: this request could not be verified. Reload the page and try again."
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
