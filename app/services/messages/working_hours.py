"""The guide's own working week: when young people can expect an answer.

The conversation tells the young person when an answer can be expected and, outside
these hours, where to get help now (`availability`). A guide who has saved nothing works
the default week (Monday to Friday, 8 to 16).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time

from pydantic import BaseModel, model_validator
from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Forbidden, ValidationFailed
from app.forms import parse_form
from app.i18n import N_, gettext
from app.models import GuideWorkingHours, Role, User
from app.services.messages.availability import working_week

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


class DayForm(BaseModel):
    works: bool = False
    start: time | None = None
    end: time | None = None

    @model_validator(mode="after")
    def _complete(self) -> DayForm:
        if self.works and (self.start is None or self.end is None):
            raise ValueError(N_("Write when the day starts and ends."))
        if self.works and self.start is not None and self.end is not None:
            if self.end <= self.start:
                raise ValueError(N_("The day must end after it starts."))
        return self


@dataclass(frozen=True)
class DayRow:
    weekday: int
    name: str
    works: bool
    start: str
    end: str


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _guide(actor: User) -> int:
    if actor.role != Role.guide or actor.id is None:
        raise Forbidden()
    return actor.id


async def own_week(db: AsyncSession, *, actor: User) -> list[DayRow]:
    """The guide's week as form rows, Monday first (the default week if nothing is saved)."""
    week = await working_week(db, _guide(actor))
    rows = []
    for weekday, name in enumerate(WEEKDAYS):
        hours = week.get(weekday)
        start, end = (_clock(hours[0]), _clock(hours[1])) if hours else ("08:00", "16:00")
        rows.append(DayRow(weekday, gettext(name), hours is not None, start, end))
    return rows


def parse_week(data: Mapping[str, str]) -> dict[int, DayForm]:
    """One `DayForm` per weekday from fields `works-N`, `start-N`, `end-N`; errors per day."""
    days: dict[int, DayForm] = {}
    errors: dict[str, str] = {}
    for weekday in range(7):
        fields = {name: data.get(f"{name}-{weekday}") for name in ("works", "start", "end")}
        try:
            days[weekday] = parse_form(DayForm, {k: v for k, v in fields.items() if v})
        except ValidationFailed as failed:
            errors[f"day-{weekday}"] = next(iter(failed.errors.values()))
    if not errors and not any(day.works for day in days.values()):
        errors["__all__"] = gettext("Choose at least one working day.")
    if errors:
        raise ValidationFailed(errors, values=dict(data))
    return days


async def save_week(db: AsyncSession, *, actor: User, days: dict[int, DayForm]) -> None:
    """Replace the guide's week in one go: a retry saves the same week again."""
    guide_id = _guide(actor)
    await db.exec(delete(GuideWorkingHours).where(GuideWorkingHours.guide_id == guide_id))  # type: ignore[arg-type]
    for weekday, day in sorted(days.items()):
        if day.works and day.start is not None and day.end is not None:
            db.add(
                GuideWorkingHours(
                    guide_id=guide_id,
                    weekday=weekday,
                    start_minute=_minutes(day.start),
                    end_minute=_minutes(day.end),
                )
            )
    await db.flush()
