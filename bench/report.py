"""Benchmark: the leaders' key-figure report for the whole country, on PostgreSQL.

Creates a fresh database on the local PostgreSQL server, migrates it with the app's
migrations, generates a national-size data set with `INSERT ... SELECT generate_series`
(at --scale 1.0: 50,000 young people, 2,500 guides in 100 teams of one "municipality"
that is the whole country, 1.2 million WHO-5 check-ins (all in the past), 300,000
follow-ups, plus course
ends, starts, plan steps and changes of guide), then times the same service function
the page calls (`key_figure_report`, whole municipality, the current half-year) several
times and prints min/median/max seconds. Drops the database afterwards unless --keep.

    .venv/bin/python bench/report.py                 # full size
    .venv/bin/python bench/report.py --scale 0.1 --runs 3
    .venv/bin/python bench/report.py --keep     # then: --reuse to time it again
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.clock import utcnow

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.models import Role, User  # noqa: E402
from app.services.key_figures.period import ReportForm, half_years_offered  # noqa: E402
from app.services.key_figures.report import key_figure_report  # noqa: E402
from tests.database import create_database, drop_database, migrate  # noqa: E402

DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DATABASE = "trinvis_bench_report"

# Each statement gets :youth, :guides, :teams (counts at the chosen scale).
GENERATE = [
    "INSERT INTO municipality (id, name) VALUES (1, 'Danmark')",
    """INSERT INTO team (id, municipality_id, name)
       SELECT t, 1, 'Team ' || t FROM generate_series(1, :teams) t""",
    """INSERT INTO app_user (id, role, name, email, locale, team_id, is_active, created_at)
       SELECT g, 'guide', 'Guide ' || g, 'g' || g || '@bench.example', 'da',
              1 + (g % :teams), true, now()
       FROM generate_series(1, :guides) g""",
    """INSERT INTO app_user (id, role, name, email, locale, team_id, is_active, created_at)
       VALUES (:guides + 1, 'leader', 'Leder', 'leader@bench.example', 'da', 1, true, now())""",
    """INSERT INTO app_user (id, role, name, locale, is_active, created_at)
       SELECT :guides + 1 + y, 'youth', 'Ung ' || y, 'da', true, now()
       FROM generate_series(1, :youth) y""",
    # Courses started over the last four years; a third of them have ended.
    """INSERT INTO youth (id, user_id, birth_date, readiness_group, status, destination,
                         guide_id, course_started_on, checkin_cadence_days, created_at)
       SELECT y, :guides + 1 + y, date '2004-01-01' + (y % 3000),
              (ARRAY['activity_ready','activity_ready','education_ready','obviously_ready'])
                  [1 + y % 4],
              CASE WHEN y % 3 = 0 THEN 'ended' WHEN y % 5 = 0 THEN 'started'
                   ELSE 'in_course' END,
              CASE WHEN y % 4 <> 0 THEN 'Uddannelse ' || (y % 50) END,
              1 + (y % :guides), current_date - (y * 7919 % 1461), 30, now()
       FROM generate_series(1, :youth) y""",
    """INSERT INTO guide_assignment (youth_id, guide_id, started_at)
       SELECT id, guide_id, course_started_on::timestamptz FROM youth""",
    # About one in seven changed guide halfway through.
    """INSERT INTO guide_assignment (youth_id, guide_id, started_at)
       SELECT id, 1 + ((guide_id + 7) % :guides),
              course_started_on::timestamptz + (current_date - course_started_on) / 2
                  * interval '1 day'
       FROM youth WHERE id % 7 = 0""",
    """INSERT INTO plan_step (youth_id, title, status, position, created_by_id, created_at,
                             updated_at, version)
       SELECT y.id, 'Trin ' || s, CASE WHEN s = 1 THEN 'done' ELSE 'todo' END, s,
              y.guide_id, now(), now(), 1
       FROM youth y CROSS JOIN generate_series(1, 4) s WHERE y.id % 5 <> 0 OR s < 3""",
    # Starts in education or a job: two of five young people, 60 days into the course.
    """INSERT INTO enrollment (id, youth_id, kind, place, starts_on, first_gap_days,
                              interval_days, length_months, created_by_id, created_at,
                              client_key, ended_at, end_reason)
       SELECT y.id, y.id, CASE WHEN y.id % 2 = 0 THEN 'education' ELSE 'job' END,
              'Sted', LEAST(y.course_started_on + 60, current_date), 7, 14, 12, y.guide_id,
              now(), 'bench-' || y.id,
              CASE WHEN y.id % 11 = 0
                   THEN (LEAST(y.course_started_on + 60, current_date) + 40)::timestamptz
                   WHEN y.status = 'ended'
                   THEN (LEAST(y.course_started_on + 60, current_date) + 200)::timestamptz
              END,
              CASE WHEN y.id % 11 = 0 THEN 'dropped_out'
                   WHEN y.status = 'ended' THEN 'completed' END
       FROM youth y WHERE y.id % 5 IN (0, 3)""",
    """INSERT INTO course_end (youth_id, enrollment_id, ended_on, outcome, created_at)
       SELECT y.id, e.id,
              LEAST(y.course_started_on + 100 + y.id % 200, current_date),
              CASE WHEN e.id IS NULL THEN 'other' WHEN e.kind = 'education'
                   THEN 'education' ELSE 'job' END,
              now()
       FROM youth y LEFT JOIN enrollment e ON e.youth_id = y.id AND e.id % 11 <> 0
       WHERE y.status = 'ended'""",
    # 300,000 follow-ups at scale 1 (15 per start), most answered and handled.
    """INSERT INTO follow_up (enrollment_id, youth_id, sequence, due_on, due_at, answered_at,
                             answer, handled_at, call_outcome)
       SELECT e.id, e.youth_id, s, e.starts_on + 7 + 14 * (s - 1),
              (e.starts_on + 7 + 14 * (s - 1))::timestamptz + interval '8 hours',
              CASE WHEN (e.id + s) % 4 <> 0 THEN (e.starts_on + 8 + 14 * (s - 1))::timestamptz
              END,
              CASE WHEN (e.id + s) % 4 <> 0 THEN 'good' END,
              CASE WHEN (e.id + s) % 5 <> 0 THEN (e.starts_on + 7 + 14 * (s - 1))::timestamptz
                   + ((e.id + s) % 9) * interval '13 hours' END,
              CASE WHEN (e.id + s) % 5 <> 0 THEN 'reached' END
       FROM enrollment e CROSS JOIN generate_series(1, :followups_each) s""",
    # About 1.2 million WHO-5 check-ins at scale 1: one every 30 days from the start of
    # each course up to today (courses started up to four years ago, two on average);
    # the migrations load the WHO-5 instrument.
    """INSERT INTO checkin (youth_id, instrument_id, instrument_code, raw_score, score,
                           taken_at, together, recorded_by_id, client_key)
       SELECT y.id, (SELECT min(id) FROM instrument WHERE code = 'who5'), 'who5',
              (y.id * 7 + k * 3) % 26, ((y.id * 7 + k * 3) % 26) * 4,
              y.course_started_on::timestamptz + k * interval '30 days' + interval '10 hours',
              k % 2 = 0, :guides + 1 + y.id, 'b-' || y.id || '-' || k
       FROM youth y CROSS JOIN generate_series(0, 48) k
       WHERE y.course_started_on + 30 * k < current_date""",
    # A database in use has been vacuumed: the visibility map lets index-only scans skip
    # the table. Right after a bulk load it has not, so vacuum once here.
    "VACUUM ANALYZE",
]


async def generate(url: str, scale: float) -> None:
    youth = max(50, int(50_000 * scale))
    params = {
        "youth": youth,
        "guides": max(5, int(2_500 * scale)),
        "teams": max(1, int(100 * scale)),
        "followups_each": 15,
    }
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        for statement in GENERATE:
            started = time.perf_counter()
            await connection.execute(text(statement), _used(statement, params))
            print(f"  {time.perf_counter() - started:6.1f} s  {' '.join(statement.split())[:70]}")
        counts = {}
        for table in ("youth", "app_user", "checkin", "follow_up", "enrollment", "course_end"):
            counts[table] = (await connection.execute(text(f"SELECT count(*) FROM {table}"))).one()[
                0
            ]
        print("  rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    await engine.dispose()


def _used(statement: str, params: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in params.items() if f":{k}" in statement}


async def time_report(url: str, runs: int) -> list[float]:
    engine = make_engine(url)
    now = utcnow()
    latest = half_years_offered(now.date())[0]  # the last half-year that has ended
    values = {"half": latest.key, "scope": "municipality"}
    form = ReportForm.model_validate(values)
    timings = []
    async with AsyncSession(engine, expire_on_commit=False) as db:
        leader = (await db.exec(select(User).where(User.role == Role.leader))).one()
        for _ in range(runs):
            started = time.perf_counter()
            report = await key_figure_report(
                db, actor=leader, form=form, values_typed=values, now=now
            )
            timings.append(time.perf_counter() - started)
        shown = report.values
        print(
            "  followed",
            shown["followed"].text,
            "· to a positive destination",
            shown["positive_destination"].text,
            "· WHO-5 measured",
            shown["who5_measured"].text,
            "· follow-ups on time",
            shown["followups_on_time"].text,
        )
    await engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = national size")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="time the database a --keep run left (migrated)"
    )
    args = parser.parse_args()
    if args.reuse:
        url = make_url(args.server).set(database=DATABASE).render_as_string(hide_password=False)
    else:
        drop_database(args.server, DATABASE)
        url = create_database(args.server, DATABASE)
    try:
        migrate(url)
        if not args.reuse:
            print(f"generating at scale {args.scale} ...")
            asyncio.run(generate(url, args.scale))
        print(f"timing the whole-country report, {args.runs} runs ...")
        timings = asyncio.run(time_report(url, args.runs))
        print(
            f"key-figure report: min {min(timings):.3f} s, "
            f"median {statistics.median(timings):.3f} s, max {max(timings):.3f} s"
        )
    finally:
        if not args.keep:
            drop_database(args.server, make_url(url).database or DATABASE)


if __name__ == "__main__":
    main()
