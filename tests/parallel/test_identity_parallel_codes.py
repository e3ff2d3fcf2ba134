"""One-time sign-in codes under parallel requests: tries are counted however they
arrive, a right code signs in once, and checks are limited per address."""

from __future__ import annotations

import json

from sqlmodel import col, func, select

from app.clock import utcnow
from app.models import Notification, OneTimeCode, UserSession
from app.services.identity.one_time_codes import (
    CHECKS_PER_ADDRESS,
    MAX_TRIES,
    parse_address,
    request_sign_in_code,
)
from tests.factories.people import make_youth, user_of
from tests.parallel.conftest import (
    PARALLEL,
    at_once,
    committed,
    http_client,
    http_clients,
    statuses,
)


async def a_young_person_with_a_code(engine, secret: str) -> tuple[int, str, str]:
    """(user id, phone, the code sent to it)."""
    async with committed(engine) as db:
        person = await user_of(db, await make_youth(db))
        assert person.id is not None and person.phone is not None
        address = parse_address(person.phone)
        assert address is not None
        await request_sign_in_code(db, secret=secret, address=address, ip="10.0.0.1", now=utcnow())
        queued = (
            await db.exec(
                select(Notification)
                .where(Notification.user_id == person.id, Notification.kind == "auth.code")
                .order_by(col(Notification.id).desc())
            )
        ).first()
        assert queued is not None
        return person.id, person.phone, json.loads(queued.params)["code"]


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def test_ten_wrong_guesses_at_once_burn_the_code(real_app, real_engine):
    secret = real_app.state.settings.secret_key
    user_id, phone, code = await a_young_person_with_a_code(real_engine, secret)
    async with http_clients(real_app, PARALLEL) as browsers:
        guesses = await at_once(
            browsers,
            lambda http, _n: http.post(
                "/login/code/verify", data={"address": phone, "code": wrong(code)}
            ),
        )
        assert statuses(guesses) == [422] * PARALLEL
        right = await browsers[0].post("/login/code/verify", data={"address": phone, "code": code})
    assert right.status_code == 422
    async with committed(real_engine) as db:
        stored = (await db.exec(select(OneTimeCode).where(OneTimeCode.user_id == user_id))).one()
        assert stored.attempts == MAX_TRIES and stored.used_at is None
        sessions = select(func.count()).where(UserSession.user_id == user_id)
        assert (await db.exec(sessions)).one() == 0


async def test_a_right_code_sent_at_once_signs_in_exactly_once(real_app, real_engine):
    secret = real_app.state.settings.secret_key
    user_id, phone, code = await a_young_person_with_a_code(real_engine, secret)
    async with http_clients(real_app, PARALLEL) as browsers:
        answers = await at_once(
            browsers,
            lambda http, _n: http.post("/login/code/verify", data={"address": phone, "code": code}),
        )
    assert statuses(answers) == [303] + [422] * (PARALLEL - 1)
    refused = [answer for answer in answers if answer.status_code == 422]
    assert all("Koden er forkert eller udløbet" in answer.text for answer in refused)
    async with committed(real_engine) as db:
        sessions = select(func.count()).where(UserSession.user_id == user_id)
        assert (await db.exec(sessions)).one() == 1


async def test_code_checks_are_limited_per_address_from_any_ip(real_app, real_engine):
    secret = real_app.state.settings.secret_key
    _user_id, phone, code = await a_young_person_with_a_code(real_engine, secret)
    limit = CHECKS_PER_ADDRESS[0]
    answers = []
    for _ in range(limit + 1):  # each guess from another IP address, as a botnet sends them
        async with http_client(real_app) as http:
            answers.append(
                await http.post("/login/code/verify", data={"address": phone, "code": wrong(code)})
            )
    assert [answer.status_code for answer in answers[:limit]] == [422] * limit
    assert answers[limit].status_code == 429
    assert int(answers[limit].headers["Retry-After"]) > 0
