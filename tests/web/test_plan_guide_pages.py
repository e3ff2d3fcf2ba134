"""The guide's pages for one young person: plan editing, appointments and notes."""

from __future__ import annotations

from sqlmodel import func, select

from app.models import Appointment, Note, Notification
from tests.factories.people import sign_in
from tests.factories.plan import make_course
from tests.web.test_plan_pages import add_step, client_key

HTMX = {"HX-Request": "true"}


async def test_second_save_of_a_step_is_told_and_sees_the_new_version(
    client, db, settings, frozen_clock
):
    course = await make_course(db)
    base = f"/guide/youth/{course.youth.id}/plan/steps/{course.step.id}"
    await sign_in(client, db, course.guide, settings, frozen_clock.now)
    form = await client.get(base + "/edit")
    assert 'name="version" value="1"' in form.text
    first = await client.post(base, data={"title": "Ring til skolen i dag", "version": "1"})
    assert first.status_code == 303
    second = await client.post(
        base, data={"title": "Ring i morgen", "description": "Min tekst", "version": "1"}
    )
    assert second.status_code == 409
    assert "En anden har ændret skridtet" in second.text
    assert 'value="Ring til skolen i dag"' in second.text  # the new version in the form
    assert "Min tekst" in second.text  # and what this person typed, not lost
    assert 'name="version" value="2"' in second.text
    await db.refresh(course.step)
    assert course.step.title == "Ring til skolen i dag"


async def test_guide_reorders_with_htmx_and_gets_the_list_back(client, db, settings, frozen_clock):
    course = await make_course(db)
    second = await add_step(db, course.youth, course.guide, "Besøg værkstedet", 1)
    await sign_in(client, db, course.guide, settings, frozen_clock.now)
    base = f"/guide/youth/{course.youth.id}/plan/steps/{second.id}"
    answer = await client.post(base + "/move", data={"direction": "up"}, headers=HTMX)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div id="plan-steps"')
    assert answer.text.index("Besøg værkstedet") < answer.text.index("Ring til skolen")
    assert "data-autofocus" in answer.text
    plain = await client.post(base + "/move", data={"direction": "down"})
    assert plain.status_code == 303


async def test_delete_offers_undo_with_and_without_htmx(client, db, settings, frozen_clock):
    course = await make_course(db)
    await sign_in(client, db, course.guide, settings, frozen_clock.now)
    base = f"/guide/youth/{course.youth.id}/plan"
    answer = await client.post(f"{base}/steps/{course.step.id}/delete", headers=HTMX)
    assert "Skridtet »Ring til skolen« er slettet." in answer.text
    assert f"{base}/steps/{course.step.id}/restore" in answer.text
    restored = await client.post(f"{base}/steps/{course.step.id}/restore", headers=HTMX)
    assert "slettet" not in restored.text and "Ring til skolen" in restored.text
    plain = await client.post(f"{base}/steps/{course.step.id}/delete")
    assert plain.headers["location"] == f"{base}?deleted={course.step.id}"
    page = await client.get(plain.headers["location"])
    assert "Fortryd" in page.text


async def test_guide_sets_goal_and_readiness_group(client, db, settings, frozen_clock):
    course = await make_course(db)
    await sign_in(client, db, course.guide, settings, frozen_clock.now)
    base = f"/guide/youth/{course.youth.id}/plan"
    refused = await client.post(
        base + "/direction", data={"destination": "Kok", "readiness_group": "nonsense"}
    )
    assert refused.status_code == 422 and 'id="readiness_group-error"' in refused.text
    assert 'value="Kok"' in refused.text
    saved = await client.post(
        base + "/direction", data={"destination": "Kok (EUD)", "readiness_group": "obviously_ready"}
    )
    assert saved.status_code == 303
    await db.refresh(course.youth)
    assert (course.youth.destination, course.youth.readiness_group) == (
        "Kok (EUD)",
        "obviously_ready",
    )
    page = await client.get(base)
    assert "Satte målet til »Kok (EUD)«" in page.text


async def test_new_appointment_validates_and_is_created_once(client, db, settings, frozen_clock):
    course = await make_course(db)
    await sign_in(client, db, course.guide, settings, frozen_clock.now)
    base = f"/guide/youth/{course.youth.id}/appointments"
    key = client_key((await client.get(base)).text)
    form = {
        "on": "2026-03-10",
        "at": "10:00",
        "duration_minutes": "45",
        "place_kind": "place",
        "place": "",
        "topic": "Praktik",
        "client_key": key,
    }
    refused = await client.post(base, data=form)
    assert refused.status_code == 422
    assert 'id="place-error"' in refused.text and "Skriv, hvor I mødes." in refused.text
    assert 'value="Praktik"' in refused.text
    past = await client.post(base, data={**form, "place": "Ungehuset", "on": "2026-03-01"})
    assert past.status_code == 422 and 'id="on-error"' in past.text
    for _ in range(2):
        made = await client.post(base, data={**form, "place": "Ungehuset"})
        assert made.status_code == 303
    count = (
        await db.exec(
            select(func.count()).select_from(Appointment).where(Appointment.topic == "Praktik")
        )
    ).one()
    assert count == 1
    changed = (
        await db.exec(select(Notification).where(Notification.kind == "appointment.changed"))
    ).all()
    assert len(changed) == 1


async def test_guide_moves_an_appointment_and_a_stale_form_is_refused(
    client, db, settings, frozen_clock
):
    course = await make_course(db)
    await sign_in(client, db, course.guide, settings, frozen_clock.now)
    base = f"/guide/youth/{course.youth.id}/appointments/{course.appointment.id}/move"
    form = await client.get(base)
    assert 'name="version" value="1"' in form.text
    moved = await client.post(base, data={"on": "2026-04-20", "at": "09:30", "version": "1"})
    assert moved.status_code == 303
    stale = await client.post(base, data={"on": "2026-04-21", "at": "09:30", "version": "1"})
    assert stale.status_code == 409 and "ændret af en anden" in stale.text
    await db.refresh(course.appointment)
    assert course.appointment.version == 2


async def test_agenda_travels_from_young_person_to_the_guides_next_appointment(
    client, db, settings, frozen_clock
):
    course = await make_course(db)
    await sign_in(client, db, course.person, settings, frozen_clock.now)
    key = client_key((await client.get("/appointments")).text)
    assert (await client.post("/agenda", data={"text": "", "client_key": key})).status_code == 422
    await client.post("/agenda", data={"text": "Jeg vil tale om kørekort", "client_key": key})
    await client.post("/agenda", data={"text": "Jeg vil tale om kørekort", "client_key": key})
    client.cookies.clear()
    await sign_in(client, db, course.guide, settings, frozen_clock.now)
    page = await client.get(f"/guide/youth/{course.youth.id}/appointments")
    section = page.text[page.text.index('id="next-appointment"') :]
    section = section[: section.index("</section>")]
    assert section.count(": Jeg vil tale om kørekort</span>") == 1
    assert "Praktik" in section  # the item from the fixture


async def test_guide_writes_shared_and_internal_notes_and_the_young_person_replies(
    client, db, settings, frozen_clock
):
    course = await make_course(db)
    await sign_in(client, db, course.guide, settings, frozen_clock.now)
    base = f"/guide/youth/{course.youth.id}/notes"
    page = await client.get(base)
    assert "stadig med, når den unge beder om en kopi af sine data" in page.text
    assert 'value="shared" checked' in page.text
    key = client_key(page.text)
    await client.post(base, data={"body": "Delt notat", "visibility": "shared", "client_key": key})
    await client.post(base, data={"body": "Delt notat", "visibility": "shared", "client_key": key})
    await client.post(
        base,
        data={
            "body": "Internt notat",
            "visibility": "internal",
            "client_key": "f" * 32,
        },
    )
    notes = (await db.exec(select(Note).where(Note.youth_id == course.youth.id))).all()
    assert sorted((n.body, n.shared) for n in notes) == [
        ("Delt notat", True),
        ("Godt møde", True),
        ("Internt notat", False),
    ]
    client.cookies.clear()
    await sign_in(client, db, course.person, settings, frozen_clock.now)
    mine = await client.get("/notes")
    assert "Delt notat" in mine.text and "Internt notat" not in mine.text
    shared = next(n for n in notes if n.body == "Delt notat")
    reply = await client.post(
        f"/notes/{shared.id}/replies", data={"body": "Tak!", "client_key": "a" * 32}
    )
    assert reply.status_code == 303
    assert "Tak!" in (await client.get("/notes")).text


async def test_young_person_adds_an_appointment_to_the_calendar_and_subscribes(
    client, db, settings, frozen_clock
):
    course = await make_course(db)
    await sign_in(client, db, course.person, settings, frozen_clock.now)
    one = await client.get(f"/appointments/{course.appointment.id}.ics")
    assert one.status_code == 200 and one.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in one.content
    page = await client.post("/calendar-feed")
    start = page.text.index("/calendar/")
    address = page.text[start : page.text.index('"', start)]
    client.cookies.clear()
    feed = await client.get(address)
    assert feed.status_code == 200 and b"Status p" in feed.content
    assert (await client.get("/calendar/wrong-secret.ics")).status_code == 404


async def test_saving_the_goal_says_it_was_saved(client, db, settings, frozen_clock):
    """Saving the goal once showed nothing at all (issue 19 #18)."""
    course = await make_course(db)
    url = f"/guide/youth/{course.youth.id}/plan"
    await sign_in(client, db, course.guide, settings, frozen_clock.now)
    saved = await client.post(
        url + "/direction",
        data={"destination": "Tømrer", "readiness_group": "education_ready"},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "Målet og målgruppen er gemt." in saved.text
    assert "Målet og målgruppen er gemt." not in (await client.get(url)).text
