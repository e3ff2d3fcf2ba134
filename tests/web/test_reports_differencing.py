"""A curious leader gets every key-figure report the page and its address allow (each
half-year offered, the own team and the municipality, and date ranges typed into the
address) and compares them: no report, and no two of them, single out one young
person's WHO-5 change.

Not marked time-dependent: the half-years are taken from the clock, so the test means
the same at any instant, and each test fetches 22 reports twice.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from app.clock import at_copenhagen_time, copenhagen_today
from app.models import CheckIn, Role, Team
from app.services.key_figures.period import half_years_offered
from tests.factories.checkins import checkin
from tests.factories.people import make_team, make_user, make_youth, sign_in
from tests.unit.test_key_figures_report import read_like_danish_excel

PAGE = "/reports/key-figures"


async def _two_who5(db, youth, half, first: int, latest: int) -> CheckIn:
    """A WHO-5 two weeks into the half-year and one two weeks before its end."""
    await checkin(db, youth, score=first, taken_at=_in(half.start + timedelta(days=14)))
    return await checkin(db, youth, score=latest, taken_at=_in(half.end - timedelta(days=14)))


def _in(day: date):
    return at_copenhagen_time(day, time(12))


async def _measured_team(db, half, changes: list[tuple[int, int]]):
    """The leader's team, with one young person per (first, latest) WHO-5 pair in `half`."""
    team = await make_team(db, "Ungeteam Øst")
    guide = await make_user(db, Role.guide, team_id=team.id)
    leader = await make_user(db, Role.leader, team_id=team.id)
    started = half.start - timedelta(days=60)
    for first, latest in changes:
        youth = await make_youth(db, guide=guide, course_started_on=started)
        await _two_who5(db, youth, half, first, latest)
    return team, guide, leader


async def _every_report(client, today: date) -> dict[str, bytes]:
    """Every CSV the leader can get: each half-year offered, for the own team and the
    municipality, and the addresses a curious leader would try (overlapping ranges)."""
    reports = {}
    for half in half_years_offered(today):
        for scope in ("team", "municipality"):
            response = await client.get(f"{PAGE}.csv?half={half.key}&scope={scope}")
            assert response.status_code == 200
            reports[f"{half.key} {scope}"] = response.content
    latest = half_years_offered(today)[0]
    for end in (latest.end - timedelta(days=20), latest.end):
        query = f"from={latest.start}&to={end}&scope=team"
        reports[query] = (await client.get(f"{PAGE}.csv?{query}")).content
    return reports


# Six young people of the own team, five of them with a gain of 10 points or more.
TEAM_CHANGES = [(40, 60), (44, 64), (48, 60), (52, 68), (36, 48), (60, 56)]


async def test_no_two_reports_give_away_the_one_young_person_of_another_team(
    client, db, settings, frozen_clock
):
    today = copenhagen_today(frozen_clock.now)
    half = half_years_offered(today)[0]
    team, _guide, leader = await _measured_team(db, half, TEAM_CHANGES)
    # The only young person measured elsewhere in the municipality: municipality minus
    # own team is this one person.
    other_team = Team(municipality_id=team.municipality_id, name="Ungeteam Syd")
    db.add(other_team)
    await db.flush()
    other_guide = await make_user(db, Role.guide, team_id=other_team.id)
    alone = await make_youth(db, guide=other_guide, course_started_on=half.start)
    latest = await _two_who5(db, alone, half, 40, 80)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    gained = await _every_report(client, today)

    # The same municipality, except that this one young person's WHO-5 fell by 8 points.
    latest.score = 32
    db.add(latest)
    await db.flush()
    fell = await _every_report(client, today)
    # Not one report, and so no two of them, tells the two apart.
    differing = [name for name in gained if gained[name] != fell[name]]
    assert differing == []


async def test_one_young_persons_change_shows_only_in_their_half_years_report_among_five(
    client, db, settings, frozen_clock
):
    today = copenhagen_today(frozen_clock.now)
    half = half_years_offered(today)[0]
    _team, guide, leader = await _measured_team(db, half, TEAM_CHANGES)
    one = await make_youth(db, guide=guide, course_started_on=half.start - timedelta(days=60))
    latest = await _two_who5(db, one, half, 40, 80)
    # Their earlier and later check-ins lie in other half-years.
    await checkin(db, one, score=20, taken_at=_in(half.start - timedelta(days=30)))
    await sign_in(client, db, leader, settings, frozen_clock.now)
    gained = await _every_report(client, today)
    latest.score = 32
    db.add(latest)
    await db.flush()
    fell = await _every_report(client, today)

    differing = {name for name in gained if gained[name] != fell[name]}
    # Only the reports of that one half-year change (and the date-range addresses, which
    # give the default: that half-year's report): no report of another period holds the
    # change, so none can be subtracted from it. (The municipality is this team alone:
    # whatever it would add to the team's report is hidden.)
    default_ranges = {name for name in gained if name.startswith("from=")}
    for reports in (gained, fell):
        assert all(reports[name] == reports[f"{half.key} team"] for name in default_ranges)
    assert f"{half.key} team" in differing
    assert differing - default_ranges <= {f"{half.key} team", f"{half.key} municipality"}
    for name in differing:
        rows = read_like_danish_excel(gained[name])
        by_label = {row[1]: row for row in rows[4:] if len(row) > 2}
        # ... where the change is one of seven, as a rounded mean, never with its sum.
        assert by_label["Unge med to eller flere WHO-5"][2] == "7"
        total = sum(latest - first for first, latest in TEAM_CHANGES) + 40
        assert str(total) not in by_label["Gennemsnitlig ændring i WHO-5"][2]
