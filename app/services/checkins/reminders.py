"""When a check-in is due, and the reminders for it (at most two per check-in).

WHO-5 is due by the young person's own cadence (monthly by default, set by the guide);
other instruments by their own (the readiness self-assessment quarterly). The first is
due at once. A due check-in shows on the young person's home screen, and the worker
job `send_due_reminders` queues a reminder through the outbox, then one more after
`SECOND_REMINDER_AFTER` if it is still not answered. The dedupe key names the check-in
the reminder is for (the previous answer's time), so changing the cadence or running
any number of workers never sends a third.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import bindparam, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import at_copenhagen_time, in_copenhagen
from app.models import CheckIn, CourseStatus, Instrument, Notification, User, Youth
from app.notifications.outbox import enqueue
from app.services.checkins.answering import (
    InstrumentVersion,
    current_instruments,
    in_order,
    own_youth,
)
from app.services.checkins.instruments import parse

SECOND_REMINDER_AFTER = timedelta(days=3)
# Reminders wait for the daytime (Europe/Copenhagen): nobody wants a ping at 3 at night.
DAY_STARTS, DAY_ENDS = time(9, 0), time(20, 0)


@dataclass(frozen=True)
class Due:
    instrument: InstrumentVersion
    due_at: datetime
    last_taken_at: datetime | None

    def is_due(self, now: datetime) -> bool:
        return self.due_at <= now

    @property
    def reminder_key(self) -> str:
        """Names this check-in: the young person, the instrument and the previous answer."""
        after = int(self.last_taken_at.timestamp()) if self.last_taken_at else "first"
        return f"{self.instrument.code}:{after}"


def due_at(
    instrument: InstrumentVersion, *, youth: Youth, last_taken_at: datetime | None
) -> datetime:
    if last_taken_at is None:
        return youth.created_at
    days = instrument.definition.due_after_days(youth.checkin_cadence_days)
    return last_taken_at + timedelta(days=days)


async def _last_taken(db: AsyncSession, youth_ids: list[int]) -> dict[tuple[int, str], datetime]:
    rows = await db.exec(
        select(CheckIn.youth_id, CheckIn.instrument_code, func.max(CheckIn.taken_at))
        .where(col(CheckIn.youth_id).in_(youth_ids))
        .group_by(col(CheckIn.youth_id), col(CheckIn.instrument_code))
    )
    # max() keeps the column's type, so the times come back aware (UTC) on SQLite too.
    return {(y, code): at for y, code, at in rows.all() if at is not None}


# The young person's home and check-ins pages read this (hot path, built once): the
# current instruments, each with when this young person last answered it.
_CURRENT_WITH_LAST_TAKEN = select(
    Instrument,
    select(func.max(CheckIn.taken_at))
    .where(
        col(CheckIn.youth_id) == bindparam("youth_id"),
        col(CheckIn.instrument_code) == col(Instrument.code),
    )
    .correlate(Instrument)
    .scalar_subquery(),
).where(col(Instrument.is_current))


async def schedule(db: AsyncSession, *, youth: Youth) -> list[Due]:
    """Every instrument with its next due time for this young person, WHO-5 first."""
    assert youth.id is not None
    rows = (await db.exec(_CURRENT_WITH_LAST_TAKEN, params={"youth_id": youth.id})).all()
    taken = {row.id: last for row, last in rows}
    return [
        Due(i, due_at(i, youth=youth, last_taken_at=taken[i.row.id]), taken[i.row.id])
        for i in in_order(InstrumentVersion(row, parse(row.definition)) for row, _last in rows)
    ]


async def due_now(db: AsyncSession, *, actor: User, now: datetime) -> list[Due]:
    """The young person's check-ins that are due now: for the card on the home screen."""
    return await due_for(db, youth=await own_youth(db, actor=actor), now=now)


async def due_for(db: AsyncSession, *, youth: Youth, now: datetime) -> list[Due]:
    """`due_now` for a young person already read."""
    if youth.status == CourseStatus.ended:
        return []
    return [due for due in await schedule(db, youth=youth) if due.is_due(now)]


def _daytime(now: datetime) -> datetime:
    local = in_copenhagen(now)
    if DAY_STARTS <= local.time() < DAY_ENDS:
        return now
    day = local.date() if local.time() < DAY_STARTS else local.date() + timedelta(days=1)
    return at_copenhagen_time(day, time(10, 0))


async def send_due_reminders(db: AsyncSession, now: datetime) -> int:
    """The worker job: queue the first or second reminder of every due check-in."""
    youths = (await db.exec(select(Youth).where(Youth.status != CourseStatus.ended))).all()
    ids = [y.id for y in youths if y.id is not None]
    if not ids:
        return 0
    instruments = await current_instruments(db)
    last = await _last_taken(db, ids)
    due: list[tuple[Youth, Due]] = []
    for youth in youths:
        assert youth.id is not None
        for instrument in instruments:
            taken = last.get((youth.id, instrument.code))
            entry = Due(instrument, due_at(instrument, youth=youth, last_taken_at=taken), taken)
            if entry.is_due(now):
                due.append((youth, entry))
    keys = [_key(youth, entry, n) for youth, entry in due for n in (1, 2)]
    sent = {
        key: created
        for key, created in (
            await db.exec(
                select(Notification.dedupe_key, Notification.created_at).where(
                    col(Notification.dedupe_key).in_(keys)
                )
            )
        ).all()
    }
    queued = 0
    for youth, entry in due:
        first, second = _key(youth, entry, 1), _key(youth, entry, 2)
        if first not in sent:
            key = first
        elif second not in sent and sent[first] <= now - SECOND_REMINDER_AFTER:
            key = second
        else:
            continue
        await enqueue(
            db,
            user_id=youth.user_id,
            kind="checkin.due",
            dedupe_key=key,
            params={"instrument": entry.instrument.code},
            now=now,
            not_before=_daytime(now),
        )
        queued += 1
    return queued


def _key(youth: Youth, due: Due, n: int) -> str:
    return f"checkin.due:{youth.id}:{due.reminder_key}:{n}"
