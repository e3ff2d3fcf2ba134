"""The report a leader opens, and the CSV: the scope and period checked, the figures
counted, small cells suppressed, values and bars ready for the page (`key_figure_report`).
Opening it writes no audit record, as no young person's data is opened (no names, no
message or note text, counts of at least 5 only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import in_copenhagen
from app.errors import Forbidden
from app.models import Municipality, Role, Team, User
from app.services.key_figures.cells import (
    GROUP_LABELS,
    GROUPS,
    Caseloads,
    Cell,
    Value,
    apply_suppression,
    caseload_bands,
    cells_of,
    values,
)
from app.services.key_figures.charts import BarChart, BarInput, bar_chart
from app.services.key_figures.compute import RawFigures, compute
from app.services.key_figures.definitions import (
    CSV_NOTE,
    DIFFERENCING_NOTE,
    FIGURES,
    SECTION_TITLES,
    SUPPRESSION_NOTE,
    Figure,
    Section,
)
from app.services.key_figures.differencing import followed_groups, protect_followed
from app.services.key_figures.period import Period, ReportForm, ScopeKind, checked_period
from app.services.key_figures.scope import Scope, scope_for
from app.services.key_figures.suppression import cross_view_protect


@dataclass(frozen=True)
class CourseRow:
    group: str  # a readiness group's value, or "total"
    cells: dict[str, Cell]  # "followed", "new", "ended"


@dataclass(frozen=True)
class KeyFigureReport:
    period: Period
    scope: ScopeKind
    scope_name: str
    values: dict[str, Value]
    course_rows: list[CourseRow]
    caseloads: Caseloads
    charts: dict[str, BarChart]

    def section(self, section: Section) -> list[Value]:
        return [self.values[f.id] for f in FIGURES if f.section == section]

    @property
    def sections(self) -> list[tuple[Section, str]]:
        return list(SECTION_TITLES.items())

    @property
    def figures(self) -> tuple[Figure, ...]:
        return FIGURES

    @property
    def footnotes(self) -> dict[str, int]:
        return {f.id: number for number, f in enumerate(FIGURES, start=1)}

    @property
    def group_labels(self) -> dict[str, str]:
        return GROUP_LABELS

    @property
    def suppression_note(self) -> str:
        return SUPPRESSION_NOTE

    @property
    def differencing_note(self) -> str:
        return DIFFERENCING_NOTE

    @property
    def csv_note(self) -> str:
        return CSV_NOTE


async def leader_scope(db: AsyncSession, *, actor: User, kind: ScopeKind) -> tuple[Scope, str]:
    """The leader's own team, or every team of its municipality. Leaders only."""
    if actor.role != Role.leader:
        raise Forbidden()
    team = await db.get(Team, actor.team_id) if actor.team_id is not None else None
    municipality = await db.get(Municipality, team.municipality_id) if team else None
    if team is None or municipality is None:  # a leader not yet in a team leads nobody
        return Scope(kind, ()), ""
    scope = await scope_for(db, kind=kind, team_id=team.id, municipality_id=municipality.id)
    if kind == ScopeKind.municipality:
        return scope, municipality.name
    return scope, team.name


async def key_figure_report(
    db: AsyncSession, *, actor: User, form: ReportForm, values_typed: dict[str, str], now: datetime
) -> KeyFigureReport:
    """The report for the leader's team or municipality and the period asked for."""
    period = checked_period(form, today=in_copenhagen(now).date(), values=values_typed)
    scope, name = await leader_scope(db, actor=actor, kind=form.scope)
    raw = await compute(db, scope=scope, period=period)
    scopes = {kind: (await leader_scope(db, actor=actor, kind=kind))[0] for kind in ScopeKind}
    groups = await followed_groups(db, scopes=scopes, today=period.today)
    protect = protect_followed(groups, (form.scope, period.half_key))
    if form.scope == ScopeKind.municipality and scope.guides:
        # The leader also sees their own team: the municipality minus the team must not
        # give away the other teams' small numbers.
        own, _ = await leader_scope(db, actor=actor, kind=ScopeKind.team)
        own_raw = await compute(db, scope=own, period=period)
        protect |= cross_view_protect(cells_of(raw), cells_of(own_raw))
    return build(raw, period=period, scope=form.scope, scope_name=name, protect=protect)


def build(
    raw: RawFigures,
    *,
    period: Period,
    scope: ScopeKind,
    scope_name: str,
    protect: frozenset[str] = frozenset(),
) -> KeyFigureReport:
    """The report as shown, from raw figures (`protect`: see `cross_view_protect`)."""
    suppression = apply_suppression(raw, protect)
    shown = values(raw, suppression)
    rows = [
        CourseRow(
            group, {c: suppression.cell(f"{c}.{group}") for c in ("followed", "new", "ended")}
        )
        for group in [*(g.value for g in GROUPS), "total"]
    ]
    return KeyFigureReport(
        period=period,
        scope=scope,
        scope_name=scope_name,
        values=shown,
        course_rows=rows,
        caseloads=caseload_bands(raw.caseloads),
        charts=_charts(shown, rows),
    )


def _charts(v: dict[str, Value], rows: list[CourseRow]) -> dict[str, BarChart]:
    groups = []
    for row in rows[:-1]:
        cell = row.cells["followed"]
        value = None if cell.hidden else cell.value
        groups.append(BarInput(GROUP_LABELS[row.group], value, cell.hidden))
    return {
        "groups": bar_chart(groups, percent=False, step=10),
        "outcomes": bar_chart(
            [
                BarInput.of(v[i])
                for i in ("positive_destination", "started_education", "long_term_plan")
            ]
        ),
        "days": bar_chart([BarInput.of(v["days_to_destination"])], percent=False, step=50),
        "followups": bar_chart(
            [
                BarInput.of(v[i])
                for i in (
                    "retained_3m",
                    "retained_6m",
                    "retained_12m",
                    "followups_answered",
                    "followups_on_time",
                    "who5_gain",
                    "checkin_completion",
                )
            ]
        ),
    }
