"""Data retention: what Trinvis keeps, and for how long (each period a municipal setting).

The worker job `data-retention` applies the rules in this order:
1. a course with no activity for `inactive_course_months` (12) is ended (outcome
   "other", by the system), so a course nobody ends is deleted like the others;
2. a young person whose course ended longer ago than `retention_months` (60) is erased
   everywhere (`erasure.erase_youth`), in a transaction of their own;
3. audit records older than `audit_retention_months` (36) are deleted;
4. admin changes older than `admin_change_retention_months` (36) are deleted;
5. sent (or failed, or cancelled) notifications with their delivery attempts, and
   one-time codes, older than `delivery_retention_days` (30) are deleted. A check-in
   reminder of a young person still in a course stays until the course ends: it is how
   Trinvis remembers it has reminded twice already.

`next_run` counts what the job would delete now, for the admin's page (counts only,
never names). Running the job twice deletes nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, exists, func
from sqlalchemy.sql import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import add_months, at_copenhagen_time, copenhagen_today
from app.models import (
    AdminChange,
    Appointment,
    AuditRecord,
    CheckIn,
    CourseEnd,
    CourseEndOutcome,
    CourseStatus,
    Enrollment,
    FollowUp,
    Message,
    Note,
    Notification,
    NotificationAttempt,
    NotificationStatus,
    OneTimeCode,
    PlanEvent,
    UserSession,
    Youth,
)
from app.services.admin import changes, municipal_settings
from app.services.admin.erasure import erase_youth
from app.services.admin.municipal_settings import MunicipalSettings
from app.services.followups.enrollments import active_enrollment, record_course_end

log = logging.getLogger("trinvis.retention")

DONE = (NotificationStatus.sent, NotificationStatus.failed, NotificationStatus.cancelled)
REMINDER_KIND = "checkin.due"


async def expired_youth_ids(db: AsyncSession, *, today: date, months: int) -> list[int]:
    """Young people whose course ended before `today` minus `months` (and not restarted)."""
    cutoff = add_months(today, -months)
    last_end = (
        select(CourseEnd.youth_id, func.max(CourseEnd.ended_on).label("ended_on"))
        .group_by(col(CourseEnd.youth_id))
        .subquery()
    )
    rows = await db.exec(
        select(Youth.id)
        .join(last_end, last_end.c.youth_id == col(Youth.id))
        .where(col(Youth.status) == CourseStatus.ended, last_end.c.ended_on < cutoff)
        .order_by(col(Youth.id))
    )
    return [youth_id for youth_id in rows.all() if youth_id is not None]


def _active_since(since: datetime) -> list[ColumnElement[bool]]:
    """Something happened in the young person's course at or after `since`."""
    youth_id = col(Youth.id)
    return [
        exists().where(col(Message.youth_id) == youth_id, col(Message.sent_at) >= since),
        exists().where(col(CheckIn.youth_id) == youth_id, col(CheckIn.taken_at) >= since),
        exists().where(col(PlanEvent.youth_id) == youth_id, col(PlanEvent.at) >= since),
        exists().where(col(Note.youth_id) == youth_id, col(Note.created_at) >= since),
        exists().where(col(Appointment.youth_id) == youth_id, col(Appointment.starts_at) >= since),
        exists().where(col(FollowUp.youth_id) == youth_id, col(FollowUp.due_at) >= since),
        exists().where(col(Enrollment.youth_id) == youth_id, col(Enrollment.created_at) >= since),
        exists().where(
            col(UserSession.user_id) == col(Youth.user_id), col(UserSession.last_seen_at) >= since
        ),
    ]


async def inactive_youth_ids(db: AsyncSession, *, now: datetime, months: int) -> list[int]:
    """Young people whose course has not ended but has had no activity for `months`."""
    today = copenhagen_today(now)
    cutoff_day = add_months(today, -months)
    since = at_copenhagen_time(cutoff_day)
    quiet = [~condition for condition in _active_since(since)]
    rows = await db.exec(
        select(Youth.id)
        .where(
            col(Youth.status) != CourseStatus.ended,
            col(Youth.created_at) < since,
            col(Youth.course_started_on) < cutoff_day,
            *quiet,
        )
        .order_by(col(Youth.id))
    )
    return [youth_id for youth_id in rows.all() if youth_id is not None]


async def end_inactive_course(db: AsyncSession, *, youth_id: int, now: datetime) -> bool:
    """End one course nobody ended (outcome "other", by the system); False if it ended."""
    youth = (
        await db.exec(select(Youth).where(col(Youth.id) == youth_id).with_for_update())
    ).first()
    if youth is None or youth.status == CourseStatus.ended:
        return False
    await record_course_end(
        db,
        youth=youth,
        enrollment=await active_enrollment(db, youth_id=youth_id),
        ended_on=copenhagen_today(now),
        outcome=CourseEndOutcome.other,
        actor=None,
        now=now,
    )
    await changes.record(
        db,
        actor=None,
        action="retention.end_course",
        target=f"youth:{youth_id}",
        after={"reason": "inactive"},
        now=now,
    )
    return True


@dataclass(frozen=True)
class Cutoffs:
    """The instants before which each kind of row is deleted."""

    audit: datetime
    admin_changes: datetime
    deliveries: datetime

    @classmethod
    def of(cls, rules: MunicipalSettings, now: datetime) -> Cutoffs:
        today = copenhagen_today(now)
        return cls(
            audit=at_copenhagen_time(add_months(today, -rules.audit_retention_months)),
            admin_changes=at_copenhagen_time(
                add_months(today, -rules.admin_change_retention_months)
            ),
            deliveries=now - timedelta(days=rules.delivery_retention_days),
        )


def _old_audit(c: Cutoffs) -> ColumnElement[bool]:
    return col(AuditRecord.at) < c.audit


def _old_changes(c: Cutoffs) -> ColumnElement[bool]:
    return col(AdminChange.at) < c.admin_changes


def _old_notifications(c: Cutoffs) -> ColumnElement[bool]:
    kept_reminder = (col(Notification.kind) == REMINDER_KIND) & exists().where(
        col(Youth.user_id) == col(Notification.user_id),
        col(Youth.status) != CourseStatus.ended,
    )
    # Counted from when it was last handled (sent, or last due), not when it was queued:
    # a notification queued long ago and sent just now is kept for the whole period.
    last_handled = func.coalesce(
        col(Notification.sent_at), col(Notification.not_before), col(Notification.created_at)
    )
    return (last_handled < c.deliveries) & col(Notification.status).in_(DONE) & ~kept_reminder


def _old_codes(c: Cutoffs) -> ColumnElement[bool]:
    return col(OneTimeCode.created_at) < c.deliveries


async def delete_old_rows(db: AsyncSession, *, cutoffs: Cutoffs) -> dict[str, int]:
    """Rules 3-5: the audit log, admin changes, notifications and codes past their period."""
    old_notifications = select(Notification.id).where(_old_notifications(cutoffs))
    deleted = {
        "delivery_attempts": await _delete(
            db,
            NotificationAttempt,
            col(NotificationAttempt.notification_id).in_(old_notifications),
        ),
        "notifications": await _delete(db, Notification, _old_notifications(cutoffs)),
        "one_time_codes": await _delete(db, OneTimeCode, _old_codes(cutoffs)),
        "audit_records": await _delete(db, AuditRecord, _old_audit(cutoffs)),
        "admin_changes": await _delete(db, AdminChange, _old_changes(cutoffs)),
    }
    return deleted


async def _delete(db: AsyncSession, model: type, where: ColumnElement[bool]) -> int:
    result = await db.exec(delete(model).where(where))  # type: ignore[call-overload]
    return int(result.rowcount or 0)


async def _count(db: AsyncSession, model: type, where: ColumnElement[bool]) -> int:
    return int((await db.exec(select(func.count()).select_from(model).where(where))).one())


@dataclass(frozen=True)
class NextRun:
    """What the next run of the job would do now, in numbers (never names)."""

    courses_to_end: int
    young_people: int
    audit_records: int
    admin_changes: int
    notifications: int
    one_time_codes: int
    rules: MunicipalSettings


async def next_run(db: AsyncSession, *, now: datetime) -> NextRun:
    """Counts of what `run_retention` would delete if it ran at `now`."""
    rules = await municipal_settings.current(db)
    cutoffs = Cutoffs.of(rules, now)
    today = copenhagen_today(now)
    return NextRun(
        courses_to_end=len(
            await inactive_youth_ids(db, now=now, months=rules.inactive_course_months)
        ),
        young_people=len(await expired_youth_ids(db, today=today, months=rules.retention_months)),
        audit_records=await _count(db, AuditRecord, _old_audit(cutoffs)),
        admin_changes=await _count(db, AdminChange, _old_changes(cutoffs)),
        notifications=await _count(db, Notification, _old_notifications(cutoffs)),
        one_time_codes=await _count(db, OneTimeCode, _old_codes(cutoffs)),
        rules=rules,
    )


async def run_retention(db: AsyncSession, now: datetime) -> int:
    """The worker job: apply every rule; the number of young people erased.

    One transaction per course ended and per young person erased, so a failure leaves
    the others done and the next run picks up where this one stopped.
    """
    rules = await municipal_settings.current(db)
    for youth_id in await inactive_youth_ids(db, now=now, months=rules.inactive_course_months):
        await end_inactive_course(db, youth_id=youth_id, now=now)
        await db.commit()
    erased = 0
    today = copenhagen_today(now)
    for youth_id in await expired_youth_ids(db, today=today, months=rules.retention_months):
        erased += await erase_youth(db, youth_id=youth_id, now=now)
        await db.commit()
    deleted = await delete_old_rows(db, cutoffs=Cutoffs.of(rules, now))
    await db.commit()
    if any(deleted.values()):
        log.info("old rows deleted", extra={"event": "retention_rows", **deleted})
    return erased
