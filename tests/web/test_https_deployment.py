"""Behind https (production), browsers are told to stay on https and cookies are locked."""

from __future__ import annotations

import httpx


async def test_hsts_and_host_cookies_when_the_public_address_is_https(app, settings):
    # The middleware reads the settings when the app serves its first request.
    settings.public_base_url = "https://trinvis.fjordby.dk"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://trinvis.fjordby.dk"
    ) as client:
        response = await client.get("/login")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-trinvis_csrf=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie


async def test_sign_in_forms_may_continue_to_the_configured_idp_only(app, client, settings):
    settings.oidc_issuer = "https://login.fjordby.dk/realms/staff"
    csp = (await client.get("/login")).headers["content-security-policy"]
    assert csp.endswith("form-action 'self' https://login.fjordby.dk")
