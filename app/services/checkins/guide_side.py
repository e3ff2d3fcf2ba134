"""The guide's side of check-ins: trends, alerts to acknowledge, cadence, caseload scores.

Opening one young person's check-ins is audited; the overview of the caseload is a list
and writes no audit record (as the caseload page). Unacknowledged alerts come first.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import and_, bindparam, case, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.i18n import N_
from app.models import AlertKind, CheckIn, CheckInAlert, CheckInAnswer, User, Youth
from app.models.base import utc_aggregate
from app.security.access import covered_guide_ids, reachable_youth_filter, youth_scope
from app.security.audit import open_youth
from app.services.checkins.answering import (
    InstrumentVersion,
    current_instrument,
    instrument_versions,
)
from app.services.checkins.history import Section, sections_for
from app.services.checkins.instruments import PRIMARY, Definition


class AcknowledgeForm(BaseModel):
    note: str = Field(max_length=500)

    @field_validator("note", mode="before")
    @classmethod
    def _written(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and len(value.strip()) < 2):
            raise ValueError(N_("Please write a short note about what you did."))
        return value


class CadenceForm(BaseModel):
    # From weekly to quarterly: WHO-5 asks about the last two weeks.
    cadence_days: int = Field(ge=14, le=92)


@dataclass
class GuideView:
    youth: Youth
    person: User
    sections: list[Section]
    alerts: list[CheckInAlert]  # open first, newest first
    answers: dict[int, dict[str, int]]  # check-in id -> item key -> value
    definitions: dict[int, Definition]  # instrument id -> the version answered
    checkins: dict[int, CheckIn] = field(default_factory=dict)

    @property
    def open_alerts(self) -> list[CheckInAlert]:
        return [a for a in self.alerts if a.acknowledged_at is None]


async def guide_view(db: AsyncSession, *, actor: User, youth_id: int, now: datetime) -> GuideView:
    """One young person's check-ins, trends and alerts, for their guide (audited)."""
    await open_youth(db, actor=actor, youth_id=youth_id, action="checkins.view", now=now)
    youth = await db.get(Youth, youth_id)
    assert youth is not None
    person = await db.get(User, youth.user_id)
    assert person is not None
    checkins = list(
        (
            await db.exec(
                select(CheckIn)
                .where(CheckIn.youth_id == youth_id)
                .order_by(col(CheckIn.taken_at), col(CheckIn.id))
            )
        ).all()
    )
    return GuideView(
        youth=youth,
        person=person,
        sections=await sections_for(db, youth=youth, checkins=checkins, threshold_lines=True),
        alerts=await _alerts(db, youth_id),
        answers=await _answers(db, [c.id for c in checkins if c.id is not None]),
        definitions=await instrument_versions(db, {c.instrument_id for c in checkins}),
        checkins={c.id: c for c in checkins if c.id is not None},
    )


async def _alerts(db: AsyncSession, youth_id: int) -> list[CheckInAlert]:
    """Open alerts first, *Akut* before the rest, each by how long it has waited; then the
    acknowledged ones, newest first."""
    rows = await db.exec(
        select(CheckInAlert)
        .where(CheckInAlert.youth_id == youth_id)
        .order_by(col(CheckInAlert.created_at), col(CheckInAlert.id))
    )
    alerts = list(rows.all())
    still_open = [a for a in alerts if a.acknowledged_at is None]
    still_open.sort(key=lambda a: a.kind != AlertKind.urgent)  # stable: oldest first within
    acknowledged = [a for a in reversed(alerts) if a.acknowledged_at is not None]
    return still_open + acknowledged


async def _answers(db: AsyncSession, checkin_ids: list[int]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    if not checkin_ids:
        return found
    rows = await db.exec(
        select(CheckInAnswer).where(col(CheckInAnswer.checkin_id).in_(checkin_ids))
    )
    for answer in rows.all():
        found.setdefault(answer.checkin_id, {})[answer.item_key] = answer.value
    return found


async def together_form(
    db: AsyncSession, *, actor: User, youth_id: int, code: str, now: datetime
) -> tuple[User, InstrumentVersion]:
    """Open a check-in to fill in together at a meeting (audited: it names the young person)."""
    await open_youth(db, actor=actor, youth_id=youth_id, action="checkins.together", now=now)
    youth = await db.get(Youth, youth_id)
    assert youth is not None
    person = await db.get(User, youth.user_id)
    assert person is not None
    return person, await current_instrument(db, code)


async def alert_of(
    db: AsyncSession, *, actor: User, youth_id: int, alert_id: int, now: datetime
) -> CheckInAlert:
    """The alert, when it is this young person's and the guide may reach them."""
    await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    alert = await db.get(CheckInAlert, alert_id)
    if alert is None or alert.youth_id != youth_id:
        raise NotFound()
    return alert


async def acknowledge(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int,
    alert_id: int,
    form: AcknowledgeForm,
    now: datetime,
) -> CheckInAlert:
    """The guide has seen the alert and notes what they did; acknowledging twice keeps the first."""
    await open_youth(db, actor=actor, youth_id=youth_id, action="checkins.acknowledge", now=now)
    alert = await alert_of(db, actor=actor, youth_id=youth_id, alert_id=alert_id, now=now)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by_id = actor.id
        alert.note = form.note
        db.add(alert)
        await db.flush()
    return alert


async def set_cadence(
    db: AsyncSession, *, actor: User, youth_id: int, form: CadenceForm, now: datetime
) -> Youth:
    await open_youth(db, actor=actor, youth_id=youth_id, action="checkins.cadence", now=now)
    youth = await db.get(Youth, youth_id)
    assert youth is not None
    youth.checkin_cadence_days = form.cadence_days
    db.add(youth)
    await db.flush()
    return youth


@dataclass(frozen=True)
class ScoreTrend:
    """The latest score, the one before, and the alerts still open, for a caseload row."""

    youth_id: int
    latest: int
    taken_at: datetime
    previous: int | None
    open_alerts: int
    urgent_alerts: int = 0
    # When the oldest open alert was raised: who has waited longest comes first.
    oldest_open_alert: datetime | None = None

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.latest - self.previous

    @property
    def arrow(self) -> str:
        """up, down or flat: a change under 10 points is not meaningful on WHO-5."""
        if self.change is None or abs(self.change) < 10:
            return "flat"
        return "up" if self.change > 0 else "down"


def _build_latest_scores() -> Any:
    rank = (
        func.row_number()
        .over(
            partition_by=col(CheckIn.youth_id),
            order_by=(col(CheckIn.taken_at).desc(), col(CheckIn.id).desc()),
        )
        .label("rank")
    )
    ranked = (
        select(CheckIn.youth_id, CheckIn.score, CheckIn.taken_at, rank)
        .where(
            col(CheckIn.youth_id).in_(bindparam("youth_ids", expanding=True)),
            col(CheckIn.instrument_code) == bindparam("code"),
        )
        .subquery()
    )
    still_open = and_(
        col(CheckInAlert.youth_id) == ranked.c.youth_id,
        col(CheckInAlert.acknowledged_at).is_(None),
    )
    urgent = case((col(CheckInAlert.kind) == AlertKind.urgent, 1), else_=0)
    alerts = (
        select(func.count(col(CheckInAlert.id))).where(still_open).scalar_subquery(),
        select(func.coalesce(func.sum(urgent), 0)).where(still_open).scalar_subquery(),
        select(func.min(col(CheckInAlert.created_at))).where(still_open).scalar_subquery(),
    )
    return (
        sa_select(ranked.c.youth_id, ranked.c.score, ranked.c.taken_at, ranked.c.rank, *alerts)  # type: ignore[call-overload]
        .where(ranked.c.rank <= 2)
        .order_by(ranked.c.youth_id, ranked.c.rank)
    )


# The caseload page and the call list read this (hot path): built once.
_LATEST_SCORES = _build_latest_scores()


async def latest_scores(
    db: AsyncSession, *, youth_ids: list[int], code: str = PRIMARY
) -> dict[int, ScoreTrend]:
    """Latest and previous score per young person, in ONE query, for the caseload page.

    The ids come from a query already scoped to the guide's caseload.
    """
    if not youth_ids:
        return {}
    rows = await db.exec(_LATEST_SCORES, params={"youth_ids": youth_ids, "code": code})
    trends: dict[int, ScoreTrend] = {}
    for youth_id, score, taken_at, position, count, urgent_count, oldest in rows.all():
        if position == 1:
            trends[youth_id] = ScoreTrend(
                youth_id,
                score,
                taken_at,
                None,
                int(count),
                int(urgent_count),
                utc_aggregate(oldest) if oldest else None,
            )
        elif youth_id in trends:
            trends[youth_id] = replace(trends[youth_id], previous=score)
    return trends


@dataclass(frozen=True)
class OverviewRow:
    youth: Youth
    person: User
    trend: ScoreTrend | None

    @property
    def open_alerts(self) -> int:
        return self.trend.open_alerts if self.trend else 0

    def sort_key(self) -> tuple[int, float, str]:
        """*Akut* first, then other open alerts, each by how long they have waited."""
        trend = self.trend
        if trend is None or not trend.open_alerts:
            return (2, 0.0, self.person.name)
        waited = trend.oldest_open_alert.timestamp() if trend.oldest_open_alert else 0.0
        return (0 if trend.urgent_alerts else 1, waited, self.person.name)


async def caseload_overview(db: AsyncSession, *, actor: User, now: datetime) -> list[OverviewRow]:
    """The guide's young people with their latest WHO-5; open alerts first. No audit: a list."""
    assert actor.id is not None
    covered = await covered_guide_ids(db, guide_id=actor.id, now=now)
    people = (
        await db.exec(
            select(Youth, User)
            .join(User, col(User.id) == col(Youth.user_id))
            .where(reachable_youth_filter(actor.id, covered))
        )
    ).all()
    trends = await latest_scores(db, youth_ids=[y.id for y, _ in people if y.id is not None])
    rows = [OverviewRow(y, u, trends.get(y.id or 0)) for y, u in people]
    return sorted(rows, key=OverviewRow.sort_key)
