"""Nobody reaches another person's plan, appointments or notes by changing an id."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from app.models import AgendaItem, Appointment, AuditRecord, Note, NoteReply, PlanStep
from tests.factories.people import make_user, sign_in
from tests.factories.plan import Course, make_course

KEY = "0123456789abcdef0123456789abcdef"

GUIDE_ROUTES = [
    ("GET", "/guide/youth/{y}/plan", {}),
    ("POST", "/guide/youth/{y}/plan/steps", {"title": "Snak med mor", "client_key": KEY}),
    (
        "POST",
        "/guide/youth/{y}/plan/direction",
        {"destination": "X", "readiness_group": "activity_ready"},
    ),
    ("GET", "/guide/youth/{y}/plan/steps/{s}/edit", {}),
    ("POST", "/guide/youth/{y}/plan/steps/{s}", {"title": "Ændret", "version": "1"}),
    ("POST", "/guide/youth/{y}/plan/steps/{s}/status", {"status": "done"}),
    ("POST", "/guide/youth/{y}/plan/steps/{s}/move", {"direction": "down"}),
    ("POST", "/guide/youth/{y}/plan/steps/{s}/delete", {}),
    ("POST", "/guide/youth/{y}/plan/steps/{s}/restore", {}),
    ("GET", "/guide/youth/{y}/appointments", {}),
    (
        "POST",
        "/guide/youth/{y}/appointments",
        {
            "on": "2026-06-01",
            "at": "10:00",
            "place_kind": "phone",
            "topic": "Snak",
            "client_key": KEY,
        },
    ),
    ("GET", "/guide/youth/{y}/appointments/{a}/move", {}),
    (
        "POST",
        "/guide/youth/{y}/appointments/{a}/move",
        {"on": "2026-06-02", "at": "10:00", "version": "1"},
    ),
    ("POST", "/guide/youth/{y}/appointments/{a}/cancel", {}),
    ("POST", "/guide/youth/{y}/agenda/{i}/discussed", {}),
    ("GET", "/guide/youth/{y}/notes", {}),
    ("POST", "/guide/youth/{y}/notes", {"body": "Hej", "client_key": KEY}),
    ("POST", "/guide/youth/{y}/notes/{n}/replies", {"body": "Hej", "client_key": KEY}),
]

YOUTH_ROUTES = [
    ("POST", "/plan/steps/{s}/status", {"status": "done"}),
    ("POST", "/appointments/{a}/answer", {"answer": "confirmed"}),
    ("GET", "/appointments/{a}.ics", {}),
    ("POST", "/agenda/{i}/remove", {}),
    ("POST", "/notes/{n}/replies", {"body": "Hej", "client_key": KEY}),
]


def url(template: str, course: Course, youth_id: int | None = None) -> str:
    return template.format(
        y=youth_id if youth_id is not None else course.youth.id,
        s=course.step.id,
        a=course.appointment.id,
        i=course.item.id,
        n=course.note.id,
    )


async def snapshot(db, course: Course) -> tuple:
    """Everything these routes could change, to prove a refused request changed nothing."""
    await db.refresh(course.step)
    await db.refresh(course.appointment)
    await db.refresh(course.item)
    await db.refresh(course.youth)
    counts = []
    for model in (PlanStep, Appointment, Note, NoteReply, AgendaItem):
        counts.append((await db.exec(select(func.count()).select_from(model))).one())
    return (
        course.step.status,
        course.step.title,
        course.step.deleted_at,
        course.step.position,
        course.appointment.status,
        course.appointment.version,
        course.appointment.youth_response,
        course.item.discussed_at,
        course.item.removed_at,
        course.youth.destination,
        tuple(counts),
    )


@pytest.mark.parametrize(("method", "template", "form"), GUIDE_ROUTES)
async def test_guide_cannot_reach_another_guides_young_person_by_id(
    client, db, settings, frozen_clock, method, template, form
):
    theirs = await make_course(db)
    intruder = await make_user(db)
    await sign_in(client, db, intruder, settings, frozen_clock.now)
    before = await snapshot(db, theirs)
    response = await client.request(method, url(template, theirs), data=form or None)
    assert response.status_code == 404
    assert "Ring til skolen" not in response.text and "Godt møde" not in response.text
    assert await snapshot(db, theirs) == before
    audits = (await db.exec(select(func.count()).select_from(AuditRecord))).one()
    assert audits == 0


@pytest.mark.parametrize(
    ("method", "template", "form"),
    [r for r in GUIDE_ROUTES if "{s}" in r[1] or "{a}" in r[1] or "{i}" in r[1] or "{n}" in r[1]],
)
async def test_guide_cannot_reach_a_record_through_their_own_young_persons_id(
    client, db, settings, frozen_clock, method, template, form
):
    theirs = await make_course(db)
    mine = await make_course(db)
    await sign_in(client, db, mine.guide, settings, frozen_clock.now)
    before = await snapshot(db, theirs)
    response = await client.request(
        method, url(template, theirs, youth_id=mine.youth.id), data=form or None
    )
    assert response.status_code == 404
    assert await snapshot(db, theirs) == before


@pytest.mark.parametrize(("method", "template", "form"), YOUTH_ROUTES)
async def test_young_person_cannot_touch_another_young_persons_records(
    client, db, settings, frozen_clock, method, template, form
):
    theirs = await make_course(db)
    me = await make_course(db)
    await sign_in(client, db, me.person, settings, frozen_clock.now)
    before = await snapshot(db, theirs)
    response = await client.request(method, url(template, theirs), data=form or None)
    assert response.status_code == 404
    assert await snapshot(db, theirs) == before


@pytest.mark.parametrize(("method", "template", "form"), GUIDE_ROUTES[:3])
async def test_young_person_cannot_use_the_guides_pages(
    client, db, settings, frozen_clock, method, template, form
):
    me = await make_course(db)
    await sign_in(client, db, me.person, settings, frozen_clock.now)
    response = await client.request(method, url(template, me), data=form or None)
    assert response.status_code == 403


async def test_young_person_cannot_reply_to_an_internal_note(client, db, settings, frozen_clock):
    me = await make_course(db)
    me.note.shared = False
    db.add(me.note)
    await db.flush()
    await sign_in(client, db, me.person, settings, frozen_clock.now)
    page = await client.get("/notes")
    assert "Godt møde" not in page.text
    response = await client.post(
        f"/notes/{me.note.id}/replies", data={"body": "Hej", "client_key": KEY}
    )
    assert response.status_code == 404


async def test_a_covering_guide_reaches_the_plan_and_it_is_audited_as_cover(
    client, db, settings, frozen_clock
):
    from datetime import timedelta

    from tests.factories.people import make_cover

    course = await make_course(db)
    colleague = await make_user(db)
    now = frozen_clock.now
    await make_cover(
        db,
        absent=course.guide,
        covering=colleague,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
    )
    await sign_in(client, db, colleague, settings, now)
    assert (await client.get(f"/guide/youth/{course.youth.id}/plan")).status_code == 200
    record = (await db.exec(select(AuditRecord))).one()
    assert (record.action, record.via, record.actor_id) == ("plan.view", "cover", colleague.id)
