"""Appointments: changes tell the young person once per version; the calendar feed."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from app.errors import Conflict, NotFound, ValidationFailed
from app.models import CalendarFeed, Notification, PlaceKind
from app.services.client_keys import new_client_key
from app.services.plan import appointments, calendar
from app.services.plan.appointments import AppointmentAnswerForm, AppointmentForm, WhenForm
from tests.factories.people import T0
from tests.factories.plan import make_course

pytestmark = pytest.mark.time_dependent

LATER = date(2026, 4, 14)


async def notifications(db, kind: str) -> list[Notification]:
    return list((await db.exec(select(Notification).where(Notification.kind == kind))).all())


async def test_create_move_and_cancel_each_tell_the_young_person_once(db):
    course = await make_course(db)
    key = new_client_key()
    data = AppointmentForm(on=LATER, at=time(10), place_kind=PlaceKind.video, topic="Status")
    made = await appointments.create(
        db, actor=course.guide, youth_id=course.youth.id, data=data, client_key=key, now=T0
    )
    again = await appointments.create(
        db, actor=course.guide, youth_id=course.youth.id, data=data, client_key=key, now=T0
    )
    assert made.id == again.id
    moved = await appointments.move(
        db,
        actor=course.guide,
        youth_id=course.youth.id,
        appointment_id=made.id,
        data=WhenForm(on=LATER, at=time(13)),
        version=1,
        now=T0,
    )
    assert moved.version == 2
    # 13:00 in Copenhagen in April (summer time) is 11:00 UTC.
    assert moved.starts_at.hour == 11
    with pytest.raises(Conflict):
        await appointments.move(
            db,
            actor=course.guide,
            youth_id=course.youth.id,
            appointment_id=made.id,
            data=WhenForm(on=LATER, at=time(14)),
            version=1,
            now=T0,
        )
    await appointments.cancel(
        db, actor=course.guide, youth_id=course.youth.id, appointment_id=made.id, now=T0
    )
    await appointments.cancel(
        db, actor=course.guide, youth_id=course.youth.id, appointment_id=made.id, now=T0
    )
    sent = await notifications(db, "appointment.changed")
    assert sorted(n.dedupe_key for n in sent) == [
        f"appointment.changed:{made.id}:v1",
        f"appointment.changed:{made.id}:v2",
        f"appointment.changed:{made.id}:v3",
    ]
    assert {n.user_id for n in sent} == {course.person.id}
    assert all("Status" not in n.params for n in sent)


async def test_an_appointment_in_the_past_is_refused_next_to_the_date(db):
    course = await make_course(db)
    data = AppointmentForm(
        on=(T0 - timedelta(days=1)).date(), at=time(10), place_kind=PlaceKind.phone, topic="X"
    )
    with pytest.raises(ValidationFailed) as refused:
        await appointments.create(
            db,
            actor=course.guide,
            youth_id=course.youth.id,
            data=data,
            client_key=new_client_key(),
            now=T0,
        )
    assert "on" in refused.value.errors


async def test_a_meeting_at_a_place_needs_the_place():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        AppointmentForm(on=LATER, at=time(10), place_kind=PlaceKind.place, topic="X")
    assert (
        AppointmentForm(on=LATER, at=time(10), place_kind=PlaceKind.phone, topic="X").place is None
    )


async def test_young_person_confirms_or_asks_to_move_and_the_guide_is_told(db):
    course = await make_course(db)
    appointment = course.appointment
    await appointments.answer(
        db,
        actor=course.person,
        appointment_id=appointment.id,
        data=AppointmentAnswerForm(answer="move_requested", message="Tirsdag?"),
        now=T0,
    )
    assert appointment.move_request == "Tirsdag?"
    told = await notifications(db, "appointment.answered")
    assert [n.user_id for n in told] == [course.guide.id]
    other = await make_course(db)
    with pytest.raises(NotFound):
        await appointments.answer(
            db,
            actor=other.person,
            appointment_id=appointment.id,
            data=AppointmentAnswerForm(answer="confirmed"),
            now=T0,
        )


async def test_calendar_feed_stores_only_a_hash_and_stops_when_revoked(db):
    course = await make_course(db)
    token = await calendar.new_feed(db, actor=course.person, now=T0)
    stored = (await db.exec(select(CalendarFeed))).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    body = await calendar.feed_file(db, token=token, host="trinvis.test", now=T0)
    events = Calendar.from_ical(body).walk("VEVENT")
    assert [str(e["description"]) for e in events] == ["Status på planen"]
    assert str(events[0]["location"]) == "Ungehuset"
    await calendar.revoke_feed(db, actor=course.person, now=T0)
    with pytest.raises(NotFound):
        await calendar.feed_file(db, token=token, host="trinvis.test", now=T0)
    with pytest.raises(NotFound):
        await calendar.feed_file(db, token="not-a-secret", host="trinvis.test", now=T0)


async def test_a_new_feed_address_replaces_the_old_one(db):
    course = await make_course(db)
    first = await calendar.new_feed(db, actor=course.person, now=T0)
    second = await calendar.new_feed(db, actor=course.person, now=T0)
    with pytest.raises(NotFound):
        await calendar.feed_file(db, token=first, host="trinvis.test", now=T0)
    assert await calendar.feed_file(db, token=second, host="trinvis.test", now=T0)
