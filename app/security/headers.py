"""Security headers on every response, and no-store on everything but static files."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def csp_for(settings: Settings) -> str:
    """The CSP, letting sign-in and sign-out forms continue to the configured IdPs.

    Browsers apply `form-action` to the redirects that follow a form post, and the
    sign-in and sign-out buttons post to us and are redirected to the IdP.
    """
    origins = []
    for issuer in (settings.oidc_issuer, settings.citizen_oidc_issuer):
        if issuer:
            parts = urlsplit(issuer)
            origins.append(f"{parts.scheme}://{parts.netloc}")
    if not origins:
        return CSP
    return CSP.replace("form-action 'self'", "form-action 'self' " + " ".join(origins))


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hsts = settings.uses_https
        self.csp = csp_for(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not (k.lower() == b"cache-control" and not is_static)
                ]
                headers += [
                    (b"content-security-policy", self.csp.encode()),
                    (b"referrer-policy", b"same-origin"),
                    (b"permissions-policy", PERMISSIONS.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if not is_static:
                    # Pages carry personal data: never keep them in a shared or local cache.
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
