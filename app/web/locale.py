"""Pick the language of each request: the person's choice (cookie), else Danish."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from app.i18n import DEFAULT_LOCALE, _current, normalise_locale
from app.security.cookies import host_cookie_name, read_cookie
from app.settings import Settings

# `__Host-trinvis_lang` over https (app/security/cookies.py).
LOCALE_COOKIE = "trinvis_lang"


class LocaleMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.cookie = host_cookie_name(settings, LOCALE_COOKIE)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        locale = normalise_locale(read_cookie(scope, self.cookie)) or DEFAULT_LOCALE
        token = _current.set(locale)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)
