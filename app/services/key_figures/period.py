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

    half: str = Field(max_length=8)  # "2026-1" (January-June) or "2026-2" (July-December)
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

    @property
    def half_key(self) -> str:
        """The half-year's key in the report's address ("2026-1")."""
        return f"{self.start.year}-{1 if self.start.month <= 6 else 2}"


def local_midnight(day: date) -> datetime:
    """The start of `day` in Copenhagen, in UTC."""
    return at_copenhagen_time(day).astimezone(UTC)


# Key figures are half-yearly (DESIGN.md). A report covers one whole half-year that has
# ended: two reports never overlap, so one cannot be subtracted from the other, and a
# half-year's report does not grow day by day while a leader watches. Five years back:
# a young person's data is kept 60 months after their course ended by default.
HALF_YEARS_OFFERED = 10


def current_half_year(today: date) -> tuple[date, date]:
    """January-June or July-December: the practice reports key figures half-yearly."""
    if today.month <= 6:
        return date(today.year, 1, 1), date(today.year, 6, 30)
    return date(today.year, 7, 1), date(today.year, 12, 31)


@dataclass(frozen=True)
class HalfYear:
    year: int
    half: int  # 1: January-June, 2: July-December

    @property
    def key(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def start(self) -> date:
        return date(self.year, 1, 1) if self.half == 1 else date(self.year, 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def label(self) -> str:
        if self.half == 1:
            return gettext(N_("1st half of %(year)s")) % {"year": self.year}
        return gettext(N_("2nd half of %(year)s")) % {"year": self.year}


def half_years_offered(today: date) -> list[HalfYear]:
    """The whole half-years that have ended, newest first: the only periods a report has."""
    current = HalfYear(today.year, 1 if today.month <= 6 else 2)
    offered, half = [], current
    for _ in range(HALF_YEARS_OFFERED):
        half = HalfYear(half.year, 1) if half.half == 2 else HalfYear(half.year - 1, 2)
        offered.append(half)
    return offered


def default_values(today: date) -> dict[str, str]:
    return {"half": half_years_offered(today)[0].key, "scope": ScopeKind.team.value}


def checked_period(form: ReportForm, *, today: date, values: dict[str, Any]) -> Period:
    """The half-year asked for, or ValidationFailed next to the field: only whole
    half-years that have ended, from the list."""
    chosen = next((h for h in half_years_offered(today) if h.key == form.half), None)
    if chosen is None:
        message = N_("Choose one of the half-years in the list.")
        raise ValidationFailed({"half": gettext(message)}, values)
    return Period(chosen.start, chosen.end, today)
