"""The app's clock: every "now" in Trinvis comes from `utcnow()` here.

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

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

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
        return self.instant + timedelta(seconds=time.monotonic() - self.started)


_travel: _Travel | None = None


def utcnow() -> datetime:
    """Now, in UTC and timezone-aware, from the app's clock."""
    if _travel is None:
        return datetime.now(UTC)
    return _travel.now()


def copenhagen_today(now: datetime | None = None) -> date:
    """The date in Denmark at `now` (default: the app's now)."""
    return (now or utcnow()).astimezone(COPENHAGEN).date()


def set_clock(instant: datetime | None, *, ticking: bool = False) -> None:
    """Set the process's clock to `instant` (None: the machine's clock again)."""
    global _travel
    if instant is None:
        _travel = None
        return
    if instant.tzinfo is None:
        raise ValueError("the clock needs an instant with a UTC offset, e.g. +01:00")
    _travel = _Travel(instant.astimezone(UTC), ticking, time.monotonic())


def is_set() -> bool:
    """True when the clock runs from a chosen instant rather than the machine's."""
    return _travel is not None
