"""Who gets what, when: channel preferences and quiet hours for young people."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import at_copenhagen_time, in_copenhagen
from app.models import NotificationPreference
from app.services.admin.app_settings import stored_values

QUIET_HOURS_KEY = "notifications.quiet_hours"
DEFAULT_QUIET_HOURS = (time(22, 0), time(7, 0))
CHANNEL_ORDER = ("push", "sms", "email")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def until(self, now: datetime) -> datetime | None:
        """When the quiet period around `now` ends (UTC), or None outside it."""
        local = in_copenhagen(now)
        clock = local.time()
        if self.start == self.end:
            return None
        crosses_midnight = self.start > self.end
        inside = (
            (clock >= self.start or clock < self.end)
            if crosses_midnight
            else self.start <= clock < self.end
        )
        if not inside:
            return None
        day = local.date()
        if clock >= self.end and crosses_midnight:
            day += timedelta(days=1)
        # Built from the local wall clock, so a change to or from summer time is right.
        end = at_copenhagen_time(day, self.end)
        return end.astimezone(now.tzinfo)


async def quiet_hours(db: AsyncSession) -> QuietHours:
    """The municipality's quiet hours (AppSetting), 22-07 Europe/Copenhagen by default."""
    return parse_quiet_hours((await stored_values(db)).get(QUIET_HOURS_KEY))


def parse_quiet_hours(stored: str | None) -> QuietHours:
    start, end = DEFAULT_QUIET_HOURS
    if stored:
        try:
            data = json.loads(stored)
            start, end = time.fromisoformat(data["start"]), time.fromisoformat(data["end"])
        except (ValueError, KeyError, TypeError):
            pass  # a broken setting keeps the default rather than waking anyone at night
    return QuietHours(start, end)


async def preferences_of(db: AsyncSession, user_id: int) -> NotificationPreference:
    """The person's channel choices; a fresh all-on row (not added) when they chose none."""
    row = await db.get(NotificationPreference, user_id)
    return row if row is not None else NotificationPreference(user_id=user_id)
