"""Young people sign in with a 6-digit code sent to their phone or e-mail."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import col, select

from app.models import Notification, OneTimeCode, Role, UserSession
from app.security.sessions import cookie_name
from tests.factories.people import ensure_csrf, make_user, make_youth, user_of

pytestmark = pytest.mark.time_dependent


async def queued_codes(db, user_id: int) -> list[Notification]:
    return list(
        (
            await db.exec(
                select(Notification)
                .where(Notification.user_id == user_id, Notification.kind == "auth.code")
                .order_by(col(Notification.id))
            )
        ).all()
    )


async def last_code(db, user_id: int) -> str:
    return json.loads((await queued_codes(db, user_id))[-1].params)["code"]


async def ask_for_code(client, address: str):
    await ensure_csrf(client)
    return await client.post("/login/code", data={"address": address})


async def test_login_page_always_has_the_code_form(client, app):
    app.state.settings.demo_mode = False
    page = (await client.get("/login")).text
    assert 'action="/login/code"' in page
    assert 'name="csrf_token"' in page


async def test_young_person_signs_in_with_a_code_sent_by_sms(client, db, settings):
    youth = await make_youth(db)
    person = await user_of(db, youth)
    response = await ask_for_code(client, person.phone.removeprefix("+45"))
    assert response.status_code == 303
    assert response.headers["location"] == "/login/code"
    [queued] = await queued_codes(db, person.id)
    assert queued.channel == "sms"
    code = json.loads(queued.params)["code"]
    stored = (await db.exec(select(OneTimeCode).where(OneTimeCode.user_id == person.id))).one()
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    page = await client.get("/login/code")
    assert "Skriv din kode" in page.text
    response = await client.post("/login/code/verify", data={"address": person.phone, "code": code})
    assert response.status_code == 303
    assert cookie_name(settings) in client.cookies
    session = (await db.exec(select(UserSession).where(UserSession.user_id == person.id))).one()
    assert session.idle_timeout_seconds == 30 * 24 * 3600  # 30 days, sliding
    assert (await client.get("/")).status_code == 200


async def test_a_code_can_go_to_the_e_mail_address(client, db, settings):
    person = await user_of(db, await make_youth(db))
    await ask_for_code(client, person.email.upper())
    [queued] = await queued_codes(db, person.id)
    assert queued.channel == "email"


async def test_unknown_and_known_addresses_get_the_same_answer(client, db):
    person = await user_of(db, await make_youth(db))
    known = await ask_for_code(client, person.phone)
    unknown = await ask_for_code(client, "+4599999999")
    assert (known.status_code, known.headers["location"]) == (
        unknown.status_code,
        unknown.headers["location"],
    )
    assert len(await queued_codes(db, person.id)) == 1
    page = (await client.get("/login/code")).text
    assert "Hvis +4599999999 er registreret hos os" in page


async def test_staff_cannot_sign_in_with_a_code(client, db):
    guide = await make_user(db, Role.guide, phone="+4512345678")
    await ask_for_code(client, "+4512345678")
    assert await queued_codes(db, guide.id) == []


async def test_a_wrong_code_is_refused_and_five_tries_use_the_code_up(client, db, settings):
    person = await user_of(db, await make_youth(db))
    await ask_for_code(client, person.phone)
    code = await last_code(db, person.id)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = await client.post(
            "/login/code/verify", data={"address": person.phone, "code": wrong}
        )
        assert response.status_code == 422
        assert "Koden er forkert eller udløbet" in response.text
    response = await client.post("/login/code/verify", data={"address": person.phone, "code": code})
    assert response.status_code == 422
    assert cookie_name(settings) not in client.cookies


async def test_a_code_runs_out_after_ten_minutes(client, db, settings, frozen_clock):
    person = await user_of(db, await make_youth(db))
    await ask_for_code(client, person.phone)
    code = await last_code(db, person.id)
    frozen_clock.now += timedelta(minutes=10, seconds=1)
    response = await client.post("/login/code/verify", data={"address": person.phone, "code": code})
    assert response.status_code == 422
    assert cookie_name(settings) not in client.cookies


async def test_a_code_works_once_and_a_new_code_replaces_the_old(client, db, settings, app):
    person = await user_of(db, await make_youth(db))
    await ask_for_code(client, person.phone)
    first = await last_code(db, person.id)
    await ask_for_code(client, person.phone)
    second = await last_code(db, person.id)
    if first != second:
        old = await client.post("/login/code/verify", data={"address": person.phone, "code": first})
        assert old.status_code == 422
    ok = await client.post("/login/code/verify", data={"address": person.phone, "code": second})
    assert ok.status_code == 303
    client.cookies.delete(cookie_name(settings))
    again = await client.post("/login/code/verify", data={"address": person.phone, "code": second})
    assert again.status_code == 422


async def test_the_code_form_keeps_what_was_typed_and_explains_errors(client, db):
    await ensure_csrf(client)
    response = await client.post("/login/code", data={"address": "not a number"})
    assert response.status_code == 422
    assert 'value="not a number"' in response.text
    assert "Skriv dit telefonnummer eller din e-mail." in response.text
    response = await client.post(
        "/login/code/verify", data={"address": "+4520000000", "code": "12a"}
    )
    assert response.status_code == 422
    assert "Koden har 6 cifre." in response.text


async def test_code_requests_are_rate_limited_per_address_with_retry_after(client, db):
    person = await user_of(db, await make_youth(db))
    phone, person_id = person.phone, person.id  # a refused request rolls back (expires rows)
    for _ in range(3):
        assert (await ask_for_code(client, phone)).status_code == 303
    refused = await ask_for_code(client, phone)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert len(await queued_codes(db, person_id)) == 3


async def test_code_requests_are_rate_limited_per_ip(client, db):
    statuses = []
    for n in range(21):
        statuses.append((await ask_for_code(client, f"+45300{n:05d}")).status_code)
    assert statuses[:20] == [303] * 20
    assert statuses[20] == 429


async def test_code_checks_are_rate_limited_per_ip(client, db):
    await ensure_csrf(client)
    statuses = [
        (
            await client.post(
                "/login/code/verify", data={"address": f"+45400{n:05d}", "code": "123456"}
            )
        ).status_code
        for n in range(31)
    ]
    assert statuses[:30] == [422] * 30
    assert statuses[30] == 429


async def test_the_limit_opens_again_after_the_window(client, db, frozen_clock):
    phone = (await user_of(db, await make_youth(db))).phone
    for _ in range(3):
        await ask_for_code(client, phone)
    assert (await ask_for_code(client, phone)).status_code == 429
    frozen_clock.now += timedelta(minutes=16)
    assert (await ask_for_code(client, phone)).status_code == 303
