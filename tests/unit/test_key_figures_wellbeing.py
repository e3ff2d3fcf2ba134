"""WHO-5 progression (first against latest score, both in the half-year) and the check-in
completion rate."""

from app.models import CourseEndOutcome
from app.services.key_figures.wellbeing import completion, progression
from tests.factories.checkins import checkin
from tests.factories.key_figures import at, end_course, make_world, period, young

H1 = period("2026-01-01", "2026-06-30", "2026-07-15")


async def _data_set(db):
    world = await make_world(db)
    # Y1: 40 (before the period: not counted), 48, 60; the 80 after the period is not either.
    y1 = await young(db, world, "2025-10-01")
    for day, score in [("2025-12-01", 40), ("2026-02-01", 48), ("2026-05-01", 60)]:
        await checkin(db, y1, score=score, taken_at=at(day))
    await checkin(db, y1, score=80, taken_at=at("2026-08-01"))
    # Y2: 70 then 64.
    y2 = await young(db, world, "2026-01-10")
    await checkin(db, y2, score=70, taken_at=at("2026-01-10"))
    await checkin(db, y2, score=64, taken_at=at("2026-03-10"))
    # Y3: one WHO-5 only, course started ten days before the period end.
    y3 = await young(db, world, "2026-06-20")
    await checkin(db, y3, score=52, taken_at=at("2026-06-25"))
    # Y4: 50 then 58 (a readiness check-in of 100 between them is another instrument);
    # checks in every 14 days; the course ended on 14 February.
    y4 = await young(db, world, "2025-06-01", checkin_cadence_days=14)
    await checkin(db, y4, score=50, taken_at=at("2026-01-05"))
    await checkin(db, y4, score=100, taken_at=at("2026-01-20"), code="readiness")
    await checkin(db, y4, score=58, taken_at=at("2026-02-02"))
    await end_course(db, y4, "2026-02-14", CourseEndOutcome.other)
    # Y5: course ended before the period: not followed, so not counted.
    y5 = await young(db, world, "2025-05-01")
    await checkin(db, y5, score=20, taken_at=at("2025-06-01"))
    await checkin(db, y5, score=80, taken_at=at("2025-09-01"))
    await end_course(db, y5, "2025-11-01", CourseEndOutcome.job)
    return world


async def test_who5_progression_compares_first_and_latest_score(db):
    world = await _data_set(db)
    result = await progression(db, scope=await world.scope_in(db), period=H1)
    # Only WHO-5 taken in the half-year: Y1: 60 - 48 = +12 (a gain of 10 or more; the 40
    # of December is another half-year's); Y2: 64 - 70 = -6; Y4: 58 - 50 = +8.
    # Y3 has one WHO-5; Y5 is not followed. Measured 3, total change +14 (mean 4.7).
    assert result.measured == 3
    assert result.total_change == 14
    assert result.gained == 1  # Y1 only: 1 of 3 = 33 %


async def test_a_half_years_progression_rests_on_its_own_check_ins_only(db):
    """The half-years before and after share no check-in with H1: adding one to either
    changes nothing in H1, so two reports cannot be subtracted to find one change."""
    world = await _data_set(db)
    before = await progression(db, scope=await world.scope_in(db), period=H1)
    y1 = await young(db, world, "2025-10-01")
    await checkin(db, y1, score=20, taken_at=at("2025-12-31", 22, 59))  # 23:59 in Copenhagen
    await checkin(db, y1, score=96, taken_at=at("2026-06-30", 22, 0))  # 00:00 on 1 July
    await checkin(db, y1, score=28, taken_at=at("2026-07-02"))
    assert await progression(db, scope=await world.scope_in(db), period=H1) == before


async def test_checkin_completion_counts_done_of_expected_per_young_person(db):
    world = await _data_set(db)
    result = await completion(db, scope=await world.scope_in(db), period=H1)
    # Y1: 1 Jan - 30 Jun = 181 days / 30 -> 6 expected; 2 WHO-5 in the period -> 2.
    # Y2: 10 Jan - 30 Jun = 172 days / 30 -> 5 expected; 2 done -> 2.
    # Y3: 20 - 30 Jun = 11 days -> 0 expected; its 1 check-in counts as 0 (capped).
    # Y4: 1 Jan - 14 Feb (course end) = 45 days / 14 -> 3 expected; 2 WHO-5 -> 2.
    # Expected 6 + 5 + 0 + 3 = 14, done 2 + 2 + 0 + 2 = 6: 43 %. Y1, Y2, Y4 expected any.
    assert (result.expected, result.done, result.young_people) == (14, 6, 3)
