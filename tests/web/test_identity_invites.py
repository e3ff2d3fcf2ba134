"""A guide invites a young person by phone and/or e-mail; the link works once, 7 days."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from app.models import GuideAssignment, Invite, Notification, Role, User, Youth, YouthIdentityLink
from app.security.sessions import cookie_name
from tests.factories.people import make_user, sign_in

FORM = {
    "name": "Nadia Holm",
    "birth_date": "2007-04-02",
    "readiness_group": "activity_ready",
    "phone": "20 11 22 33",
    "email": "",
    "youth_ref": "YR-9001",
    "client_key": "invite-key-00001",
}


async def invite(client, db, settings, frozen_clock, **changes):
    guide = await make_user(db, Role.guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    response = await client.post("/guide/invite", data={**FORM, **changes})
    return guide, response


async def invite_link(db, user_id: int) -> str:
    queued = (
        await db.exec(
            select(Notification).where(
                Notification.user_id == user_id, Notification.kind == "auth.invite"
            )
        )
    ).one()
    return json.loads(queued.params)["link"]


async def test_guide_invites_a_young_person_who_is_assigned_to_them(
    client, db, settings, frozen_clock
):
    guide, response = await invite(client, db, settings, frozen_clock)
    assert response.status_code == 303
    person = (await db.exec(select(User).where(User.phone == "+4520112233"))).one()
    assert person.role == Role.youth and person.name == "Nadia Holm"
    youth = (await db.exec(select(Youth).where(Youth.user_id == person.id))).one()
    assert youth.guide_id == guide.id
    assert (
        await db.exec(select(GuideAssignment).where(GuideAssignment.youth_id == youth.id))
    ).one()
    link = (
        await db.exec(select(YouthIdentityLink).where(YouthIdentityLink.youth_id == youth.id))
    ).one()
    assert link.ref == "YR-9001"
    stored = (await db.exec(select(Invite).where(Invite.user_id == person.id))).one()
    url = await invite_link(db, person.id)
    token = url.rsplit("/", 1)[1]
    assert token not in stored.token_hash
    assert stored.expires_at - frozen_clock.now == timedelta(days=7)
    queued = (await db.exec(select(Notification).where(Notification.user_id == person.id))).one()
    assert queued.channel == "sms"


async def test_a_resent_invite_form_creates_one_young_person(client, db, settings, frozen_clock):
    _guide, first = await invite(client, db, settings, frozen_clock)
    second = await client.post("/guide/invite", data=FORM)
    assert (first.status_code, second.status_code) == (303, 303)
    assert len((await db.exec(select(User).where(User.phone == "+4520112233"))).all()) == 1
    assert len((await db.exec(select(Invite))).all()) == 1


async def test_an_invite_by_e_mail_only(client, db, settings, frozen_clock):
    await invite(client, db, settings, frozen_clock, phone="", email="Nadia@Mail.dk")
    person = (await db.exec(select(User).where(User.email == "nadia@mail.dk"))).one()
    queued = (await db.exec(select(Notification).where(Notification.user_id == person.id))).one()
    assert queued.channel == "email"


async def test_the_invite_form_explains_errors_and_keeps_what_was_typed(
    client, db, settings, frozen_clock
):
    _guide, response = await invite(client, db, settings, frozen_clock, phone="", email="", name="")
    assert response.status_code == 422
    assert 'id="name-error"' in response.text
    response = await client.post("/guide/invite", data={**FORM, "phone": "", "email": ""})
    assert response.status_code == 422
    assert "Skriv et telefonnummer eller en e-mailadresse." in response.text
    assert 'value="Nadia Holm"' in response.text
    response = await client.post("/guide/invite", data={**FORM, "phone": "12"})
    assert response.status_code == 422
    assert "Skriv et telefonnummer, fx 20 12 34 56." in response.text


async def test_a_phone_number_already_in_use_is_refused(client, db, settings, frozen_clock):
    await make_user(db, Role.youth, phone="+4520112233")
    _guide, response = await invite(client, db, settings, frozen_clock)
    assert response.status_code == 422
    assert "Telefonnummeret er allerede registreret." in response.text


async def test_the_link_signs_the_young_person_in_once(client, app, db, settings, frozen_clock):
    _guide, _ = await invite(client, db, settings, frozen_clock)
    person = (await db.exec(select(User).where(User.phone == "+4520112233"))).one()
    path = "/invite/" + (await invite_link(db, person.id)).rsplit("/", 1)[1]
    client.cookies.delete(cookie_name(settings))
    page = await client.get(path)
    assert page.status_code == 200 and "Hej Nadia" in page.text
    accepted = await client.post(path)
    assert accepted.status_code == 303
    assert (await client.get("/")).status_code == 200
    client.cookies.delete(cookie_name(settings))
    assert (await client.get(path)).status_code == 410
    assert (await client.post(path)).status_code == 410
    assert cookie_name(settings) not in client.cookies


async def test_the_link_runs_out_after_seven_days(client, db, settings, frozen_clock):
    _guide, _ = await invite(client, db, settings, frozen_clock)
    person = (await db.exec(select(User).where(User.phone == "+4520112233"))).one()
    path = "/invite/" + (await invite_link(db, person.id)).rsplit("/", 1)[1]
    frozen_clock.now += timedelta(days=7, seconds=1)
    assert (await client.post(path)).status_code == 410


async def test_an_unknown_link_is_refused(client):
    assert (await client.get("/invite/not-a-real-token")).status_code == 410
