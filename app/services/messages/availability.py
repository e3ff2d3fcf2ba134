"""When a guide can be expected to answer, and where to get help now if it is urgent.

Young people write at all hours (one youth service saw 72 % of logins outside 9–17),
so the conversation always says who answers, when an answer can be expected, and —
outside working hours — which numbers to call if it cannot wait. Working time is
counted in Europe/Copenhagen, on the guide's own working week.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, case, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import at_copenhagen_time, copenhagen_today
from app.i18n import N_
from app.models import GuideWorkingHours, Message, MessageKind, Youth
from app.models.base import UTCDateTime
from app.notifications.rules import DEFAULT_QUIET_HOURS, QuietHours
from app.services.admin import municipal_settings
from app.services.admin.app_settings import stored_values

# Monday to Friday, 8 to 16, when a guide has not set their own hours.
DEFAULT_WEEK: dict[int, tuple[int, int]] = {day: (8 * 60, 16 * 60) for day in range(5)}
DEFAULT_QUIET = QuietHours(*DEFAULT_QUIET_HOURS)
REPLY_SAMPLE_DAYS = 90
REPLY_MIN_SAMPLES = 3
MAX_DAYS_SCANNED = 400

SETTING_HELP_LINES = "messages.help_lines"
SETTING_UNANSWERED_MINUTES = "messages.unanswered_after_working_minutes"
SETTING_UNANSWERED_HOURS = "messages.unanswered_after_working_hours"

# Danish defaults; the municipality may replace them (AppSetting "messages.help_lines").
DEFAULT_HELP_LINES: list[dict[str, Any]] = [
    {"name": N_("Emergency: danger to life"), "number": "112"},
    {"name": N_("Livslinien (if you think about taking your own life)"), "number": "70 201 201"},
    {"name": N_("Psykiatrifonden's advice line"), "number": "39 25 25 25"},
    {"name": N_("Børnetelefonen (under 18)"), "number": "116 111", "under_age": 18},
]

Week = dict[int, tuple[int, int]]


async def _setting(db: AsyncSession, key: str) -> Any:
    value = (await stored_values(db)).get(key)
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


async def unanswered_limit_minutes(db: AsyncSession) -> int:
    """How much working time a young person's message may wait (default one working day).

    The admin sets it in working hours (`/admin/settings`); an older row in minutes
    still counts.
    """
    hours = await _setting(db, SETTING_UNANSWERED_HOURS)
    if isinstance(hours, int) and not isinstance(hours, bool) and hours > 0:
        return hours * 60
    value = await _setting(db, SETTING_UNANSWERED_MINUTES)
    return int(value) if isinstance(value, int) and value > 0 else 8 * 60


async def sms_fallback_minutes(db: AsyncSession) -> int:
    """How long a message to a young person may stay unread before an SMS (admin setting)."""
    return (await municipal_settings.current(db)).sms_delay_minutes


@dataclass(frozen=True)
class HelpLine:
    name: str  # a message id for the defaults, the municipality's own text otherwise
    number: str

    @property
    def tel(self) -> str:
        return "tel:" + "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


async def help_lines(db: AsyncSession, *, birth_date: date | None, today: date) -> list[HelpLine]:
    """The numbers to call now; lines for children only when the young person is under age."""
    value = await _setting(db, SETTING_HELP_LINES)
    lines = value if isinstance(value, list) and value else DEFAULT_HELP_LINES
    age = _age(birth_date, today) if birth_date else None
    chosen = []
    for line in lines:
        if not isinstance(line, dict) or not line.get("number"):
            continue
        under_age = line.get("under_age")
        if isinstance(under_age, int) and (age is None or age >= under_age):
            continue
        chosen.append(HelpLine(name=str(line.get("name", "")), number=str(line["number"])))
    return chosen


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


async def working_week(db: AsyncSession, guide_id: int) -> Week:
    rows = (
        await db.exec(select(GuideWorkingHours).where(GuideWorkingHours.guide_id == guide_id))
    ).all()
    if not rows:
        return dict(DEFAULT_WEEK)
    return {row.weekday: (row.start_minute, row.end_minute) for row in rows}


async def working_weeks(db: AsyncSession, guide_ids: list[int]) -> dict[int, Week]:
    if not guide_ids:
        return {}
    rows = (
        await db.exec(
            select(GuideWorkingHours).where(col(GuideWorkingHours.guide_id).in_(guide_ids))
        )
    ).all()
    weeks: dict[int, Week] = {}
    for row in rows:
        weeks.setdefault(row.guide_id, {})[row.weekday] = (row.start_minute, row.end_minute)
    return {gid: weeks.get(gid) or dict(DEFAULT_WEEK) for gid in guide_ids}


def _window(day: date, week: Week) -> tuple[datetime, datetime] | None:
    hours = week.get(day.weekday())
    if hours is None or hours[1] <= hours[0]:
        return None
    return _wall_clock_window(day, hours[0], hours[1])


@lru_cache(maxsize=4096)
def _wall_clock_window(day: date, start_minute: int, end_minute: int) -> tuple[datetime, datetime]:
    """A working day from `start_minute` to `end_minute` on Danish clocks, as instants.

    Kept (it depends on nothing but its arguments): a conversation page counts the
    working time of a guide's answers of three months, over the same few days each time.
    """
    midnight = at_copenhagen_time(day)
    # Wall-clock minutes, so a working day stays 8–16 across daylight-saving changes.
    start = midnight.replace(hour=start_minute // 60, minute=start_minute % 60)
    end_minute = min(end_minute, 24 * 60 - 1)
    end = midnight.replace(hour=end_minute // 60, minute=end_minute % 60)
    return start, end


def working_minutes_between(start: datetime, end: datetime, week: Week) -> int:
    """Minutes of working time between two moments (0 when end is before start)."""
    return _working_minutes(start, end, week, {})


def working_minutes_each(pairs: Iterable[tuple[datetime, datetime]], week: Week) -> list[int]:
    """`working_minutes_between` of each pair; each day's working hours looked up once."""
    windows: dict[date, tuple[datetime, datetime] | None] = {}
    return [_working_minutes(start, end, week, windows) for start, end in pairs]


def _working_minutes(
    start: datetime,
    end: datetime,
    week: Week,
    windows: dict[date, tuple[datetime, datetime] | None],
) -> int:
    if end <= start:
        return 0
    total = 0.0
    day = copenhagen_today(start)
    last = copenhagen_today(end)
    for _ in range(MAX_DAYS_SCANNED):
        if day > last:
            break
        if day in windows:
            window = windows[day]
        else:
            window = windows[day] = _window(day, week)
        if window is not None:
            lo, hi = max(start, window[0]), min(end, window[1])
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return int(total)


def is_working(now: datetime, week: Week) -> bool:
    window = _window(copenhagen_today(now), week)
    return window is not None and window[0] <= now < window[1]


def next_opening(now: datetime, week: Week) -> datetime | None:
    """The next moment the guide's working day starts (None for an empty week)."""
    day = copenhagen_today(now)
    for _ in range(8):
        window = _window(day, week)
        if window is not None and window[0] > now:
            return window[0]
        day += timedelta(days=1)
    return None


def after_quiet_hours(moment: datetime, hours: QuietHours = DEFAULT_QUIET) -> datetime:
    """`moment`, or the end of the quiet hours (the municipality's, 22–07 by default)."""
    return hours.until(moment) or moment


def _reply_pairs() -> Any:
    """Each answer of the guide (`:guide_id`) since `:since`, with when the young person
    first wrote after the previous answer from staff: (asked_at, answered_at).

    Only text messages count, of the conversations the guide wrote in since then. A
    turn is the young person's messages after a message from staff, closed by the next
    one; its number is how many messages from staff came before it, so the closing
    message shares it. The closing message answers when the turn opened with the young
    person; it is a sample when the guide wrote it (a colleague's answer counts as the
    answer, but not as the guide's time).
    """
    by_staff = case((col(Message.sender_id) == col(Youth.user_id), 0), else_=1)
    written_in = select(Message.youth_id).where(
        col(Message.sender_id) == bindparam("guide_id"),
        col(Message.sent_at) >= bindparam("since"),
    )
    recent = (
        sa_select(
            col(Message.id),
            col(Message.youth_id),
            col(Message.sender_id),
            col(Message.sent_at),
            by_staff.label("by_staff"),
        )
        .join(Youth, col(Youth.id) == col(Message.youth_id))
        .where(
            col(Message.youth_id).in_(written_in),
            col(Message.sent_at) >= bindparam("since"),
            col(Message.kind) == MessageKind.text,
        )
        .cte("recent")
    )
    staff_so_far = func.sum(recent.c.by_staff).over(
        partition_by=recent.c.youth_id, order_by=recent.c.id
    )
    turns = sa_select(recent, (staff_so_far - recent.c.by_staff).label("turn")).cte("turns")
    turn: dict[str, Any] = {
        "partition_by": (turns.c.youth_id, turns.c.turn),
        "order_by": turns.c.id,
    }
    closed = sa_select(
        turns.c.sender_id,
        turns.c.by_staff,
        turns.c.sent_at.label("answered_at"),
        func.first_value(turns.c.sent_at, type_=UTCDateTime).over(**turn).label("asked_at"),
        func.first_value(turns.c.by_staff).over(**turn).label("opened_by_staff"),
    ).subquery("closed")
    return select(closed.c.asked_at, closed.c.answered_at).where(
        closed.c.by_staff == 1,
        closed.c.opened_by_staff == 0,
        closed.c.sender_id == bindparam("guide_id"),
    )


# Built once (see `app/db.py`): the young person's conversation page asks for it.
_REPLY_PAIRS = _reply_pairs()


async def usual_reply_minutes(
    db: AsyncSession, *, guide_id: int, week: Week, now: datetime
) -> int | None:
    """The median working time this guide took to answer a young person, lately.

    Counted from the first unanswered message of the young person to the guide's
    next answer, in the guide's working `week`; None until there are a few answers to
    go by. The answers are paired in SQL; the working time is counted here, on
    Copenhagen's clocks, which SQLite does not know.
    """
    params = {"guide_id": guide_id, "since": now - timedelta(days=REPLY_SAMPLE_DAYS)}
    pairs = (await db.exec(_REPLY_PAIRS, params=params)).all()
    if len(pairs) < REPLY_MIN_SAMPLES:
        return None
    return int(statistics.median(working_minutes_each(pairs, week)))


def week_summary(week: Week) -> list[tuple[int, int, int, int]]:
    """Runs of consecutive days with the same hours: (first day, last day, start, end)."""
    runs: list[tuple[int, int, int, int]] = []
    for day in sorted(week):
        start, end = week[day]
        if runs and runs[-1][1] == day - 1 and runs[-1][2:] == (start, end):
            runs[-1] = (runs[-1][0], day, start, end)
        else:
            runs.append((day, day, start, end))
    return runs
