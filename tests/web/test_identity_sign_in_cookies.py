"""A new sign-in ends the browser's old session; sign-in cookies are locked and opaque;
asking for a code does the same work whether or not the address is known."""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie

import httpx
import pytest
from sqlmodel import col, select

from app.models import Notification, OneTimeCode, Role
from app.security.sessions import cookie_name
from app.services.identity import one_time_codes
from tests.factories.people import ensure_csrf, make_user, make_youth, sign_in, user_of
from tests.queries import statements_sent

HTTPS_BASE = "https://trinvis.fjordby.dk"


async def code_for(db, user_id: int) -> str:
    row = (
        await db.exec(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.kind == "auth.code")
            .order_by(col(Notification.id).desc())
        )
    ).first()
    assert row is not None
    return json.loads(row.params)["code"]


async def sign_in_with_code(client, db, person) -> httpx.Response:
    await ensure_csrf(client)
    await client.post("/login/code", data={"address": person.phone})
    code = await code_for(db, person.id)
    return await client.post("/login/code/verify", data={"address": person.phone, "code": code})


async def still_signed_in(app, settings, token: str) -> bool:
    """Whether a browser holding only `token` is signed in."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=str(settings.public_base_url)
    ) as other:
        other.cookies.set(cookie_name(settings), token)
        return (await other.get("/me/notifications")).status_code == 200


async def test_signing_in_as_someone_else_ends_the_old_session(
    app, client, db, settings, frozen_clock
):
    first = await user_of(db, await make_youth(db))
    second = await user_of(db, await make_youth(db))
    assert (await sign_in_with_code(client, db, first)).status_code == 303
    old_token = client.cookies[cookie_name(settings)]
    assert await still_signed_in(app, settings, old_token)
    response = await sign_in_with_code(client, db, second)
    assert response.status_code == 303
    new_token = client.cookies[cookie_name(settings)]
    assert new_token != old_token
    assert not await still_signed_in(app, settings, old_token)
    assert await still_signed_in(app, settings, new_token)


async def test_a_demo_sign_in_over_a_live_session_ends_it_too(
    app, client, db, settings, frozen_clock
):
    guide = await make_user(db, Role.guide)
    leader = await make_user(db, Role.leader)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    old_token = client.cookies[cookie_name(settings)]
    response = await client.post("/demo/sign-in", data={"user_id": str(leader.id)})
    assert response.status_code == 303
    assert not await still_signed_in(app, settings, old_token)


async def test_the_code_address_cookie_holds_no_number_and_is_refused_when_altered(
    client, db, settings
):
    person = await user_of(db, await make_youth(db))
    await ensure_csrf(client)
    response = await client.post("/login/code", data={"address": person.phone})
    value = client.cookies["trinvis_code_to"]
    digits = person.phone.removeprefix("+")
    assert digits not in value and digits[-8:] not in value
    assert "Path=/;" in response.headers["set-cookie"] + ";"
    page = await client.get("/login/code")
    assert person.phone in page.text  # the person's own page still says where it went
    client.cookies.set("trinvis_code_to", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    refused = await client.get("/login/code")
    assert (refused.status_code, refused.headers["location"]) == (303, "/login")


async def test_the_address_cookie_runs_out_with_the_code(client, db, settings, frozen_clock):
    person = await user_of(db, await make_youth(db))
    await ensure_csrf(client)
    await client.post("/login/code", data={"address": person.phone})
    frozen_clock.now += one_time_codes.CODE_TTL
    assert (await client.get("/login/code")).status_code == 303


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each cookie the response sets, by name, with its attributes as sent."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        name = header.split("=", 1)[0]
        found[name] = header
    return found


async def test_over_https_the_language_and_address_cookies_are_host_cookies(app, db, settings):
    settings.public_base_url = HTTPS_BASE
    person = await user_of(db, await make_youth(db))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=HTTPS_BASE
    ) as browser:
        await browser.get("/login")
        csrf = browser.cookies["__Host-trinvis_csrf"]
        browser.headers["X-CSRF-Token"] = csrf
        language = await browser.post("/language", data={"locale": "en", "next": "/login"})
        address = await browser.post("/login/code", data={"address": person.phone})
        assert "Write your code" in (await browser.get("/login/code")).text
    for response, name in ((language, "__Host-trinvis_lang"), (address, "__Host-trinvis_code_to")):
        header = set_cookies(response)[name]
        morsel = SimpleCookie(header)[name]
        assert morsel["path"] == "/" and morsel["secure"] and morsel["httponly"]
        assert not morsel["domain"]
    assert "trinvis_lang" not in set_cookies(language)


async def known_and_unknown(client, db, *, address_of_known: str, unknown: str):
    await ensure_csrf(client)
    with statements_sent(db) as known_sent:
        await client.post("/login/code", data={"address": address_of_known})
    with statements_sent(db) as unknown_sent:
        await client.post("/login/code", data={"address": unknown})
    return _numbered(known_sent), _numbered(unknown_sent)


def _numbered(statements: list[str]) -> list[str]:
    """The test's own savepoints are numbered; the statements are the same otherwise."""
    return [re.sub(r"sa_savepoint_\d+", "sa_savepoint_n", s) for s in statements]


@pytest.mark.parametrize("kind", ["phone", "email"])
async def test_known_and_unknown_addresses_cost_the_same_work(
    client, db, settings, monkeypatch, kind
):
    """The same statements in the same order, and the same hashing, on both paths."""
    person = await user_of(db, await make_youth(db))
    hashed: list[str] = []
    digest = one_time_codes._digest

    def counted(secret: str, message: str) -> str:
        hashed.append(message.split(":", 1)[0])
        return digest(secret, message)

    monkeypatch.setattr(one_time_codes, "_digest", counted)
    known = person.phone if kind == "phone" else person.email
    unknown = "+4599887766" if kind == "phone" else "nobody@example.invalid"
    known_sent, unknown_sent = await known_and_unknown(
        client, db, address_of_known=known, unknown=unknown
    )
    assert known_sent == unknown_sent
    assert any(s.lstrip().upper().startswith("INSERT INTO ONE_TIME_CODE") for s in known_sent)
    assert any(s.lstrip().upper().startswith("INSERT INTO NOTIFICATION") for s in known_sent)
    assert hashed[: len(hashed) // 2] == hashed[len(hashed) // 2 :]
    assert "code" in hashed
    # ... yet only the known address got a code, and nothing was queued for nobody.
    codes = (await db.exec(select(OneTimeCode))).all()
    assert [c.user_id for c in codes] == [person.id]
    queued = (await db.exec(select(Notification.user_id))).all()
    assert queued == [person.id]
