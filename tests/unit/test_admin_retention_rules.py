"""The retention rules beside the course end: a course nobody ends, the audit log, admin
changes, notifications and sign-in codes, each deleted after its own period (a municipal
setting), all by the same worker job, on the app's clock."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlmodel import col, func, select

from app.clock import add_months, at_copenhagen_time, copenhagen_today
from app.models import (
    AdminChange,
    AppSetting,
    AuditRecord,
    CourseEnd,
    CourseEndOutcome,
    CourseStatus,
    Message,
    Notification,
    NotificationAttempt,
    NotificationStatus,
    OneTimeCode,
    Role,
    Youth,
)
from app.services.admin.retention import next_run, run_retention
from tests.factories.people import make_user, make_youth

pytestmark = pytest.mark.time_dependent


async def _count(db, model, *where) -> int:
    return (await db.exec(select(func.count()).select_from(model).where(*where))).one()


def _months_later(now, months: int):
    return at_copenhagen_time(add_months(copenhagen_today(now), months), time(12))


async def _old_youth(db, guide, now, *, months: int) -> Youth:
    """A young person whose course began `months` ago and who was created then."""
    began = add_months(copenhagen_today(now), -months)
    return await make_youth(
        db, guide=guide, course_started_on=began, created_at=now - timedelta(days=31 * months)
    )


async def test_a_course_without_activity_is_ended_and_then_deleted_like_other_ended_courses(
    db, frozen_clock
):
    now = frozen_clock.now
    guide = await make_user(db)
    silent = await _old_youth(db, guide, now, months=14)
    talking = await _old_youth(db, guide, now, months=14)
    db.add(
        Message(
            youth_id=talking.id,
            sender_id=guide.id,
            body="Hej, hvordan går det?",
            client_key="k-retention-message-1",
            sent_at=now - timedelta(days=40),
        )
    )
    await db.flush()
    assert (await next_run(db, now=now)).courses_to_end == 1

    assert await run_retention(db, now) == 0
    await db.refresh(silent)
    await db.refresh(talking)
    assert silent.status == CourseStatus.ended and talking.status == CourseStatus.in_course
    end = (await db.exec(select(CourseEnd).where(CourseEnd.youth_id == silent.id))).one()
    assert end.outcome == CourseEndOutcome.other and end.recorded_by_id is None
    assert end.ended_on == copenhagen_today(now)
    change = (
        await db.exec(select(AdminChange).where(AdminChange.action == "retention.end_course"))
    ).one()
    assert change.target == f"youth:{silent.id}" and change.actor_id is None

    # Deleted like any ended course: after the retention period (60 months by default).
    assert await run_retention(db, _months_later(now, 59)) == 0
    assert await db.get(Youth, silent.id) is not None
    assert await run_retention(db, _months_later(now, 61)) >= 1
    db.expunge_all()
    assert await db.get(Youth, silent.id) is None


async def test_the_inactivity_period_is_the_admins_setting(db, frozen_clock):
    now = frozen_clock.now
    guide = await make_user(db)
    youth = await _old_youth(db, guide, now, months=7)
    assert (await next_run(db, now=now)).courses_to_end == 0
    db.add(AppSetting(key="retention.inactive_course_months", value="6"))
    await db.flush()
    assert (await next_run(db, now=now)).courses_to_end == 1
    await run_retention(db, now)
    await db.refresh(youth)
    assert youth.status == CourseStatus.ended


async def test_audit_records_and_admin_changes_are_deleted_after_their_own_period(db, frozen_clock):
    now = frozen_clock.now
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    ages = {"old": now - timedelta(days=31 * 37), "kept": now - timedelta(days=31 * 35)}
    for label, at in ages.items():
        db.add(AuditRecord(at=at, actor_id=guide.id, youth_id=youth.id, action=f"plan.{label}"))
        db.add(AdminChange(at=at, actor_id=None, action=f"test.{label}", target="team:1"))
    await db.flush()
    preview = await next_run(db, now=now)
    assert (preview.audit_records, preview.admin_changes) == (1, 1)

    await run_retention(db, now)
    actions = (await db.exec(select(AuditRecord.action))).all()
    assert actions == ["plan.kept"]
    assert (await db.exec(select(AdminChange.action))).all() == ["test.kept"]

    # Each log has its own period.
    db.add(AppSetting(key="retention.admin_change_months", value="12"))
    await db.flush()
    await run_retention(db, now)
    assert await _count(db, AdminChange, col(AdminChange.action).like("test.%")) == 0
    assert (await db.exec(select(AuditRecord.action))).all() == ["plan.kept"]


async def test_sent_notifications_and_sign_in_codes_go_after_the_short_period(db, frozen_clock):
    now = frozen_clock.now
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    ended = await make_youth(db, guide=guide, status=CourseStatus.ended)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)

    def notification(key: str, user_id: int, at, status=NotificationStatus.sent, kind="x"):
        row = Notification(
            user_id=user_id,
            kind=kind,
            dedupe_key=key,
            status=status,
            created_at=at,
            not_before=at,
        )
        db.add(row)
        return row

    sent = notification("old-sent", guide.id, old)
    notification("old-pending", guide.id, old, NotificationStatus.pending)
    notification("recent-sent", guide.id, recent)
    # A reminder of a young person still in a course is how "at most twice" is kept.
    notification("reminder-running", youth.user_id, old, kind="checkin.due")
    notification("reminder-ended", ended.user_id, old, kind="checkin.due")
    await db.flush()
    db.add(NotificationAttempt(notification_id=sent.id, number=1, channel="sms", started_at=old))
    for key, at in (("old", old), ("recent", recent)):
        db.add(
            OneTimeCode(
                user_id=youth.user_id,
                purpose="sign_in",
                channel="sms",
                code_hash=f"hash-{key}",
                created_at=at,
                expires_at=at + timedelta(minutes=10),
            )
        )
    await db.flush()
    preview = await next_run(db, now=now)
    assert (preview.notifications, preview.one_time_codes) == (2, 1)

    await run_retention(db, now)
    keys = set((await db.exec(select(Notification.dedupe_key))).all())
    assert keys == {"old-pending", "recent-sent", "reminder-running"}
    assert await _count(db, NotificationAttempt) == 0
    assert (await db.exec(select(OneTimeCode.code_hash))).all() == ["hash-recent"]


async def test_nothing_is_due_in_a_fresh_municipality(db, frozen_clock):
    await make_user(db, Role.admin)
    preview = await next_run(db, now=frozen_clock.now)
    assert preview.courses_to_end == preview.young_people == preview.audit_records == 0
