"""From raw figures to what a leader may see: cells, relations, suppression, values.

Every count of young people is a cell; the report's additive relations (a total and its
parts) are declared once in `relations()`, and `suppression.suppress` hides small cells
and whatever would give them away. A share, a mean or a median is hidden when a cell
it rests on is hidden.

A value is published rounded (`DECIMALS`: shares in whole percent, WHO-5 points and days
whole), and never with the sums behind it: a sum beside its count is one subtraction
away from one young person's value in another report.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from babel.numbers import format_decimal

from app.i18n import N_, current_locale, gettext
from app.models import CourseEndOutcome, ReadinessGroup
from app.services.key_figures.compute import RawFigures
from app.services.key_figures.definitions import BY_ID, Figure, Unit
from app.services.key_figures.followups import RETENTION_MONTHS
from app.services.key_figures.suppression import THRESHOLD, Relation, Suppressed, suppress

GROUPS = (
    ReadinessGroup.obviously_ready,
    ReadinessGroup.education_ready,
    ReadinessGroup.activity_ready,
)
GROUP_LABELS = {
    ReadinessGroup.obviously_ready.value: N_("Obviously education-ready"),
    ReadinessGroup.education_ready.value: N_("Education-ready"),
    ReadinessGroup.activity_ready.value: N_("Activity-ready"),
    "total": N_("All young people"),
}
COURSE_COLUMNS = ("followed", "new", "ended")
CASELOAD_RANGE = (12, 25)  # DESIGN.md: caseloads of 12-25 young people per guide


@dataclass(frozen=True)
class Value:
    """One figure as shown: `value` is None when hidden or when there is nothing to count.
    Rounded as published (`rounded`); the sums it was computed from are not kept."""

    figure: Figure
    value: float | None
    hidden: str | None = None  # "small" (<5) or "secondary"
    extra: float | None = None  # the mean beside a median

    @property
    def text(self) -> str:
        """The value in the reader's language: "<5", "–", or the number with its unit."""
        if self.hidden == "small":
            return "<5"
        if self.hidden:
            return "–"
        if self.value is None:
            return gettext("no data")
        return number(self.value, self.figure.unit)

    @property
    def extra_text(self) -> str:
        return "" if self.extra is None else number(self.extra, self.figure.unit)


DECIMALS = {Unit.per_youth: 1, Unit.per_guide: 1}  # every other unit: whole numbers


def rounded(value: float | None, unit: Unit) -> float | None:
    """The value as published: half away from zero, to the unit's decimals."""
    if value is None:
        return None
    step = Decimal(1).scaleb(-DECIMALS.get(unit, 0))
    return float(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP))


def number(value: float, unit: Unit) -> str:
    decimals = DECIMALS.get(unit, 0)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(round(value, decimals), format=pattern, locale=current_locale())
    return f"{text} %" if unit == Unit.percent else text


@dataclass(frozen=True)
class Cell:
    value: int
    hidden: str | None  # None, "small" or "secondary"


def cells_of(raw: RawFigures) -> dict[str, int]:
    """Every count of young people the report shows or implies."""
    c = raw.courses
    o = raw.outcomes
    cells: dict[str, int] = {}
    for column, counter in (("followed", c.followed), ("new", c.new), ("ended", o.ended)):
        for group in GROUPS:
            cells[f"{column}.{group.value}"] = counter[group]
        cells[f"{column}.total"] = sum(counter[g] for g in GROUPS)
    followed, ended = cells["followed.total"], cells["ended.total"]
    for outcome in CourseEndOutcome:
        cells[f"outcome.{outcome.value}"] = o.by_outcome[outcome]
    cells["outcome.positive"] = (
        o.by_outcome[CourseEndOutcome.education] + o.by_outcome[CourseEndOutcome.job]
    )
    cells["plan.with"], cells["plan.without"] = c.with_plan, followed - c.with_plan
    cells["edu.started"] = o.started_education
    cells["edu.not_started"] = ended - o.started_education
    p = raw.progression
    cells["who5.measured"], cells["who5.unmeasured"] = p.measured, followed - p.measured
    cells["who5.gain"], cells["who5.no_gain"] = p.gained, p.measured - p.gained
    ch = raw.changes
    cells["change.with"], cells["change.without"] = ch.young_people, followed - ch.young_people
    r = raw.retention
    for months in RETENTION_MONTHS:
        eligible, dropped = r.eligible[months], r.dropped[months]
        cells[f"ret{months}.eligible"], cells[f"ret{months}.dropped"] = eligible, dropped
        cells[f"ret{months}.stayed"] = eligible - dropped
    cells["run.total"], cells["run.dropped"] = r.running, r.dropped_in_period
    cells["run.stayed"] = r.running - r.dropped_in_period
    return cells


def relations() -> list[Relation]:
    """Every additive tie between cells a reader could subtract along."""
    ties = [
        Relation(f"{column}.total", tuple(f"{column}.{g.value}" for g in GROUPS))
        for column in COURSE_COLUMNS
    ]
    ties += [
        Relation("ended.total", tuple(f"outcome.{o.value}" for o in CourseEndOutcome)),
        Relation("outcome.positive", ("outcome.education", "outcome.job")),
        Relation("followed.total", ("plan.with", "plan.without")),
        Relation("ended.total", ("edu.started", "edu.not_started")),
        Relation("followed.total", ("who5.measured", "who5.unmeasured")),
        Relation("who5.measured", ("who5.gain", "who5.no_gain")),
        Relation("followed.total", ("change.with", "change.without")),
        Relation("run.total", ("run.dropped", "run.stayed")),
    ]
    ties += [
        Relation(f"ret{m}.eligible", (f"ret{m}.dropped", f"ret{m}.stayed"))
        for m in RETENTION_MONTHS
    ]
    return ties


@dataclass(frozen=True)
class Suppression:
    cells: dict[str, int]
    result: Suppressed

    def state(self, *names: str) -> str | None:
        if any(n in self.result.primary for n in names):
            return "small"
        if any(n in self.result.secondary for n in names):
            return "secondary"
        return None

    def cell(self, name: str) -> Cell:
        return Cell(self.cells[name], self.state(name))


def apply_suppression(raw: RawFigures, protect: frozenset[str] = frozenset()) -> Suppression:
    cells = cells_of(raw)
    return Suppression(cells, suppress(cells, relations(), protect=protect))


def values(raw: RawFigures, s: Suppression) -> dict[str, Value]:
    """Every figure of the registry, with its suppression applied."""
    v: dict[str, Value] = {}

    def count(figure_id: str, cell: str) -> None:
        c = s.cell(cell)
        v[figure_id] = Value(BY_ID[figure_id], None if c.hidden else c.value, c.hidden)

    def share(figure_id: str, part: str, rest: str, total: str) -> None:
        num, den = s.cells[part], s.cells[total]
        hidden = s.state(part, rest, total)
        shown = None if hidden or not den else 100 * num / den
        v[figure_id] = _ratio(BY_ID[figure_id], shown, hidden)

    count("followed", "followed.total")
    count("new_courses", "new.total")
    count("ended_courses", "ended.total")
    share("long_term_plan", "plan.with", "plan.without", "followed.total")
    for outcome in CourseEndOutcome:
        count(f"outcome_{outcome.value}", f"outcome.{outcome.value}")
    share("positive_destination", "outcome.positive", "outcome.other", "ended.total")
    share("started_education", "edu.started", "edu.not_started", "ended.total")
    v["days_to_destination"] = _days(raw, s)
    count("who5_measured", "who5.measured")
    v["who5_mean_change"] = _mean_change(raw, s)
    share("who5_gain", "who5.gain", "who5.no_gain", "who5.measured")
    v["checkin_completion"] = _completion(raw)
    for months in RETENTION_MONTHS:
        share(
            f"retained_{months}m",
            f"ret{months}.stayed",
            f"ret{months}.dropped",
            f"ret{months}.eligible",
        )
    share("dropout", "run.dropped", "run.stayed", "run.total")
    v.update(_follow_ups(raw))
    v["contact_changes"] = _changes(raw, s)
    count("youth_with_change", "change.with")
    middle = median(raw.caseloads) if raw.caseloads else None
    small = "small" if middle is not None and middle < THRESHOLD else None
    v["caseload_median"] = Value(BY_ID["caseload_median"], None if small else middle, small)
    return {
        key: Value(
            value.figure,
            rounded(value.value, value.figure.unit),
            value.hidden,
            rounded(value.extra, value.figure.unit),
        )
        for key, value in v.items()
    }


def _days(raw: RawFigures, s: Suppression) -> Value:
    days = raw.outcomes.days
    n = sum(days.values())
    hidden = s.state("outcome.positive")
    if hidden or n == 0:
        return Value(BY_ID["days_to_destination"], None, hidden)
    spread = sorted(days.elements())
    mean = sum(spread) / n
    return Value(BY_ID["days_to_destination"], median(spread), None, extra=mean)


def _mean_change(raw: RawFigures, s: Suppression) -> Value:
    p = raw.progression
    hidden = s.state("who5.measured")
    shown = None if hidden or not p.measured else p.total_change / p.measured
    return _ratio(BY_ID["who5_mean_change"], shown, hidden)


def _completion(raw: RawFigures) -> Value:
    c = raw.completion
    hidden = "small" if c.young_people < THRESHOLD else None
    shown = None if hidden or not c.expected else 100 * c.done / c.expected
    return _ratio(BY_ID["checkin_completion"], shown, hidden)


def _follow_ups(raw: RawFigures) -> dict[str, Value]:
    f = raw.follow_ups
    hidden = "small" if f.young_people < THRESHOLD else None
    answered = None if hidden or not f.due else 100 * f.answered / f.due
    on_time = None if hidden or not f.window_closed else 100 * f.on_time / f.window_closed
    return {
        "followups_answered": _ratio(BY_ID["followups_answered"], answered, hidden),
        "followups_on_time": _ratio(BY_ID["followups_on_time"], on_time, hidden),
    }


def _changes(raw: RawFigures, s: Suppression) -> Value:
    hidden = s.state("change.with", "change.without", "followed.total")
    followed = s.cells["followed.total"]
    shown = None if hidden or not followed else raw.changes.changes / followed
    return _ratio(BY_ID["contact_changes"], shown, hidden)


def _ratio(figure: Figure, shown: float | None, hidden: str | None) -> Value:
    """A share or a mean: the value only, never the sums it was divided from."""
    if hidden:
        return Value(figure, None, hidden)
    return Value(figure, shown, None)


@dataclass(frozen=True)
class Caseloads:
    guides: int
    below: int  # fewer than 12
    within: int  # 12-25
    above: int  # more than 25


def caseload_bands(loads: list[int]) -> Caseloads:
    low, high = CASELOAD_RANGE
    return Caseloads(
        guides=len(loads),
        below=sum(1 for n in loads if n < low),
        within=sum(1 for n in loads if low <= n <= high),
        above=sum(1 for n in loads if n > high),
    )
