"""Two half-years' reports follow overlapping groups of young people: when the groups of
any two reports a leader can get differ by 1 to 4 young people, the figures over the
group followed are hidden in both, so one cannot be subtracted from the other."""

from __future__ import annotations

from app.models import ReadinessGroup as Group
from app.services.key_figures.cells import relations
from app.services.key_figures.differencing import FOLLOWED_CELLS, protect_followed
from app.services.key_figures.period import ReportForm, ScopeKind
from app.services.key_figures.report import key_figure_report
from app.services.key_figures.suppression import recoverable
from tests.factories.key_figures import at, make_world, young

NOW = at("2026-07-15")  # offered: the first half of 2026 and the nine before it


async def _report(db, world, half: str):
    form = ReportForm.model_validate({"half": half, "scope": ScopeKind.team})
    return await key_figure_report(db, actor=world.leader, form=form, values_typed={}, now=NOW)


def _followed(report) -> dict[str, object]:
    return {row.group: row.cells["followed"] for row in report.course_rows}


async def test_one_young_person_joining_between_half_years_hides_the_group_in_both(db):
    world = await make_world(db)
    for _ in range(10):
        await young(db, world, "2025-03-01", group=Group.education_ready)
    # The one who joined in 2026: without the rule, 2026-1 minus 2025-2 would show
    # their readiness group and whether they have a long-term plan.
    await young(db, world, "2026-02-01", group=Group.activity_ready)
    for half in ("2025-2", "2026-1"):
        report = await _report(db, world, half)
        cells = _followed(report)
        assert cells["total"].hidden and cells[Group.education_ready.value].hidden, half
        assert report.values["long_term_plan"].value is None, half
        assert report.values["followed"].hidden, half


async def test_groups_five_or_more_apart_are_shown(db):
    world = await make_world(db)
    for _ in range(10):
        await young(db, world, "2025-03-01", group=Group.education_ready)
    for _ in range(5):
        await young(db, world, "2026-02-01", group=Group.activity_ready)
    report = await _report(db, world, "2026-1")
    cells = _followed(report)
    assert (cells["total"].value, cells["total"].hidden) == (15, None)
    assert (await _report(db, world, "2025-2")).values["followed"].value == 10


def test_the_rule_looks_at_every_report_the_leader_can_get():
    team, municipality = ScopeKind.team, ScopeKind.municipality
    groups = {
        (team, "2026-1"): frozenset(range(10)),
        (team, "2025-2"): frozenset(range(10)),  # the same ten: nothing to subtract
        (municipality, "2026-1"): frozenset(range(12)),  # two more in another team
        (municipality, "2025-2"): frozenset(range(30)),
    }
    assert protect_followed(groups, (team, "2026-1")) == FOLLOWED_CELLS
    assert protect_followed(groups, (municipality, "2026-1")) == FOLLOWED_CELLS
    assert protect_followed(groups, (municipality, "2025-2")) == frozenset()


def test_the_protected_cells_are_all_in_the_reports_relations():
    related = {name for relation in relations() for name in relation.cells}
    assert FOLLOWED_CELLS <= related
    assert not recoverable(set(FOLLOWED_CELLS), relations()) & {"followed.total"}
