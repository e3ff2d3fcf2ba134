"""A young person's 30 days run from the last use, in the browser as on the server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.models import Role
from app.security.sessions import cookie_name
from tests.factories.people import make_user, make_youth, sign_in, user_of

pytestmark = pytest.mark.time_dependent

THIRTY_DAYS = 30 * 24 * 3600


def _session_set_cookie(response, settings) -> str | None:
    prefix = cookie_name(settings) + "="
    cookies = [v for v in response.headers.get_list("set-cookie") if v.startswith(prefix)]
    return cookies[0] if cookies else None


async def test_young_persons_cookie_is_sent_again_when_the_session_slides(
    client, db, settings, frozen_clock
):
    person = await user_of(db, await make_youth(db))
    await sign_in(client, db, person, settings, frozen_clock.now)

    # Within a minute nothing is written, so nothing is sent again.
    assert _session_set_cookie(await client.get("/"), settings) is None

    frozen_clock.now += timedelta(days=20)
    refreshed = _session_set_cookie(await client.get("/"), settings)
    assert refreshed is not None
    assert f"Max-Age={THIRTY_DAYS}" in refreshed
    assert "HttpOnly" in refreshed

    # 20 + 20 days after sign-in, the young person who used the app is still signed in.
    frozen_clock.now += timedelta(days=20)
    assert (await client.get("/", follow_redirects=False)).status_code == 200


async def test_staff_cookie_is_not_turned_into_a_lasting_cookie(client, db, settings, frozen_clock):
    guide = await make_user(db, Role.guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    frozen_clock.now += timedelta(minutes=5)
    assert _session_set_cookie(await client.get("/"), settings) is None


async def test_signing_out_is_not_undone_by_the_sliding_cookie(client, db, settings, frozen_clock):
    person = await user_of(db, await make_youth(db))
    await sign_in(client, db, person, settings, frozen_clock.now)
    frozen_clock.now += timedelta(days=2)
    response = await client.post("/logout", follow_redirects=False)
    cookie = _session_set_cookie(response, settings)
    assert cookie is not None and "Max-Age=0" in cookie


async def test_staff_session_lengths_come_from_the_settings(db, monkeypatch):
    from app.models import UserSession
    from app.security.sessions import start_session
    from app.security.tokens import token_hash
    from app.settings import get_settings
    from tests.factories.people import T0

    monkeypatch.setenv("TRINVIS_STAFF_IDLE_MINUTES", "15")
    monkeypatch.setenv("TRINVIS_STAFF_SESSION_HOURS", "8")
    get_settings.cache_clear()
    try:
        guide = await make_user(db, Role.guide)
        token = await start_session(db, user=guide, now=T0)
    finally:
        get_settings.cache_clear()
    session = await db.get(UserSession, token_hash(token))
    assert session.idle_timeout_seconds == 15 * 60
    assert session.absolute_expires_at == T0 + timedelta(hours=8)
