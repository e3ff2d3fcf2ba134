"""The report's question: which period, and the leader's own team or the whole municipality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from app.clock import at_copenhagen_time
from app.errors import ValidationFailed
from app.i18n import N_, gettext


class ScopeKind(StrEnum):
    team = "team"
    municipality = "municipality"


class ReportForm(BaseModel):
    """The period form's fields, as they come from the query string."""

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    scope: ScopeKind = ScopeKind.team


@dataclass(frozen=True)
class Period:
    """Whole days in Europe/Copenhagen, `start` to `end` inclusive, asked on `today`."""

    start: date
    end: date
    today: date

    @property
    def as_of(self) -> date:
        """The end of the period, or today if the period has not ended yet."""
        return min(self.end, self.today)

    @property
    def starts_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def as_of_ends_at(self) -> datetime:
        """The first instant after the `as_of` day."""
        return local_midnight(self.as_of + timedelta(days=1))

    @property
    def ends_at(self) -> datetime:
        return local_midnight(self.end + timedelta(days=1))


def local_midnight(day: date) -> datetime:
    """The start of `day` in Copenhagen, in UTC."""
    return at_copenhagen_time(day).astimezone(UTC)


def current_half_year(today: date) -> tuple[date, date]:
    """January-June or July-December: the practice reports key figures half-yearly."""
    if today.month <= 6:
        return date(today.year, 1, 1), date(today.year, 6, 30)
    return date(today.year, 7, 1), date(today.year, 12, 31)


def default_values(today: date) -> dict[str, str]:
    start, end = current_half_year(today)
    return {"from": start.isoformat(), "to": end.isoformat(), "scope": ScopeKind.team.value}


def checked_period(form: ReportForm, *, today: date, values: dict[str, Any]) -> Period:
    """The period, or ValidationFailed with the message next to the field at fault."""
    if form.end < form.start:
        raise ValidationFailed(
            {"to": gettext(N_("The end date must be on or after the start date."))}, values
        )
    if form.start > today:
        raise ValidationFailed(
            {"from": gettext(N_("The period must start today or earlier."))}, values
        )
    return Period(form.start, form.end, today)
