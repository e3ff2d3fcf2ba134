"""A young person's check-ins per instrument: the curve, the latest, when the next is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import CheckIn, User, Youth
from app.services.checkins.answering import InstrumentVersion, own_youth
from app.services.checkins.charts import COMPACT, Chart, trend_chart
from app.services.checkins.reminders import Due, schedule


@dataclass
class Section:
    """One instrument's history for one young person, oldest first."""

    instrument: InstrumentVersion
    history: list[CheckIn]
    chart: Chart
    due: Due

    @property
    def latest(self) -> CheckIn | None:
        return self.history[-1] if self.history else None

    def change_of(self, index: int) -> int | None:
        """Points since the check-in before the one at `index`."""
        if index == 0:
            return None
        return self.history[index].score - self.history[index - 1].score


async def sections_for(
    db: AsyncSession, *, youth: Youth, checkins: list[CheckIn], threshold_lines: bool
) -> list[Section]:
    """Staff see the thresholds on the curve; the young person sees just their curve."""
    sections = []
    for due in await schedule(db, youth=youth):  # the current instruments, WHO-5 first
        instrument = due.instrument
        history = [c for c in checkins if c.instrument_code == instrument.code]
        points = [(c.taken_at, c.score) for c in history]
        if threshold_lines:
            chart = trend_chart(points, rules=instrument.definition.chart_lines)
        else:
            chart = trend_chart(points, size=COMPACT)
        sections.append(Section(instrument, history, chart, due))
    return sections


@dataclass
class YouthOverview:
    youth: Youth
    sections: list[Section]


# The young person's check-ins page reads this on every view: built once (see app/db.py).
_OWN_CHECKINS = (
    select(CheckIn)
    .where(col(CheckIn.youth_id) == bindparam("youth_id"))
    .order_by(col(CheckIn.taken_at), col(CheckIn.id))
)


async def youth_overview(db: AsyncSession, *, actor: User, now: datetime) -> YouthOverview:
    """The young person's own check-ins: what is due, and their curve over time."""
    youth = await own_youth(db, actor=actor)
    checkins = (await db.exec(_OWN_CHECKINS, params={"youth_id": youth.id})).all()
    return YouthOverview(
        youth, await sections_for(db, youth=youth, checkins=list(checkins), threshold_lines=False)
    )
