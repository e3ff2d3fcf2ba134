"""A check-in becomes due by the young person's cadence, shows on the home screen, and is
reminded at most twice."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from app.models import CourseStatus, Notification, NotificationStatus
from app.services.checkins.reminders import SECOND_REMINDER_AFTER, due_now, send_due_reminders
from tests.factories.checkins import answer_who5
from tests.factories.people import make_user, make_youth, user_of

pytestmark = pytest.mark.time_dependent

NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 12:00 in Copenhagen


async def reminders(db, youth):
    rows = await db.exec(
        select(Notification)
        .where(col(Notification.dedupe_key).startswith(f"checkin.due:{youth.id}:who5:"))
        .order_by(col(Notification.id))
    )
    return rows.all()


async def youth_with_who5(db, *, days_ago: int, cadence: int = 30):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide, checkin_cadence_days=cadence)
    person = await user_of(db, youth)
    await answer_who5(db, actor=person, score=60, now=NOON - timedelta(days=days_ago))
    return youth, person


async def due_codes(db, person, now):
    return [d.instrument.code for d in await due_now(db, actor=person, now=now)]


async def test_who5_is_due_a_month_after_the_last_answer(db):
    _, person = await youth_with_who5(db, days_ago=29)
    assert "who5" not in await due_codes(db, person, NOON)
    assert "who5" in await due_codes(db, person, NOON + timedelta(days=1))


async def test_the_guide_set_cadence_decides_when_who5_is_due(db):
    _, person = await youth_with_who5(db, days_ago=15, cadence=14)
    assert "who5" in await due_codes(db, person, NOON)


async def test_a_young_person_with_no_answers_is_due_at_once_for_both_instruments(db):
    youth = await make_youth(db, guide=await make_user(db), created_at=NOON - timedelta(days=1))
    assert await due_codes(db, await user_of(db, youth), NOON) == ["who5", "readiness"]


async def test_nothing_is_due_after_the_course_ended(db):
    youth, person = await youth_with_who5(db, days_ago=40)
    youth.status = CourseStatus.ended
    db.add(youth)
    assert await due_codes(db, person, NOON) == []


async def test_at_most_two_reminders_per_check_in(db):
    youth, person = await youth_with_who5(db, days_ago=31)
    await send_due_reminders(db, NOON)
    await send_due_reminders(db, NOON + timedelta(hours=1))
    assert len(await reminders(db, youth)) == 1
    await send_due_reminders(db, NOON + SECOND_REMINDER_AFTER - timedelta(minutes=1))
    assert len(await reminders(db, youth)) == 1
    for days in (3, 4, 10, 40):
        await send_due_reminders(db, NOON + timedelta(days=days))
    sent = await reminders(db, youth)
    assert [n.dedupe_key.rsplit(":", 1)[1] for n in sent] == ["1", "2"]
    assert all(n.user_id == person.id and n.kind == "checkin.due" for n in sent)
    assert all(n.params == '{"instrument": "who5"}' for n in sent)


async def test_changing_the_cadence_does_not_start_a_third_reminder(db):
    youth, _ = await youth_with_who5(db, days_ago=31)
    await send_due_reminders(db, NOON)
    await send_due_reminders(db, NOON + timedelta(days=4))
    youth.checkin_cadence_days = 14
    db.add(youth)
    await send_due_reminders(db, NOON + timedelta(days=8))
    assert len(await reminders(db, youth)) == 2


async def test_answering_cancels_a_reminder_not_yet_sent_and_starts_a_new_period(db):
    youth, person = await youth_with_who5(db, days_ago=31)
    await send_due_reminders(db, NOON)
    await answer_who5(db, actor=person, score=64, now=NOON + timedelta(hours=2))
    [first] = await reminders(db, youth)
    await db.refresh(first)
    assert first.status == NotificationStatus.cancelled
    await send_due_reminders(db, NOON + timedelta(days=10))
    assert len(await reminders(db, youth)) == 1
    await send_due_reminders(db, NOON + timedelta(days=31))
    assert len(await reminders(db, youth)) == 2  # the next month's first reminder


async def test_a_reminder_found_at_night_waits_for_the_morning(db):
    youth, _ = await youth_with_who5(db, days_ago=31)
    night = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 02:30 in Copenhagen
    await send_due_reminders(db, night)
    [reminder] = await reminders(db, youth)
    assert reminder.not_before == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 local
