"""The guide's start page: the whole caseload at a glance, the one who needs them first.

Each column family is ONE set-based query grouped by young person, so the page costs
the same number of queries for 5 young people as for 50 (a test counts them). A list:
no audit record; opening one young person writes one (`youth_page`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import bindparam, exists, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today
from app.models import (
    CheckInAlert,
    CourseStatus,
    Cover,
    ReadinessGroup,
    RiskFlag,
    User,
    Youth,
)
from app.models.base import utc_aggregate
from app.security.access import covered_guide_ids
from app.security.audit import record_search
from app.services.checkins.guide_side import ScoreTrend, latest_scores
from app.services.workspace import caseload_columns
from app.services.workspace.caseload_columns import NextStep

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


@dataclass
class CaseloadRow:
    youth: Youth
    person: User
    covered: bool
    next_step: NextStep | None = None
    last_contact: datetime | None = None
    unread: int = 0
    waiting_since: datetime | None = None
    who5: ScoreTrend | None = None
    open_alerts: int = 0
    urgent_alerts: int = 0
    oldest_alert: datetime | None = None
    open_flags: int = 0
    next_appointment: datetime | None = None
    next_follow_up: datetime | None = None

    def days_since_contact(self, now: datetime) -> int | None:
        """Calendar days in Denmark ("i dag", "1 dag siden" is yesterday), not 24-hour spans."""
        if self.last_contact is None:
            return None
        return max(0, (copenhagen_today(now) - copenhagen_today(self.last_contact)).days)

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
        return (tier, 0 if self.urgent_alerts else 1, alert, waiting, contact, self.person.name)


@dataclass(frozen=True)
class Section:
    """The own caseload (`covering_for` None), or the young people of a covered colleague."""

    covering_for: User | None
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
    covered = await covered_guide_ids(db, guide_id=actor.id, now=now)
    people = await _people(db, actor.id, covered, filters, now)
    ids = [youth.id for youth, _ in people if youth.id is not None]
    rows = {
        youth.id: CaseloadRow(youth=youth, person=person, covered=youth.guide_id != actor.id)
        for youth, person in people
        if youth.id is not None
    }
    if ids:
        await _fill(db, rows, ids, now)
    own_active = await _own_active(db, actor.id)
    covers = await _covers(db, actor.id, covered, now)
    sections = [
        Section(
            None,
            None,
            sorted((r for r in rows.values() if not r.covered), key=CaseloadRow.sort_key),
        ),
        *[
            Section(
                guide,
                ends_at,
                sorted(
                    (r for r in rows.values() if r.youth.guide_id == guide.id),
                    key=CaseloadRow.sort_key,
                ),
            )
            for guide, ends_at in covers
        ],
    ]
    return Caseload(sections, own_active, filters, shown=len(rows))


# The guide's start page is a hot path (ARCHITECTURE.md): its statements are built once.
# The young people the guide may reach: `reachable_youth_filter` with the ids as binds.
_REACHABLE = (
    select(Youth, User)
    .join(User, col(User.id) == col(Youth.user_id))
    .where(
        or_(
            col(Youth.guide_id) == bindparam("guide_id"),
            col(Youth.guide_id).in_(bindparam("covered", expanding=True)),
        )
    )
    .order_by(col(User.name))
)
_OWN_ACTIVE = (
    select(func.count())
    .select_from(Youth)
    .where(col(Youth.guide_id) == bindparam("guide_id"), col(Youth.status) != CourseStatus.ended)
)


async def _people(
    db: AsyncSession, guide_id: int, covered: list[int], filters: CaseloadFilters, now: datetime
) -> list[tuple[Youth, User]]:
    query = _REACHABLE
    if filters.q:
        words = [w for w in filters.q.lower().split() if w]
        for word in words:
            query = query.where(func.lower(col(User.name)).contains(word, autoescape=True))
    if filters.group:
        query = query.where(Youth.readiness_group == filters.group)
    if filters.status:
        query = query.where(Youth.status == filters.status)
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
    params = {"guide_id": guide_id, "covered": covered}
    return list((await db.exec(query, params=params)).all())


async def _fill(
    db: AsyncSession, rows: dict[int, CaseloadRow], ids: list[int], now: datetime
) -> None:
    """One query per column family, each grouped by young person."""
    for youth_id, step in (await caseload_columns.next_steps(db, ids)).items():
        rows[youth_id].next_step = step
    for youth_id, at in (await caseload_columns.last_contacts(db, ids, now)).items():
        rows[youth_id].last_contact = at
    for youth_id, unread, waiting in await caseload_columns.conversations(db, ids):
        rows[youth_id].unread = int(unread or 0)
        rows[youth_id].waiting_since = waiting
    for youth_id, trend in (await latest_scores(db, youth_ids=ids)).items():
        rows[youth_id].who5 = trend
    for youth_id, total, urgent, oldest in await caseload_columns.open_alerts(db, ids):
        rows[youth_id].open_alerts = int(total or 0)
        rows[youth_id].urgent_alerts = int(urgent or 0)
        rows[youth_id].oldest_alert = utc_aggregate(oldest)
    for youth_id, flags in await caseload_columns.open_flags(db, ids):
        rows[youth_id].open_flags = int(flags or 0)
    for youth_id, at in await caseload_columns.next_appointments(db, ids, now):
        rows[youth_id].next_appointment = at
    for youth_id, at in await caseload_columns.next_follow_ups(db, ids):
        rows[youth_id].next_follow_up = at


async def _own_active(db: AsyncSession, guide_id: int) -> int:
    value = (await db.exec(_OWN_ACTIVE, params={"guide_id": guide_id})).one()
    return int(value or 0)


async def _covers(
    db: AsyncSession, guide_id: int, covered: list[int], now: datetime
) -> list[tuple[User, datetime]]:
    """The colleagues covered right now, with when the cover ends (the latest, if several)."""
    if not covered:
        return []
    result = await db.exec(
        select(User, func.max(col(Cover.ends_at)))
        .join(Cover, col(Cover.absent_guide_id) == col(User.id))
        .where(
            Cover.covering_guide_id == guide_id,
            col(Cover.starts_at) <= now,
            col(Cover.ends_at) > now,
        )
        .group_by(col(User.id))
        .order_by(col(User.name))
    )
    return [(user, utc_aggregate(ends)) for user, ends in result.all()]
