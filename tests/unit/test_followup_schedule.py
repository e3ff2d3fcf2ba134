"""Follow-ups fall on Danish working days at 09:00 Copenhagen time, planned once."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, text
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today, is_working_day, next_working_day
from app.models import Enrollment, FollowUp, GuideAssignment, Role, User, Youth
from app.services.followups import schedule
from app.services.followups.enrollments import ScheduleForm, change_schedule
from tests.factories.followups import start
from tests.factories.people import make_user, make_youth

pytestmark = pytest.mark.time_dependent

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_weekend_moves_to_monday():
    assert next_working_day(date(2026, 3, 7)) == date(2026, 3, 9)  # Saturday
    assert next_working_day(date(2026, 3, 8)) == date(2026, 3, 9)  # Sunday
    assert next_working_day(date(2026, 3, 10)) == date(2026, 3, 10)


def test_easter_moves_past_maundy_thursday_to_the_tuesday_after_easter_monday():
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)


def test_christmas_moves_to_the_next_working_day():
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 28)
    assert next_working_day(date(2027, 12, 25)) == date(2027, 12, 27)
    assert next_working_day(date(2027, 1, 1)) == date(2027, 1, 4)


def test_due_time_is_nine_in_copenhagen_across_both_daylight_saving_changes():
    # Summer time starts 29 March 2026 and ends 25 October 2026.
    assert schedule.due_time(date(2026, 3, 27)).astimezone(UTC).hour == 8
    assert schedule.due_time(date(2026, 3, 30)).astimezone(UTC).hour == 7
    assert schedule.due_time(date(2026, 10, 23)).astimezone(UTC).hour == 7
    assert schedule.due_time(date(2026, 10, 26)).astimezone(UTC).hour == 8


def test_default_plan_is_first_after_a_week_then_every_fourteen_days_for_a_year():
    dates = schedule.planned_dates(
        starts_on=date(2026, 3, 2), first_gap_days=7, interval_days=14, length_months=12
    )
    assert dates[:4] == [date(2026, 3, 9), date(2026, 3, 23), date(2026, 4, 7), date(2026, 4, 20)]
    assert len(dates) == 26
    assert dates[-1] <= date(2027, 3, 4)
    assert all(is_working_day(day) for day in dates)
    # A moved date does not shift the rest: 6 April (Easter Monday) went to the 7th,
    # the next is still 14 days after the nominal 6 April.
    assert (dates[3] - date(2026, 4, 6)).days == 14


def test_overdue_after_three_working_days():
    friday = date(2026, 3, 6)
    assert not schedule.is_overdue(friday, date(2026, 3, 11))  # Wednesday: third working day
    assert schedule.is_overdue(friday, date(2026, 3, 12))


async def _count(db: AsyncSession, enrollment: Enrollment) -> int:
    return (
        await db.exec(
            select(func.count())
            .select_from(FollowUp)
            .where(FollowUp.enrollment_id == enrollment.id)
        )
    ).one()


async def test_registering_a_start_stores_due_times_in_utc(db):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    enrollment = await start(db, guide=guide, youth=youth, starts_on=date(2026, 3, 2), now=MONDAY)
    follow_ups = (
        await db.exec(
            select(FollowUp)
            .where(FollowUp.enrollment_id == enrollment.id)
            .order_by(col(FollowUp.sequence))
        )
    ).all()
    assert [f.sequence for f in follow_ups] == list(range(1, 27))
    assert follow_ups[0].due_at == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # winter time
    assert follow_ups[2].due_on == date(2026, 4, 7)  # after Easter
    assert follow_ups[2].due_at == datetime(2026, 4, 7, 7, 0, tzinfo=UTC)  # summer time


async def test_running_the_scheduler_twice_creates_each_follow_up_once(db):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    enrollment = await start(db, guide=guide, youth=youth, starts_on=date(2026, 3, 2), now=MONDAY)
    await schedule.schedule(db, enrollment=enrollment)
    await schedule.schedule(db, enrollment=enrollment)
    assert await _count(db, enrollment) == 26


async def test_a_start_registered_late_plans_only_from_today(db):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    now = datetime(2026, 4, 15, 10, 0, tzinfo=UTC)
    enrollment = await start(db, guide=guide, youth=youth, starts_on=date(2026, 3, 2), now=now)
    first = (
        await db.exec(
            select(FollowUp)
            .where(FollowUp.enrollment_id == enrollment.id)
            .order_by(col(FollowUp.sequence))
        )
    ).first()
    assert first is not None and first.sequence == 4 and first.due_on == date(2026, 4, 20)
    await schedule.schedule(db, enrollment=enrollment, from_day=copenhagen_today(now))
    assert await _count(db, enrollment) == 23


async def test_changing_the_interval_mid_way_replans_only_future_follow_ups(db):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    enrollment = await start(db, guide=guide, youth=youth, starts_on=date(2026, 3, 2), now=MONDAY)
    later = datetime(2026, 4, 15, 10, 0, tzinfo=UTC)
    before = (
        await db.exec(
            select(FollowUp.sequence, FollowUp.due_on, FollowUp.id)
            .where(FollowUp.enrollment_id == enrollment.id, col(FollowUp.due_at) <= later)
            .order_by(col(FollowUp.sequence))
        )
    ).all()
    assert youth.id is not None
    form = ScheduleForm(first_gap_days=7, interval_days=28, length_months=12)
    await change_schedule(db, actor=guide, youth_id=youth.id, form=form, now=later)
    rows = (
        await db.exec(
            select(FollowUp.sequence, FollowUp.due_on, FollowUp.id)
            .where(FollowUp.enrollment_id == enrollment.id)
            .order_by(col(FollowUp.sequence))
        )
    ).all()
    assert rows[: len(before)] == before  # the past is untouched, ids and all
    future = [due_on for _, due_on, _ in rows[len(before) :]]
    assert future[:3] == [date(2026, 5, 5), date(2026, 6, 2), date(2026, 6, 30)]
    assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1))
    assert future[-1] <= date(2027, 3, 2)


async def _cleanup(db: AsyncSession, youth_id: int, user_ids: list[int]) -> None:
    enrollment_ids = select(Enrollment.id).where(Enrollment.youth_id == youth_id)
    await db.exec(delete(FollowUp).where(col(FollowUp.enrollment_id).in_(enrollment_ids)))  # type: ignore[call-overload]
    await db.exec(delete(Enrollment).where(col(Enrollment.youth_id) == youth_id))  # type: ignore[call-overload]
    await db.exec(delete(GuideAssignment).where(col(GuideAssignment.youth_id) == youth_id))  # type: ignore[call-overload]
    await db.exec(delete(Youth).where(col(Youth.id) == youth_id))  # type: ignore[call-overload]
    await db.exec(delete(User).where(col(User.id).in_(user_ids)))  # type: ignore[call-overload]
    await db.commit()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="a real race needs two PostgreSQL connections"
)
async def test_two_schedulers_racing_on_postgresql_create_each_follow_up_once(engine):
    async with AsyncSession(engine, expire_on_commit=False) as setup:
        guide = await make_user(setup, Role.guide)
        youth = await make_youth(setup, guide=guide)
        enrollment = await start(
            setup, guide=guide, youth=youth, starts_on=date(2026, 3, 2), now=MONDAY
        )
        await setup.exec(delete(FollowUp).where(col(FollowUp.enrollment_id) == enrollment.id))  # type: ignore[call-overload]
        await setup.commit()
        assert youth.id is not None and guide.id is not None
        ids = (youth.id, [youth.user_id, guide.id])
    try:
        ready = asyncio.Barrier(2)

        async def run_scheduler() -> None:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
                await ready.wait()  # both transactions are open before either inserts
                await schedule.schedule(session, enrollment=enrollment)
                await session.commit()

        await asyncio.gather(run_scheduler(), run_scheduler())
        async with AsyncSession(engine) as check:
            assert await _count(check, enrollment) == 26
    finally:
        async with AsyncSession(engine) as cleanup:
            await _cleanup(cleanup, *ids)
