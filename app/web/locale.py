"""Pick the language of each request: the person's choice (cookie), else Danish."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.i18n import DEFAULT_LOCALE, _current, normalise_locale

LOCALE_COOKIE = "trinvis_lang"


class LocaleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(Headers(scope=scope).get("cookie", ""))
        except Exception:  # a malformed cookie header is treated as no choice
            jar = SimpleCookie()
        morsel = jar.get(LOCALE_COOKIE)
        locale = normalise_locale(morsel.value if morsel else None) or DEFAULT_LOCALE
        token = _current.set(locale)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)
