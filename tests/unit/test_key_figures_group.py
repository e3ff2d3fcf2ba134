"""The group: young people followed, new and ended courses by readiness group, and the
share with a long-term plan. Hand-made data; the right answers are worked out below."""

from app.models import CourseEndOutcome, ReadinessGroup
from app.services.key_figures.courses import courses, outcomes
from tests.factories.key_figures import end_course, make_world, period, steps, young
from tests.factories.people import make_user

# The first half of 2026, asked in July: the period has ended.
H1 = period("2026-01-01", "2026-06-30", "2026-07-15")


async def _data_set(db):
    world = await make_world(db)
    activity = ReadinessGroup.activity_ready
    # A: started before the period, still in course -> followed, not new.
    a = await young(db, world, "2025-10-01", destination="Tømrer (EUD)")
    # B: started in the period -> followed and new (activity-ready).
    b = await young(db, world, "2026-02-10", group=activity, destination="HF")
    # C: ended before the period began -> not followed.
    c = await young(db, world, "2025-05-01")
    await end_course(db, c, "2025-12-20", CourseEndOutcome.job)
    # D: ended in the period -> followed and ended (activity-ready).
    d = await young(db, world, "2025-09-01", group=activity)
    await end_course(db, d, "2026-03-01", CourseEndOutcome.other)
    # E: starts after the period -> neither followed nor new.
    await young(db, world, "2026-07-05")
    # F: another team's young person -> never counted here.
    other_guide = await make_user(db)
    await young(db, world, "2026-02-01", guide=other_guide)
    return world, a, b, d


async def test_followed_are_the_courses_that_overlap_the_period(db):
    world, *_ = await _data_set(db)
    result = await courses(db, scope=await world.scope_in(db), period=H1)
    # A (education-ready), B and D (activity-ready): 3 in all; C ended before, E starts
    # after, F is another team's.
    assert result.followed[ReadinessGroup.education_ready] == 1  # A
    assert result.followed[ReadinessGroup.activity_ready] == 2  # B and D
    assert result.followed[ReadinessGroup.obviously_ready] == 0
    assert sum(result.followed.values()) == 3


async def test_new_courses_are_those_started_in_the_period(db):
    world, *_ = await _data_set(db)
    result = await courses(db, scope=await world.scope_in(db), period=H1)
    # Only B started between 1 January and 30 June (E starts in July).
    assert dict(+result.new) == {ReadinessGroup.activity_ready: 1}


async def test_ended_courses_are_course_ends_dated_in_the_period(db):
    world, *_ = await _data_set(db)
    result = await outcomes(db, scope=await world.scope_in(db), period=H1)
    # D ended on 1 March; C's end (20 December 2025) lies before the period.
    assert dict(+result.ended) == {ReadinessGroup.activity_ready: 1}


async def test_long_term_plan_needs_a_destination_and_three_steps(db):
    world, a, b, d = await _data_set(db)
    await steps(db, a, 3)  # destination and 3 steps -> a long-term plan
    await steps(db, b, 2, deleted=1)  # destination, but a deleted step does not count
    await steps(db, d, 4)  # 4 steps but no destination
    result = await courses(db, scope=await world.scope_in(db), period=H1)
    # Of the 3 followed (A, B, D) only A has a long-term plan: 1 of 3.
    assert result.with_plan == 1
