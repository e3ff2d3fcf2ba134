"""Eftervend: still in education or job after 3, 6 and 12 months, the drop-out share,
and follow-ups answered and handled on time (the call list's three-working-day rule)."""

from app.models import EnrollmentEnd
from app.services.key_figures.followups import follow_ups, retention
from tests.factories.key_figures import at, enroll, make_world, period, young

H1 = period("2026-01-01", "2026-06-30", "2026-07-15")
DROPPED = EnrollmentEnd.dropped_out


async def _starts(db):
    world = await make_world(db)
    # E1: started 1 Jun 2025, still there.
    await enroll(db, await young(db, world, "2025-03-01"), "2025-06-01")
    # E2: started 15 Sep 2025, dropped out 20 Nov 2025 (before its 3-month mark 15 Dec).
    e2 = await young(db, world, "2025-06-01")
    await enroll(db, e2, "2025-09-15", ended_at=at("2025-11-20"), end_reason=DROPPED)
    # E3: started 10 Jan 2026, dropped out 20 May 2026 (after its 3-month mark 10 Apr).
    e3 = await young(db, world, "2025-10-01")
    await enroll(db, e3, "2026-01-10", ended_at=at("2026-05-20"), end_reason=DROPPED)
    # E4: started 1 May 2026: its 3-month mark (1 Aug) is after the period.
    await enroll(db, await young(db, world, "2026-01-01"), "2026-05-01")
    # E5: started 1 Mar 2025, completed 1 Dec 2025 (before the period).
    e5 = await young(db, world, "2024-12-01")
    await enroll(
        db, e5, "2025-03-01", ended_at=at("2025-12-01"), end_reason=EnrollmentEnd.completed
    )
    return world


async def test_still_in_education_or_job_after_3_6_and_12_months(db):
    world = await _starts(db)
    result = await retention(db, scope=await world.scope_in(db), period=H1)
    # A start counts in the half-year its mark falls in (1 Jan - 30 Jun 2026):
    # 3 months: E3 (10 Apr) only; E1 (1 Sep), E2 (15 Dec), E5 (1 Jun 2025) are other
    # half-years' -> E3 dropped after its mark: 1 of 1 stayed.
    # 6 months: E2 (15 Mar); E1 (1 Dec), E5 (1 Sep) and E3 (10 Jul) are not -> 0 of 1.
    # 12 months: E1 (1 Jun 2026), E5 (1 Mar 2026) -> 2 of 2.
    assert (result.eligible[3], result.dropped[3]) == (1, 0)
    assert (result.eligible[6], result.dropped[6]) == (1, 1)
    assert (result.eligible[12], result.dropped[12]) == (2, 0)


async def test_each_start_counts_in_one_half_year_only(db):
    world = await _starts(db)
    scope = await world.scope_in(db)
    halves = [
        period("2025-01-01", "2025-06-30", "2027-07-15"),
        period("2025-07-01", "2025-12-31", "2027-07-15"),
        period("2026-01-01", "2026-06-30", "2027-07-15"),
        period("2026-07-01", "2026-12-31", "2027-07-15"),
        period("2027-01-01", "2027-06-30", "2027-07-15"),
    ]
    results = [await retention(db, scope=scope, period=half) for half in halves]
    # Five starts, each reaching 3, 6 and 12 months in exactly one of these half-years.
    for months in (3, 6, 12):
        assert sum(r.eligible[months] for r in results) == 5


async def test_dropout_share_of_the_starts_running_in_the_period(db):
    world = await _starts(db)
    result = await retention(db, scope=await world.scope_in(db), period=H1)
    # Running in the period: E1, E3, E4 (E2 and E5 ended in 2025). E3 dropped out on
    # 20 May: 1 of 3 = 33 %.
    assert (result.running, result.dropped_in_period) == (3, 1)


async def test_follow_ups_answered_and_handled_within_three_working_days(db):
    from tests.factories.key_figures import follow_up

    world = await make_world(db)
    first = await enroll(db, await young(db, world, "2025-10-01"), "2026-02-20")
    second = await enroll(db, await young(db, world, "2025-11-01"), "2026-03-20")
    # Asked on 15 July about January-July: follow-ups due after 15 July are not yet due.
    asked = period("2026-01-01", "2026-07-31", "2026-07-15")
    # F1 due Mon 2 Mar; window Tue-Thu, closes at midnight after Thu 5 Mar (23:00 UTC):
    # handled 22:30 UTC on the 5th -> on time. Answered.
    await follow_up(db, first, "2026-03-02", answered=True, handled_at=at("2026-03-05", 22, 30))
    # F2 due Wed 4 Mar; window Thu, Fri, Mon -> closes 23:00 UTC on Mon 9 Mar; handled
    # 23:30 UTC (00:30 on the 10th in Copenhagen) -> late. Not answered.
    await follow_up(db, first, "2026-03-04", handled_at=at("2026-03-09", 23, 30))
    # F3 due Wed 1 Apr, Easter: Thu 2, Fri 3 and Mon 6 Apr are holidays, so the window
    # is Tue 7 - Thu 9 Apr; handled Wed 8 Apr -> on time. Answered.
    await follow_up(db, second, "2026-04-01", answered=True, handled_at=at("2026-04-08"))
    # F4 due Mon 29 Jun, never handled; its window closed on Thu 2 Jul -> late.
    await follow_up(db, second, "2026-06-29")
    # F5 due Tue 14 Jul: answered, window still open (closes Fri 17 Jul) -> not judged.
    await follow_up(db, second, "2026-07-14", answered=True)
    # F6 due 20 Jul (after today) and F7 (cancelled) do not count at all.
    await follow_up(db, second, "2026-07-20", answered=True)
    await follow_up(db, first, "2026-03-10", answered=True, cancelled=True)
    result = await follow_ups(db, scope=await world.scope_in(db), period=asked)
    # Due by today: F1-F5 = 5, answered F1, F3, F5 = 3 (60 %), from 2 young people.
    assert (result.due, result.answered, result.young_people) == (5, 3, 2)
    # Window closed: F1-F4 = 4; on time F1 and F3 = 2 (50 %).
    assert (result.window_closed, result.on_time) == (4, 2)
