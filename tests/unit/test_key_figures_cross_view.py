"""A leader sees their own team and the whole municipality: subtracting the two must not
give away the other teams' small numbers."""

from __future__ import annotations

from app.models import ReadinessGroup as Group
from app.models import Role, Team
from app.services.key_figures.cells import relations
from app.services.key_figures.period import ReportForm, ScopeKind
from app.services.key_figures.report import key_figure_report
from app.services.key_figures.suppression import cross_view_protect, recoverable, suppress
from tests.factories.key_figures import at, make_world, young
from tests.factories.people import make_user

NOW = at("2026-07-15")  # the first half of 2026 has ended


def test_a_cell_whose_rest_is_small_is_protected():
    # Municipality 15, own team 12: the other teams have 3, so 15 must not be shown.
    # Municipality 30, own team 20: 10 elsewhere, fine. A cell small in itself (3) is
    # primary already, not "protected".
    whole = {"a": 15, "b": 30, "c": 3, "d": 9}
    part = {"a": 12, "b": 20, "c": 1, "d": 9}
    assert cross_view_protect(whole, part) == {"a", "d"}  # d: 0 elsewhere is small too


def test_a_protected_cell_is_hidden_and_cannot_be_worked_out_from_the_total():
    cells = {"total": 45, "x": 15, "y": 20, "z": 10}
    from app.services.key_figures.suppression import Relation

    rows = [Relation("total", ("x", "y", "z"))]
    result = suppress(cells, rows, protect=frozenset({"x"}))
    assert "x" in result.secondary and not result.primary
    assert "x" not in recoverable(result.hidden, rows)
    assert len(result.hidden) >= 2  # another cell hides with it


async def _two_teams(db):
    """Own team: 6 obviously ready, 12 education-ready, 7 activity-ready (25). Another
    team of the same municipality: 0, 3 and 10. The municipality: 6, 15, 17 (38)."""
    world = await make_world(db)
    other_team = Team(municipality_id=world.team.municipality_id, name="Ungeteam Syd")
    db.add(other_team)
    await db.flush()
    other_guide = await make_user(db, Role.guide, team_id=other_team.id)
    for group, count in ((Group.obviously_ready, 6), (Group.education_ready, 12)):
        for _ in range(count):
            await young(db, world, "2025-11-01", group=group)
    for _ in range(7):
        await young(db, world, "2025-11-01", group=Group.activity_ready)
    for _ in range(3):
        await young(db, world, "2025-11-01", guide=other_guide, group=Group.education_ready)
    for _ in range(10):
        await young(db, world, "2025-11-01", guide=other_guide, group=Group.activity_ready)
    return world


async def test_the_municipality_hides_what_the_own_team_would_give_away(db):
    world = await _two_teams(db)
    form = ReportForm.model_validate({"half": "2026-1", "scope": ScopeKind.municipality})
    report = await key_figure_report(db, actor=world.leader, form=form, values_typed={}, now=NOW)
    rows = {row.group: row.cells for row in report.course_rows}
    education = rows[Group.education_ready.value]["followed"]
    # 15 in the municipality, 12 in the own team: the 3 elsewhere stay unknown.
    assert education.value == 15 and education.hidden
    # 6 obviously ready here and in the own team: 0 elsewhere, which is small too.
    assert rows[Group.obviously_ready.value]["followed"].hidden == "secondary"
    # 17 activity-ready, 7 of them in the own team: 10 elsewhere may be shown.
    activity = rows[Group.activity_ready.value]["followed"]
    assert (activity.value, activity.hidden) == (17, None)
    # The total (38) minus 17 leaves 21 for the two hidden cells together: neither is
    # pinned, so neither the 3 nor the 0 elsewhere can be worked out.
    assert (rows["total"]["followed"].value, rows["total"]["followed"].hidden) == (38, None)

    team_form = ReportForm.model_validate({"half": "2026-1", "scope": ScopeKind.team})
    own = await key_figure_report(db, actor=world.leader, form=team_form, values_typed={}, now=NOW)
    own_rows = {row.group: row.cells for row in own.course_rows}
    assert own_rows[Group.education_ready.value]["followed"].value == 12
    assert not own_rows[Group.education_ready.value]["followed"].hidden


def test_the_report_relations_cover_the_course_table():
    names = {name for relation in relations() for name in relation.cells}
    assert "followed.total" in names and "followed.education_ready" in names
