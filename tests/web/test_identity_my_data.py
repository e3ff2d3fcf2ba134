"""A young person's own data: devices, who has seen my data, export, contact change."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import col, select

from app.models import AuditRecord, Message, Notification, PlanStep, Role, UserSession
from app.security.audit import open_youth
from app.security.sessions import cookie_name, start_session
from tests.factories.people import T0, make_cover, make_user, make_youth, sign_in, user_of


async def youth_signed_in(client, db, settings, frozen_clock):
    guide = await make_user(db, Role.guide, name="Camilla Guide")
    youth = await make_youth(db, guide=guide)
    person = await user_of(db, youth)
    await sign_in(client, db, person, settings, frozen_clock.now)
    return guide, youth, person


async def test_young_person_sees_their_devices_and_signs_one_out(
    client, db, settings, frozen_clock
):
    _guide, _youth, person = await youth_signed_in(client, db, settings, frozen_clock)
    await start_session(db, user=person, now=frozen_clock.now, device_label="Safari · iPhone")
    page = await client.get("/me/devices")
    assert page.status_code == 200
    assert "Safari · iPhone" in page.text and "Denne enhed" in page.text
    other = (
        await db.exec(select(UserSession).where(UserSession.device_label == "Safari · iPhone"))
    ).one()
    response = await client.post("/me/devices/sign-out", data={"session_id": other.id})
    assert response.status_code == 303
    await db.refresh(other)
    assert other.ended_at is not None
    assert "Safari · iPhone" not in (await client.get("/me/devices")).text
    assert (await client.get("/")).status_code == 200  # this device stays signed in


async def test_nobody_can_sign_out_someone_elses_device(client, db, settings, frozen_clock):
    await youth_signed_in(client, db, settings, frozen_clock)
    stranger = await user_of(db, await make_youth(db))
    await start_session(db, user=stranger, now=frozen_clock.now)
    theirs = (await db.exec(select(UserSession).where(UserSession.user_id == stranger.id))).one()
    await db.commit()  # keep the test's rows when the refused request rolls back
    response = await client.post("/me/devices/sign-out", data={"session_id": theirs.id})
    assert response.status_code == 404
    await db.refresh(theirs)
    assert theirs.ended_at is None


async def test_sign_out_everywhere_ends_every_session(client, db, settings, frozen_clock):
    _guide, _youth, person = await youth_signed_in(client, db, settings, frozen_clock)
    await start_session(db, user=person, now=frozen_clock.now)
    response = await client.post("/me/sign-out-everywhere")
    assert response.status_code == 303
    sessions = (await db.exec(select(UserSession).where(UserSession.user_id == person.id))).all()
    assert len(sessions) == 2 and all(s.ended_at is not None for s in sessions)
    assert (
        cookie_name(settings) not in client.cookies
        or (await client.get("/", headers={"Accept": "text/html"})).status_code == 303
    )


async def test_who_has_seen_my_data_names_staff_role_and_cover(client, db, settings, frozen_clock):
    guide, youth, _person = await youth_signed_in(client, db, settings, frozen_clock)
    colleague = await make_user(db, Role.guide, name="Jonas Afløser")
    now = frozen_clock.now
    await make_cover(
        db,
        absent=guide,
        covering=colleague,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
    )
    await open_youth(db, actor=guide, youth_id=youth.id, action="plan.view", now=now)
    await open_youth(db, actor=colleague, youth_id=youth.id, action="message.view", now=now)
    page = (await client.get("/me/audit")).text
    assert "Hvem har set mine data" in page
    assert "Camilla Guide" in page and "Så din plan" in page
    assert "Jonas Afløser" in page and "som afløser" in page and "Så dine beskeder" in page
    assert "ungeguide" in page


async def test_a_young_person_sees_only_their_own_audit(client, db, settings, frozen_clock):
    _guide, _youth, _person = await youth_signed_in(client, db, settings, frozen_clock)
    other_guide = await make_user(db, Role.guide, name="Fremmed Guide")
    other = await make_youth(db, guide=other_guide)
    await open_youth(
        db, actor=other_guide, youth_id=other.id, action="plan.view", now=frozen_clock.now
    )
    assert "Fremmed Guide" not in (await client.get("/me/audit")).text


async def test_export_holds_my_profile_plan_messages_notifications_and_audit(
    client, db, settings, frozen_clock
):
    guide, youth, person = await youth_signed_in(client, db, settings, frozen_clock)
    db.add(PlanStep(youth_id=youth.id, title="Ring til VUC", created_by_id=guide.id))
    db.add(
        Message(
            youth_id=youth.id,
            sender_id=guide.id,
            body="Hej! Hvordan går det?",
            client_key="m-export-1",
        )
    )
    db.add(
        Notification(
            user_id=person.id,
            kind="auth.code",
            channel="sms",
            params='{"code": "123456"}',
            dedupe_key="x-export-1",
            not_before=T0,
        )
    )
    await db.flush()
    await open_youth(db, actor=guide, youth_id=youth.id, action="plan.view", now=frozen_clock.now)
    response = await client.get("/me/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["profile"]["name"] == person.name
    assert data["course"]["guide"]["name"] == "Camilla Guide"
    assert [s["title"] for s in data["plan_steps"]] == ["Ring til VUC"]
    assert [m["body"] for m in data["messages"]] == ["Hej! Hvordan går det?"]
    assert data["notifications"][0]["kind"] == "auth.code"
    assert "123456" not in response.text  # codes are secrets, even in the export
    assert data["who_has_seen_my_data"][0]["actor"]["name"] == "Camilla Guide"
    assert data["devices"]


async def test_staff_have_no_export_or_audit_page(client, db, settings, frozen_clock):
    guide = await make_user(db, Role.guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    assert (await client.get("/me/export.json")).status_code == 403
    assert (await client.get("/me/audit")).status_code == 403


async def test_changing_the_phone_number_needs_a_code_sent_to_the_old_one(
    client, db, settings, frozen_clock
):
    _guide, _youth, person = await youth_signed_in(client, db, settings, frozen_clock)
    old_phone = person.phone
    form = await client.get("/me/contact")
    # The button says what happens next (once it said the noun "Ændring").
    assert '<button class="button" type="submit">Send en kode</button>' in form.text
    response = await client.post("/me/contact", data={"address": "+4561616161"})
    assert response.status_code == 303
    assert person.phone == old_phone  # nothing changed yet
    queued = (
        await db.exec(
            select(Notification)
            .where(Notification.user_id == person.id, Notification.kind == "auth.code")
            .order_by(col(Notification.id).desc())
        )
    ).first()
    assert queued.channel == "sms"  # to the old number (the user's phone today)
    params = json.loads(queued.params)
    assert params["purpose"] == "contact_change"
    wrong = await client.post(
        "/me/contact/confirm", data={"code": "000000" if params["code"] != "000000" else "111111"}
    )
    assert wrong.status_code == 422
    ok = await client.post("/me/contact/confirm", data={"code": params["code"]})
    assert ok.status_code == 303
    await db.refresh(person)
    assert person.phone == "+4561616161"


async def test_a_number_someone_else_has_cannot_be_taken(client, db, settings, frozen_clock):
    await youth_signed_in(client, db, settings, frozen_clock)
    other = await user_of(db, await make_youth(db))
    response = await client.post("/me/contact", data={"address": other.phone})
    assert response.status_code == 422
    assert "bruges af en anden" in response.text


async def test_audit_records_are_only_written_for_staff(db, frozen_clock):
    youth = await make_youth(db)
    person = await user_of(db, youth)
    await open_youth(db, actor=person, youth_id=youth.id, action="plan.view", now=frozen_clock.now)
    assert (await db.exec(select(AuditRecord))).first() is None


async def test_export_includes_internal_notes_appointments_and_check_ins(
    client, db, settings, frozen_clock
):
    from app.models import Appointment, Note
    from tests.factories.checkins import answer_who5

    guide, youth, person = await youth_signed_in(client, db, settings, frozen_clock)
    db.add(Note(youth_id=youth.id, author_id=guide.id, body="Delt note", client_key="n-1"))
    db.add(
        Note(
            youth_id=youth.id,
            author_id=guide.id,
            body="Intern note",
            shared=False,
            client_key="n-2",
        )
    )
    db.add(
        Appointment(
            youth_id=youth.id,
            guide_id=guide.id,
            starts_at=frozen_clock.now + timedelta(days=3),
            topic="Samtale om SOSU",
            client_key="a-1",
        )
    )
    await db.flush()
    await answer_who5(db, actor=person, score=64, now=frozen_clock.now)
    data = (await client.get("/me/export.json")).json()
    assert sorted(n["body"] for n in data["notes"]) == ["Delt note", "Intern note"]
    assert [a["topic"] for a in data["appointments"]] == ["Samtale om SOSU"]
    assert [c["score"] for c in data["checkins"]] == [64]
    assert len(data["checkin_answers"]) == 5
