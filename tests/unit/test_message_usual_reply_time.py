"""The guide's usual reply time ("Usually answers within …") pairs the answers in SQL
and gives exactly what the earlier definition, which read every message and paired
them in Python, gave: the same median, truncated the same way, None below 3 answers."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import Message, MessageKind, Role, User, Youth
from app.services.messages.availability import (
    DEFAULT_WEEK,
    REPLY_MIN_SAMPLES,
    REPLY_SAMPLE_DAYS,
    Week,
    usual_reply_minutes,
    working_minutes_between,
)
from tests.factories.people import make_user, make_youth, user_of
from tests.factories.workspace import key

# A Monday in spring: the 90 days before it cross the change to summer time (29 March).
NOW = datetime(2026, 4, 13, 10, 0, tzinfo=UTC)
LONG_DAYS: Week = {0: (7 * 60, 18 * 60), 1: (7 * 60, 18 * 60), 3: (10 * 60, 24 * 60), 5: (0, 60)}


async def _as_before(db: AsyncSession, *, guide_id: int, week: Week, now: datetime) -> int | None:
    """The definition the page used until the pairing moved into SQL, kept as the yardstick."""
    since = now - timedelta(days=REPLY_SAMPLE_DAYS)
    rows = (
        await db.exec(
            select(Message.youth_id, Message.sender_id, Message.sent_at, Youth.user_id)
            .join(Youth, col(Youth.id) == col(Message.youth_id))
            .where(
                col(Message.youth_id).in_(
                    select(Message.youth_id).where(
                        Message.sender_id == guide_id, col(Message.sent_at) >= since
                    )
                ),
                col(Message.sent_at) >= since,
                Message.kind == MessageKind.text,
            )
            .order_by(col(Message.youth_id), col(Message.id))
        )
    ).all()
    waiting: dict[int, datetime] = {}
    samples: list[int] = []
    for youth_id, sender_id, sent_at, youth_user_id in rows:
        if sender_id == youth_user_id:
            waiting.setdefault(youth_id, sent_at)
        elif youth_id in waiting:
            asked = waiting.pop(youth_id)
            if sender_id == guide_id:
                samples.append(working_minutes_between(asked, sent_at, week))
    if len(samples) < REPLY_MIN_SAMPLES:
        return None
    return int(statistics.median(samples))


def _add(
    db: AsyncSession,
    youth: Youth,
    sender: User | None,
    at: datetime,
    kind: MessageKind = MessageKind.text,
) -> None:
    db.add(
        Message(
            youth_id=youth.id,
            sender_id=sender.id if sender else None,
            kind=kind,
            body="Hej",
            client_key=key("urt"),
            sent_at=at,
        )
    )


async def _both(db: AsyncSession, guide: User, week: Week = DEFAULT_WEEK) -> int | None:
    await db.flush()
    assert guide.id is not None
    expected = await _as_before(db, guide_id=guide.id, week=week, now=NOW)
    found = await usual_reply_minutes(db, guide_id=guide.id, week=week, now=NOW)
    assert found == expected
    return found


async def _asked_and_answered(
    db: AsyncSession, guide: User, waits: list[timedelta], *, asked: datetime
) -> None:
    """One young person asks `asked` + n days, the guide answers after each wait."""
    youth = await make_youth(db, guide=guide)
    person = await user_of(db, youth)
    for n, wait in enumerate(waits):
        at = asked + timedelta(days=n)
        _add(db, youth, person, at)
        _add(db, youth, guide, at + wait)


# Monday 6 April 2026, 10:00 Copenhagen (summer time): inside the default week.
MONDAY_MORNING = datetime(2026, 4, 6, 8, 0, tzinfo=UTC)


async def test_no_answers_no_usual_time(db):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    _add(db, youth, await user_of(db, youth), MONDAY_MORNING)
    assert await _both(db, guide) is None


@pytest.mark.parametrize("answers", [1, 2])
async def test_fewer_than_three_answers_promise_no_time(db, answers):
    guide = await make_user(db)
    waits = [timedelta(minutes=30)] * answers
    await _asked_and_answered(db, guide, waits, asked=MONDAY_MORNING)
    assert await _both(db, guide) is None


async def test_three_answers_give_the_middle_one(db):
    guide = await make_user(db)
    waits = [timedelta(minutes=m) for m in (90, 10, 45)]
    await _asked_and_answered(db, guide, waits, asked=MONDAY_MORNING)
    assert await _both(db, guide) == 45


async def test_four_answers_give_the_mean_of_the_middle_two_cut_to_whole_minutes(db):
    guide = await make_user(db)
    waits = [timedelta(minutes=m) for m in (10, 45, 46, 300)]
    await _asked_and_answered(db, guide, waits, asked=MONDAY_MORNING)
    assert await _both(db, guide) == 45  # 45.5


async def test_only_the_guides_own_answers_after_the_first_waiting_message_count(db):
    guide = await make_user(db)
    colleague = await make_user(db)
    youth = await make_youth(db, guide=guide)
    person = await user_of(db, youth)
    t = MONDAY_MORNING
    _add(db, youth, guide, t)  # nothing asked: no sample
    _add(db, youth, person, t + timedelta(minutes=5))  # the wait starts here ...
    _add(db, youth, person, t + timedelta(minutes=20))  # ... not here
    _add(db, youth, guide, t + timedelta(minutes=65))  # 60
    _add(db, youth, person, t + timedelta(minutes=70))
    _add(db, youth, colleague, t + timedelta(minutes=80))  # answered, not the guide's time
    _add(db, youth, guide, t + timedelta(minutes=90))  # nothing waiting
    _add(db, youth, person, t + timedelta(minutes=100))
    _add(db, youth, None, t + timedelta(minutes=101), MessageKind.system)  # not an answer
    _add(db, youth, guide, t + timedelta(minutes=130))  # 30
    _add(db, youth, person, t + timedelta(minutes=140))
    _add(db, youth, guide, t + timedelta(minutes=150))  # 10
    _add(db, youth, person, t + timedelta(minutes=160))  # still waiting: no sample
    assert await _both(db, guide) == 30


async def test_answers_older_than_the_sample_window_do_not_count(db):
    guide = await make_user(db)
    old = NOW - timedelta(days=REPLY_SAMPLE_DAYS + 7)
    await _asked_and_answered(db, guide, [timedelta(minutes=5)] * 3, asked=old)
    await _asked_and_answered(db, guide, [timedelta(minutes=50)] * 2, asked=MONDAY_MORNING)
    assert await _both(db, guide) is None


async def test_a_mixed_quarter_of_answers_matches_the_earlier_definition(db):
    """Several guides and young people, colleagues and system lines, nights, weekends,
    the change to summer time and a week with odd hours, in random order of ids."""
    rng = random.Random(22)
    guides = [await make_user(db, Role.guide) for _ in range(3)]
    people = []
    for n in range(8):
        youth = await make_youth(db, guide=guides[n % 2])
        people.append((youth, await user_of(db, youth)))
    start = NOW - timedelta(days=REPLY_SAMPLE_DAYS + 3)
    for youth, person in people:
        at = start
        for _ in range(rng.randint(10, 40)):
            at += timedelta(minutes=rng.choice([1, 7, 45, 200, 900, 2000, 4000]))
            if at >= NOW:
                break
            roll = rng.random()
            sender = person if roll < 0.5 else rng.choice(guides) if roll < 0.95 else None
            kind = MessageKind.system if sender is None else MessageKind.text
            # A message stored late (a phone back online) has an older time than its id.
            sent_at = at - timedelta(minutes=rng.choice([0, 0, 0, 30]))
            sent_at += timedelta(microseconds=rng.choice([0, rng.randrange(60_000_000)]))
            _add(db, youth, sender, sent_at, kind)
    found = [await _both(db, guide, week) for guide in guides for week in (DEFAULT_WEEK, LONG_DAYS)]
    assert any(value is not None for value in found)
