"""The app's clock and the Danish calendar: every "now", "today" and working day.

Every "now" in Trinvis comes from `utcnow()` here. Time is stored in UTC and lived in
Copenhagen: `in_copenhagen`, `copenhagen_today` and `at_copenhagen_time` convert, and
the working-day and month arithmetic that eftervend dates, retention and reports rely
on lives here too, so services and routers use one set of rules (formatting for people
stays in app/web/timefmt.py).

Trinvis is full of time rules (working hours, quiet hours, Danish holidays, eftervend
dates, daylight-saving changes, sessions that slide), so the running app, the worker,
the demo loader and the tests must be able to agree on one chosen instant. By default
the clock is the machine's. `TRINVIS_CLOCK=2026-12-24T22:30:00+01:00` sets it to that
instant, frozen, or ticking from it with `TRINVIS_CLOCK_TICKS=1` (a live server needs
time to pass: sessions slide, rate limits age). Settings refuse it in production.

Only the app's own time rules read this clock. Protocol timestamps checked by other
parties against their real time (a VAPID token's expiry, an ID token's age) keep the
machine's time.
"""

from __future__ import annotations

import calendar
import time as monotonic_time
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class _Travel:
    """A clock set to `instant`, frozen or ticking from `started` (monotonic seconds)."""

    instant: datetime
    ticking: bool
    started: float

    def now(self) -> datetime:
        if not self.ticking:
            return self.instant
        return self.instant + timedelta(seconds=monotonic_time.monotonic() - self.started)


_travel: _Travel | None = None


def utcnow() -> datetime:
    """Now, in UTC and timezone-aware, from the app's clock."""
    if _travel is None:
        return datetime.now(UTC)
    return _travel.now()


def in_copenhagen(value: datetime) -> datetime:
    """`value` on Danish clocks."""
    return value.astimezone(COPENHAGEN)


def copenhagen_today(now: datetime | None = None) -> date:
    """The date in Denmark at `now` (default: the app's now)."""
    return (now or utcnow()).astimezone(COPENHAGEN).date()


def at_copenhagen_time(day: date, clock_time: time = time(0)) -> datetime:
    """`clock_time` on `day` on Danish clocks, as an aware datetime (midnight by default)."""
    return datetime.combine(day, clock_time, tzinfo=COPENHAGEN)


@cache
def _danish_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DK", years=year)


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a Danish public holiday."""
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def next_working_day(day: date) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    for _ in range(count):
        day = next_working_day(day + timedelta(days=1))
    return day


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 January + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def set_clock(instant: datetime | None, *, ticking: bool = False) -> None:
    """Set the process's clock to `instant` (None: the machine's clock again)."""
    global _travel
    if instant is None:
        _travel = None
        return
    if instant.tzinfo is None:
        raise ValueError("the clock needs an instant with a UTC offset, e.g. +01:00")
    _travel = _Travel(instant.astimezone(UTC), ticking, monotonic_time.monotonic())


def is_set() -> bool:
    """True when the clock runs from a chosen instant rather than the machine's."""
    return _travel is not None
