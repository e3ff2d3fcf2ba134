"""The demo follows the app's clock: loaded "on" any day, it is consistent on that day.

Loaded at instants years apart, every timestamp sits around that instant, nothing that
has happened lies in the future, no follow-up has been overdue for weeks, and no ended
course still has follow-ups waiting. A demo step that reads the machine's date (or a
column default that does) lands years away from one of the instants and fails here.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from app.clock import copenhagen_today, set_clock, utcnow
from app.demo import load_demo_data
from app.models import Enrollment, FollowUp
from app.models.base import UTCDateTime
from app.settings import Settings

# The spring DST change in Copenhagen, a summer Tuesday five years later, and the app's
# now (the chosen instant in `make test-time-travel`).
INSTANTS = [
    pytest.param(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), id="2026-03-29"),
    pytest.param(datetime(2031, 7, 15, 8, 0, tzinfo=UTC), id="2031-07-15"),
    pytest.param(utcnow(), id="now", marks=pytest.mark.time_dependent),
]

# Columns that say when something happened (or was planned at the time): never after now.
# Others (appointments, session expiry, cover ends, follow-ups due) may lie ahead.
FUTURE_ALLOWED = {
    "starts_at",
    "ends_at",
    "expires_at",
    "due_at",
    "not_before",
    "idle_expires_at",
    "absolute_expires_at",
    "lease_until",
    "valid_until",
    "next_attempt_at",
}
# Written by the migrations and at start-up, before any demo: not the demo's data.
NOT_DEMO = {"instrument", "alembic_version"}
# The demo has about half a year of history and plans a few months ahead.
REACH = timedelta(days=400)


@pytest.fixture
def clock_at() -> Iterator[None]:
    yield
    Settings(_env_file=None).apply_clock()  # type: ignore[call-arg]


@pytest.mark.parametrize("instant", INSTANTS)
async def test_every_demo_timestamp_sits_around_the_instant_it_was_loaded(db, clock_at, instant):
    set_clock(instant)
    await load_demo_data(db, now=instant)
    for table in SQLModel.metadata.sorted_tables:
        if table.name in NOT_DEMO:
            continue
        for column in table.columns:
            if not isinstance(column.type, UTCDateTime):
                continue
            values = [v for v in (await db.execute(sa_select(column))).scalars() if v]
            where = f"{table.name}.{column.name}"
            assert all(abs(v - instant) < REACH for v in values), where
            if column.name not in FUTURE_ALLOWED:
                late = [v for v in values if v > instant]
                assert not late, f"{where} lies after the instant the demo was loaded"


@pytest.mark.parametrize("instant", INSTANTS)
async def test_demo_follow_ups_are_current_and_end_with_the_course(db, clock_at, instant):
    set_clock(instant)
    await load_demo_data(db, now=instant)
    today = copenhagen_today(instant)
    waiting = (
        await db.exec(
            select(FollowUp, Enrollment)
            .join(Enrollment, col(Enrollment.id) == col(FollowUp.enrollment_id))
            .where(
                col(FollowUp.cancelled_at).is_(None),
                col(FollowUp.answered_at).is_(None),
                col(FollowUp.handled_at).is_(None),
            )
        )
    ).all()
    assert waiting, "the demo shows follow-ups to answer and to call about"
    for follow_up, enrollment in waiting:
        assert follow_up.due_on >= today - timedelta(days=21), "overdue for weeks"
        if enrollment.ended_at is not None:
            assert follow_up.due_at <= enrollment.ended_at, "still waiting after the course ended"
