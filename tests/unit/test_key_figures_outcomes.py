"""Outcomes at course end: counts by outcome, the share to a positive destination, the
share who started an education, and the days from course start to destination."""

from statistics import median

from app.models import CourseEndOutcome, EnrollmentEnd, EnrollmentKind
from app.services.key_figures.courses import outcomes
from tests.factories.key_figures import at, end_course, enroll, make_world, period, young

H1 = period("2026-01-01", "2026-06-30", "2026-07-15")


async def _data_set(db):
    world = await make_world(db)
    # P1: course 10 Jan, education from 1 Mar (50 days), ended in education on 1 Jun.
    p1 = await young(db, world, "2026-01-10")
    e1 = await enroll(db, p1, "2026-03-01", EnrollmentKind.education)
    await end_course(db, p1, "2026-06-01", CourseEndOutcome.education, e1)
    # P2: course 1 Dec 2025, job from 1 Feb (62 days), ended in a job on 1 May.
    p2 = await young(db, world, "2025-12-01")
    e2 = await enroll(db, p2, "2026-02-01", EnrollmentKind.job)
    await end_course(db, p2, "2026-05-01", CourseEndOutcome.job, e2)
    # P3: course 5 Jan, no start registered, ended "education" on 15 Apr (100 days).
    p3 = await young(db, world, "2026-01-05")
    await end_course(db, p3, "2026-04-15", CourseEndOutcome.education)
    # P4: started an education 1 Feb but dropped out; the course ended "other" 20 Jun.
    p4 = await young(db, world, "2026-01-01")
    await enroll(
        db,
        p4,
        "2026-02-01",
        EnrollmentKind.education,
        ended_at=at("2026-03-01"),
        end_reason=EnrollmentEnd.dropped_out,
    )
    await end_course(db, p4, "2026-06-20", CourseEndOutcome.other)
    # P5: ended before the period: not counted.
    p5 = await young(db, world, "2025-06-01")
    await end_course(db, p5, "2025-12-31", CourseEndOutcome.job)
    return world


async def test_outcomes_count_the_course_ends_of_the_period(db):
    world = await _data_set(db)
    result = await outcomes(db, scope=await world.scope_in(db), period=H1)
    # P1 and P3 education, P2 job, P4 other; P5 is outside the period.
    assert dict(result.by_outcome) == {
        CourseEndOutcome.education: 2,
        CourseEndOutcome.job: 1,
        CourseEndOutcome.other: 1,
    }


async def test_positive_destination_is_education_or_job(db):
    world = await _data_set(db)
    result = await outcomes(db, scope=await world.scope_in(db), period=H1)
    positive = result.by_outcome[CourseEndOutcome.education] + result.by_outcome["job"]
    # 3 of the 4 course ends went to education or a job: 75 %.
    assert (positive, sum(result.ended.values())) == (3, 4)


async def test_started_education_counts_any_start_in_education_before_the_end(db):
    world = await _data_set(db)
    result = await outcomes(db, scope=await world.scope_in(db), period=H1)
    # P1 (education start) and P4 (started, then dropped out) -> 2 of 4 = 50 %.
    # P3's outcome says education, but no start was registered; P2 started a job.
    assert result.started_education == 2


async def test_days_to_destination_run_from_course_start_to_the_start(db):
    world = await _data_set(db)
    result = await outcomes(db, scope=await world.scope_in(db), period=H1)
    # P1: 10 Jan -> 1 Mar = 50; P2: 1 Dec -> 1 Feb = 62; P3: 5 Jan -> 15 Apr (its course
    # end, no start) = 100. P4 ended "other": no destination. Median 62, mean 70.67.
    assert sorted(result.days.elements()) == [50, 62, 100]
    assert median(result.days.elements()) == 62
