"""Contact persons: changes of guide per young person, and caseloads at the period end."""

from statistics import median

from app.models import CourseEndOutcome, Role
from app.services.key_figures.staff import caseloads, changes
from tests.factories.key_figures import assign, at, end_course, make_world, period, young
from tests.factories.people import make_user

H1 = period("2026-01-01", "2026-06-30", "2026-07-15")


async def _data_set(db):
    world = await make_world(db)
    g1 = world.guide
    g2 = await make_user(db, Role.guide, team_id=world.team.id)
    await make_user(db, Role.guide, team_id=world.team.id)  # g3: nobody
    await make_user(db, Role.guide, team_id=world.team.id, is_active=False)  # left
    await make_user(db, Role.guide)  # another team's guide
    # Y1: g1 from Oct 2025, g2 from 1 Feb, back to g1 from 1 May -> 2 changes in period.
    y1 = await young(db, world, "2025-10-01")
    await assign(db, y1, g1, at("2025-10-01"), at("2026-02-01"))
    await assign(db, y1, g2, at("2026-02-01"), at("2026-05-01"))
    await assign(db, y1, g1, at("2026-05-01"), None)
    # Y2: first guide from 15 Jan (a first guide is no change) -> 0.
    y2 = await young(db, world, "2026-01-15")
    await assign(db, y2, g1, at("2026-01-15"), None)
    # Y3: changed guide in Dec 2025, before the period -> 0.
    y3 = await young(db, world, "2025-06-01")
    await assign(db, y3, g2, at("2025-06-01"), at("2025-12-01"))
    await assign(db, y3, g1, at("2025-12-01"), None)
    # Y4: not followed (ended Dec 2025), though its guide changed in the period.
    y4 = await young(db, world, "2025-05-01")
    await assign(db, y4, g2, at("2025-05-01"), at("2026-02-01"))
    await assign(db, y4, g1, at("2026-02-01"), None)
    await end_course(db, y4, "2025-12-01", CourseEndOutcome.job)
    # Y5: course starts in August, after the period, with g2 from 20 July.
    y5 = await young(db, world, "2026-08-01", guide=g2)
    await assign(db, y5, g2, at("2026-07-20"), None)
    return world


async def test_changes_of_contact_person_in_the_period(db):
    world = await _data_set(db)
    result = await changes(db, scope=await world.scope_in(db), period=H1)
    # Followed: Y1, Y2, Y3. Changes in the period: Y1's two; per young person 2 / 3.
    assert (result.changes, result.young_people) == (2, 1)


async def test_caseloads_are_open_guide_periods_at_the_period_end(db):
    world = await _data_set(db)
    result = await caseloads(db, scope=await world.scope_in(db), period=H1)
    # On 30 June: g1 has Y1, Y2, Y3 (Y4 ended); g2 and g3 none (Y5's period starts in
    # July). The inactive guide and the other team's guide are not listed. Median 0.
    assert result == [0, 0, 3]
    assert median(result) == 0
