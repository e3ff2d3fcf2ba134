"""The guide's start page: the whole caseload at a glance, the one who needs them first.

Two statements, one per area of the page: the frame (the own caseload's size and the
colleagues covered now) and the rows, each with all its columns (`caseload_columns`).
So the page costs the same number of queries for 5 young people as for 50 (a test
counts them). Rows are plain values, not ORM objects: the page only reads them. A list:
no audit record; opening one young person writes one (`youth_page`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import bindparam, exists, func, or_, true
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today
from app.models import (
    CheckInAlert,
    CourseStatus,
    Cover,
    PlanStep,
    ReadinessGroup,
    RiskFlag,
    User,
    Youth,
)
from app.models.base import utc_aggregate
from app.security.access import cover_in_force
from app.security.audit import record_search
from app.services.checkins.guide_side import ScoreTrend
from app.services.workspace import caseload_columns

# The practice's caseload: 12-25 young people per guide (DESIGN.md).
CASELOAD_LIMIT = 25


class CaseloadFilters(BaseModel):
    """What the guide narrowed the list to (GET query parameters; empty means all)."""

    q: str | None = Field(default=None, max_length=80)
    group: ReadinessGroup | None = None
    status: CourseStatus | None = None
    flagged: bool = False

    @field_validator("group", "status", mode="before")
    @classmethod
    def _unknown_is_all(cls, value: object) -> object:
        return None if value in ("", None) else value

    @classmethod
    def from_query(cls, params: Any) -> CaseloadFilters:
        """Lenient: a bookmarked or hand-edited link with a bad value shows everything."""
        raw = {
            "q": (params.get("q") or "").strip()[:80] or None,
            "group": params.get("group") or None,
            "status": params.get("status") or None,
            "flagged": params.get("flagged") in ("1", "true", "on"),
        }
        if raw["group"] not in set(ReadinessGroup):
            raw["group"] = None
        if raw["status"] not in set(CourseStatus):
            raw["status"] = None
        return cls.model_validate(raw)

    @property
    def active(self) -> bool:
        return bool(self.q or self.group or self.status or self.flagged)


@dataclass(slots=True)
class CaseloadRow:
    """One young person's row: plain values, read in the page's one statement for rows."""

    youth_id: int
    name: str
    readiness_group: str
    status: str
    guide_id: int | None
    step_title: str | None  # the next step (`caseload_columns.next_step_id`), if any
    step_due_on: date | None
    last_contact: datetime | None
    contact_days: int | None  # calendar days since `last_contact`, in Denmark
    unread: int
    waiting_since: datetime | None
    who5: ScoreTrend | None
    open_alerts: int
    urgent_alerts: int
    oldest_alert: datetime | None
    open_flags: int
    next_appointment: datetime | None
    next_follow_up: datetime | None

    @property
    def needs_attention(self) -> bool:
        return bool(self.open_flags or self.open_alerts)

    def sort_key(self) -> tuple[int, int, float, float, float, str]:
        """Urgent alerts and open risk flags first, then other open alerts, then everyone
        else; within each, the alert that has waited longest, then the longest waiting
        message, then the longest without contact."""
        tier = 0 if self.urgent_alerts or self.open_flags else (1 if self.open_alerts else 2)
        alert = self.oldest_alert.timestamp() if self.oldest_alert else float("inf")
        waiting = self.waiting_since.timestamp() if self.waiting_since else float("inf")
        contact = self.last_contact.timestamp() if self.last_contact else float("-inf")
        return (tier, 0 if self.urgent_alerts else 1, alert, waiting, contact, self.name)


@dataclass(frozen=True, slots=True)
class Colleague:
    """A guide covered right now, for their section's heading."""

    id: int
    name: str


@dataclass(frozen=True)
class Section:
    """The own caseload (`covering_for` None), or the young people of a covered colleague."""

    covering_for: Colleague | None
    cover_ends_at: datetime | None
    rows: list[CaseloadRow]


@dataclass(frozen=True)
class Caseload:
    sections: list[Section]
    own_active: int  # own young people not ended: what the 25-limit counts
    filters: CaseloadFilters
    limit: int = CASELOAD_LIMIT
    shown: int = field(default=0)

    @property
    def over_limit(self) -> bool:
        return self.own_active > self.limit


async def guide_caseload(
    db: AsyncSession, *, actor: User, now: datetime, filters: CaseloadFilters | None = None
) -> Caseload:
    """The guide's young people and those of colleagues they cover, neediest first."""
    assert actor.id is not None
    filters = filters or CaseloadFilters()
    if filters.q and filters.q.strip():
        # A search by name is a use of personal data: audited, with the words.
        await record_search(db, actor=actor, words=filters.q, now=now)
    own_active, covers = await _frame(db, actor.id, now)
    covered = [colleague.id for colleague, _ in covers]
    rows = await _rows(db, actor.id, covered, filters, now)
    sections = [
        Section(None, None, sorted((r for r in rows if r.guide_id == actor.id), key=_SORT)),
        *[
            Section(
                colleague,
                ends_at,
                sorted((r for r in rows if r.guide_id == colleague.id), key=_SORT),
            )
            for colleague, ends_at in covers
        ],
    ]
    return Caseload(sections, own_active, filters, shown=len(rows))


_SORT = CaseloadRow.sort_key


# The guide's start page is a hot path (ARCHITECTURE.md): its statements are built once.
# The frame: how many own young people are active (the 25-limit), and the colleagues
# covered right now with when each cover ends (the latest, if several). The covers are
# those of `access.covered_guide_ids`: they decide whose young people the rows may show.
def _build_frame() -> Any:
    own = (
        sa_select(func.count().label("active"))
        .select_from(Youth)
        .where(
            col(Youth.guide_id) == bindparam("guide_id"),
            col(Youth.status) != CourseStatus.ended,
        )
        .subquery("own")
    )
    covered = (
        sa_select(  # type: ignore[call-overload]
            col(Cover.absent_guide_id).label("guide_id"),
            func.max(col(Cover.ends_at)).label("ends_at"),
        )
        .where(*cover_in_force(bindparam("guide_id"), bindparam("now")))
        .group_by(col(Cover.absent_guide_id))
        .subquery("covered")
    )
    return (
        sa_select(own.c.active, covered.c.guide_id, col(User.name), covered.c.ends_at)  # type: ignore[call-overload]
        .select_from(own)
        .outerjoin(covered, true())
        .outerjoin(User, col(User.id) == covered.c.guide_id)
        .order_by(col(User.name))
    )


_FRAME = _build_frame()

# Every row with all its columns; the young people the guide may reach are
# `access.reachable_youth_filter` with the ids as binds.
_ROWS: Any = (
    sa_select(  # type: ignore[call-overload]
        col(Youth.id).label("youth_id"),
        col(User.name),
        col(Youth.readiness_group),
        col(Youth.status),
        col(Youth.guide_id),
        col(PlanStep.title).label("step_title"),
        col(PlanStep.due_on).label("step_due_on"),
        caseload_columns.last_contact.label("last_contact"),
        caseload_columns.unread.label("unread"),
        caseload_columns.waiting_since.label("waiting_since"),
        caseload_columns.latest_who5.label("who5"),
        caseload_columns.latest_who5_at.label("who5_taken_at"),
        caseload_columns.previous_who5.label("who5_before"),
        caseload_columns.open_alerts.label("open_alerts"),
        caseload_columns.urgent_alerts.label("urgent_alerts"),
        caseload_columns.oldest_alert.label("oldest_alert"),
        caseload_columns.open_flags.label("open_flags"),
        caseload_columns.next_appointment.label("next_appointment"),
        caseload_columns.next_follow_up.label("next_follow_up"),
    )
    .select_from(Youth)
    .join(User, col(User.id) == col(Youth.user_id))
    .outerjoin(PlanStep, col(PlanStep.id) == caseload_columns.next_step_id)
    .where(
        or_(
            col(Youth.guide_id) == bindparam("guide_id"),
            col(Youth.guide_id).in_(bindparam("covered", expanding=True)),
        )
    )
    .order_by(col(User.name))
)


async def _frame(
    db: AsyncSession, guide_id: int, now: datetime
) -> tuple[int, list[tuple[Colleague, datetime]]]:
    result = (await db.exec(_FRAME, params={"guide_id": guide_id, "now": now})).all()
    covers = [
        (Colleague(covered_id, name), utc_aggregate(ends_at))
        for _, covered_id, name, ends_at in result
        if covered_id is not None
    ]
    return int(result[0][0] or 0), covers


async def _rows(
    db: AsyncSession, guide_id: int, covered: list[int], filters: CaseloadFilters, now: datetime
) -> list[CaseloadRow]:
    params = {"guide_id": guide_id, "covered": covered, "now": now}
    result = await db.exec(_filtered(filters) if filters.active else _ROWS, params=params)
    today = copenhagen_today(now)
    return [_row(values, today) for values in result.all()]


def _row(values: Any, today: date) -> CaseloadRow:
    # Unpacked, not read by name: a Row's attribute costs more than the rest of this.
    (youth_id, name, group, status, guide_id, step_title, step_due_on, contact, unread,
     waiting, who5, who5_taken_at, who5_before, alerts, urgent, oldest, flags,
     appointment, follow_up) = values  # fmt: skip
    contact, oldest = _utc(contact), _utc(oldest)
    alerts, urgent = int(alerts or 0), int(urgent or 0)
    trend = None
    if who5 is not None:
        taken_at = utc_aggregate(who5_taken_at)
        trend = ScoreTrend(youth_id, who5, taken_at, who5_before, alerts, urgent, oldest)
    return CaseloadRow(
        youth_id=youth_id,
        name=name,
        readiness_group=group,
        status=status,
        guide_id=guide_id,
        step_title=step_title,
        step_due_on=step_due_on,
        last_contact=contact,
        # Calendar days in Denmark ("i dag", "1 dag siden" is yesterday), not 24-hour spans.
        contact_days=None if contact is None else max(0, (today - copenhagen_today(contact)).days),
        unread=int(unread or 0),
        waiting_since=_utc(waiting),
        who5=trend,
        open_alerts=alerts,
        urgent_alerts=urgent,
        oldest_alert=oldest,
        open_flags=int(flags or 0),
        next_appointment=_utc(appointment),
        next_follow_up=_utc(follow_up),
    )


def _utc(value: Any) -> datetime | None:
    return None if value is None else utc_aggregate(value)


def _filtered(filters: CaseloadFilters) -> Any:
    """The rows narrowed by the filters (built per request: the filters vary)."""
    query = _ROWS
    if filters.q:
        words = [w for w in filters.q.lower().split() if w]
        for word in words:
            query = query.where(func.lower(col(User.name)).contains(word, autoescape=True))
    if filters.group:
        query = query.where(col(Youth.readiness_group) == filters.group)
    if filters.status:
        query = query.where(col(Youth.status) == filters.status)
    if filters.flagged:
        query = query.where(
            or_(
                exists().where(
                    col(RiskFlag.youth_id) == col(Youth.id), col(RiskFlag.handled_at).is_(None)
                ),
                exists().where(
                    col(CheckInAlert.youth_id) == col(Youth.id),
                    col(CheckInAlert.acknowledged_at).is_(None),
                ),
            )
        )
    return query
