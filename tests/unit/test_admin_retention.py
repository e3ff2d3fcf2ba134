"""Data retention: a young person whose course ended longer ago than the retention period
is deleted everywhere, in one transaction of their own, and nobody else loses a row."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import Table, func
from sqlmodel import SQLModel, col, select

from app.clock import add_months
from app.demo import load_demo_data
from app.models import (
    AdminChange,
    AppSetting,
    AuditRecord,
    CourseEnd,
    CourseEndOutcome,
    CourseStatus,
    Role,
    User,
    Youth,
)
from app.security.audit import open_youth
from app.security.sessions import start_session
from app.services.admin.retention import expired_youth_ids, run_retention
from app.worker import JOBS
from tests.factories.people import T0

TODAY = T0.date()
LONGEST_OTHER_PERIODS = {
    "retention.inactive_course_months": "60",
    "retention.audit_months": "120",
    "retention.admin_change_months": "120",
    "retention.delivery_days": "365",
}
# Tables whose rows belong to a young person through a parent row, not a column of their own.
THROUGH_PARENT = {
    "checkin_answer": ("checkin_id", "checkin"),
    "notification_attempt": ("notification_id", "notification"),
    "note_reply": ("note_id", "note"),
    "oidc_session_link": ("session_id", "user_session"),
}
# Tables that never hold a young person's data (staff, configuration, counters).
NOT_PERSONAL = {
    "municipality",
    "team",
    "instrument",
    "app_setting",
    "rate_hit",
    "cover",
    "cover_key",
    "reply_snippet",
    "guide_working_hours",
    "admin_change",
    "scim_connection",
    "scim_group_mapping",
    # onboarding: an uploaded file holds names only until applied, or for 24 hours
    # (`delete_expired_previews`), never tied to one young person.
    "youth_import",
    # operations: when each background job last succeeded (for /metrics), about nobody.
    "job_run",
}
# Staff's audit trail stays (who opened what, when), without the person it was about.
ANONYMISED = {"audit_record"}


def tables() -> dict[str, Table]:
    return {table.name: table for table in SQLModel.metadata.sorted_tables}


def owner_columns(table: Table) -> list[str]:
    """The columns that say whose row this is, by the practice's naming."""
    if table.name in ("app_user", "youth"):
        return ["id"]
    return [name for name in ("youth_id", "user_id") if name in table.c]


async def owned_ids(db, youth_id: int, user_id: int) -> dict[str, set]:
    """Per table, the primary keys of the rows that are this young person's data."""
    owned: dict[str, set] = {}
    all_tables = tables()
    for name, table in all_tables.items():
        if name in NOT_PERSONAL or name in THROUGH_PARENT or name in ANONYMISED:
            continue
        columns = owner_columns(table)
        assert columns, f"{name}: whose data is this? Teach the retention test."
        key = next(iter(table.primary_key.columns))
        wanted = user_id if table.name == "app_user" else youth_id
        conditions = []
        for column in columns:
            value = wanted if column == "id" else (youth_id if column == "youth_id" else user_id)
            conditions.append(table.c[column] == value)
        rows = await db.exec(select(key).where(*conditions[:1]))
        ids = set(rows.all())
        for condition in conditions[1:]:
            ids |= set((await db.exec(select(key).where(condition))).all())
        owned[name] = ids
    for name, (column, parent) in THROUGH_PARENT.items():
        table = all_tables[name]
        key = next(iter(table.primary_key.columns))
        parents = owned[parent]
        rows = await db.exec(select(key).where(table.c[column].in_(parents))) if parents else None
        owned[name] = set(rows.all()) if rows is not None else set()
    return owned


async def all_ids(db) -> dict[str, set]:
    result = {}
    for name, table in tables().items():
        key = next(iter(table.primary_key.columns))
        result[name] = set((await db.exec(select(key))).all())
    return result


async def end_course(db, youth: Youth, ended_on: date) -> None:
    db.add(
        CourseEnd(
            youth_id=youth.id, ended_on=ended_on, outcome=CourseEndOutcome.other, created_at=T0
        )
    )
    youth.status = CourseStatus.ended
    db.add(youth)
    await db.flush()


async def demo_with_three_ended_courses(db) -> tuple[Youth, Youth, Youth]:
    """Three young people: ended 61 months ago, ended 59 months ago, back in a course."""
    assert await load_demo_data(db, now=T0)
    youths = (
        await db.exec(
            select(Youth).where(col(Youth.status) != CourseStatus.ended).order_by(col(Youth.id))
        )
    ).all()
    old, recent, restarted = youths[:3]
    await end_course(db, old, add_months(TODAY, -61))
    await end_course(db, recent, add_months(TODAY, -59))
    await end_course(db, restarted, add_months(TODAY, -80))
    restarted.status = CourseStatus.in_course
    db.add(restarted)
    # Only the course-end rule applies here: the other periods outlast the demo's history.
    for key, value in LONGEST_OTHER_PERIODS.items():
        db.add(AppSetting(key=key, value=value))
    for youth in (old, recent):
        # The young person's own session, and staff opening their data (audited).
        await start_session(db, user=await db.get(User, youth.user_id), now=T0)
        guide = await db.get(User, youth.guide_id)
        await open_youth(db, actor=guide, youth_id=youth.id, action="plan.view", now=T0)
    await db.flush()
    return old, recent, restarted


async def test_only_courses_ended_longer_ago_than_the_period_are_due(db):
    old, recent, _restarted = await demo_with_three_ended_courses(db)
    assert await expired_youth_ids(db, today=TODAY, months=60) == [old.id]
    assert await expired_youth_ids(db, today=TODAY, months=58) == sorted([old.id, recent.id])
    assert await expired_youth_ids(db, today=TODAY, months=62) == []


async def test_the_job_deletes_exactly_the_young_persons_data(db):
    old, recent, restarted = await demo_with_three_ended_courses(db)
    youth_id, user_id = old.id, old.user_id
    owned = await owned_ids(db, youth_id, user_id)
    # The demo gives this person data in many tables: the test means something.
    assert sum(1 for ids in owned.values() if ids) >= 8, owned
    before = await all_ids(db)
    audit_before = (
        await db.exec(
            select(func.count())
            .select_from(AuditRecord)
            .where(col(AuditRecord.youth_id) == youth_id)
        )
    ).one()
    assert audit_before >= 1

    assert await run_retention(db, T0) == 1

    after = await all_ids(db)
    for name in before:
        gone = before[name] - after[name]
        expected = owned.get(name, set())
        assert gone == expected, f"{name}: deleted {sorted(gone)}, expected {sorted(expected)}"
    assert await db.get(Youth, recent.id) is not None
    assert await db.get(Youth, restarted.id) is not None
    assert (
        await db.exec(
            select(func.count())
            .select_from(AuditRecord)
            .where(col(AuditRecord.youth_id) == youth_id)
        )
    ).one() == 0
    assert len(after["audit_record"]) == len(before["audit_record"])
    # The deletion itself is in the admin change log, by number only.
    change = (
        await db.exec(select(AdminChange).where(AdminChange.action == "retention.erase"))
    ).one()
    assert change.actor_id is None and change.target == f"youth:{youth_id}"
    assert json.loads(change.before) == {"youth_id": youth_id}


async def test_running_the_job_again_deletes_nothing_more(db):
    await demo_with_three_ended_courses(db)
    assert await run_retention(db, T0) == 1
    before = await all_ids(db)
    assert await run_retention(db, T0) == 0
    assert await all_ids(db) == before


async def test_the_period_is_the_admins_setting(db):
    old, recent, _ = await demo_with_three_ended_courses(db)
    db.add(AppSetting(key="retention.months_after_course_end", value="58"))
    await db.flush()
    assert await run_retention(db, T0 + timedelta(days=1)) == 2
    assert await db.get(Youth, old.id) is None and await db.get(Youth, recent.id) is None
    staff = (
        await db.exec(select(func.count()).select_from(User).where(User.role != Role.youth))
    ).one()
    assert staff == 5


def test_the_worker_runs_the_retention_job():
    assert any(job.run is run_retention for job in JOBS)
