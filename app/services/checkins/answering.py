"""Answering a check-in: validation, scoring, alerts, and what the young person sees.

A check-in is stored once per client key (generated on the device and kept there until
sent), so a repeated "Send" never stores a second one. The guide's side (trends,
alerts, cadence) lives in `guide_side.py`; due dates and reminders in
`reminders.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today
from app.errors import Conflict, NotFound, ValidationFailed
from app.forms import plain_int
from app.i18n import N_, gettext
from app.models import (
    AlertKind,
    CheckIn,
    CheckInAlert,
    CheckInAnswer,
    Instrument,
    Notification,
    NotificationStatus,
    User,
    Youth,
)
from app.notifications.outbox import enqueue
from app.security.access import Via
from app.security.audit import open_youth
from app.services.checkins.charts import COMPACT, Chart, trend_chart
from app.services.checkins.instruments import PRIMARY, Definition, parse
from app.services.client_keys import checked_client_key, insert_once
from app.services.followups.flags import raise_flag_for_wellbeing_drop
from app.services.messages.availability import HelpLine, help_lines
from app.services.plan.steps import own_youth

ANSWER_PREFIX = "answer-"


class UnknownInstrument(NotFound):
    message = N_("We do not know this check-in. Please go back and start again.")


class ForeignCheckIn(Conflict):
    """The client key belongs to a check-in of another young person or instrument."""

    message = N_("This check-in could not be saved. Please reload the page and answer again.")


@dataclass(frozen=True)
class InstrumentVersion:
    row: Instrument
    definition: Definition

    @property
    def code(self) -> str:
        return self.row.code


async def current_instruments(db: AsyncSession) -> list[InstrumentVersion]:
    """The versions new check-ins answer, WHO-5 first."""
    rows = (await db.exec(select(Instrument).where(col(Instrument.is_current)))).all()
    return in_order(InstrumentVersion(row, parse(row.definition)) for row in rows)


def in_order(versions: Iterable[InstrumentVersion]) -> list[InstrumentVersion]:
    """WHO-5 first, then by code."""
    return sorted(versions, key=lambda v: (v.code != PRIMARY, v.code))


async def current_instrument(db: AsyncSession, code: str) -> InstrumentVersion:
    row = (
        await db.exec(select(Instrument).where(Instrument.code == code, col(Instrument.is_current)))
    ).first()
    if row is None:
        raise UnknownInstrument()
    return InstrumentVersion(row, parse(row.definition))


async def instrument_versions(db: AsyncSession, ids: set[int]) -> dict[int, Definition]:
    """The definitions check-ins answered (old versions included), by instrument id."""
    if not ids:
        return {}
    rows = (await db.exec(select(Instrument).where(col(Instrument.id).in_(ids)))).all()
    return {row.id: parse(row.definition) for row in rows if row.id is not None}


def answers_from_form(form: Mapping[str, object]) -> dict[str, str]:
    """The answer fields of a submitted form, by item key."""
    return {
        key.removeprefix(ANSWER_PREFIX): str(value)
        for key, value in form.items()
        if key.startswith(ANSWER_PREFIX)
    }


def validate_answers(definition: Definition, answers: Mapping[str, str]) -> dict[str, int]:
    """Every item answered with a value of the scale, or ValidationFailed per item."""
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for item in definition.items:
        raw = (answers.get(item.key) or "").strip()
        field = ANSWER_PREFIX + item.key
        if not raw:
            errors[field] = N_("Please choose an answer.")
        elif (number := plain_int(raw)) is None or number not in definition.values:
            errors[field] = N_("Please choose one of the answers shown.")
        else:
            values[item.key] = number
    unknown = set(answers) - {item.key for item in definition.items}
    if unknown:
        errors["__all__"] = N_("Some answers do not belong to this check-in. Please answer again.")
    if errors:
        raise ValidationFailed(
            {field: gettext(message) for field, message in errors.items()},
            values={ANSWER_PREFIX + key: value for key, value in answers.items()},
        )
    return values


async def submit(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int | None,
    code: str,
    answers: Mapping[str, str],
    client_key: str,
    now: datetime,
) -> CheckIn:
    """Store one answered check-in once per client key; raise its alerts for the guide.

    `youth_id` None is the young person's own. Recorded by the guide (at a meeting) it
    counts as filled in together.
    """
    checked_client_key(client_key)
    if youth_id is None:
        youth_id = (await own_youth(db, actor=actor)).id
        assert youth_id is not None
    via = await open_youth(db, actor=actor, youth_id=youth_id, action="checkins.record", now=now)
    existing = await _by_client_key(db, client_key)
    if existing is not None:
        return _same_or_refuse(existing, youth_id, code)
    instrument = await current_instrument(db, code)
    values = validate_answers(instrument.definition, answers)
    assert instrument.row.id is not None and actor.id is not None
    checkin, created = await record(
        db,
        youth_id=youth_id,
        instrument=instrument,
        values=values,
        client_key=client_key,
        recorded_by_id=actor.id,
        together=via is not Via.self_,
        now=now,
    )
    if not created:
        return _same_or_refuse(checkin, youth_id, code)
    await _cancel_pending_reminders(db, youth_id=youth_id, code=code)
    if via is Via.self_:
        await _notify_guide(db, checkin=checkin, now=now)
    return checkin


def _same_or_refuse(checkin: CheckIn, youth_id: int, code: str) -> CheckIn:
    if checkin.youth_id != youth_id or checkin.instrument_code != code:
        raise ForeignCheckIn()
    return checkin


async def _by_client_key(db: AsyncSession, client_key: str) -> CheckIn | None:
    return (await db.exec(select(CheckIn).where(CheckIn.client_key == client_key))).first()


async def record(
    db: AsyncSession,
    *,
    youth_id: int,
    instrument: InstrumentVersion,
    values: dict[str, int],
    client_key: str,
    recorded_by_id: int,
    together: bool,
    now: datetime,
) -> tuple[CheckIn, bool]:
    """Insert the check-in, its answers and its alerts; (row, False) when the key existed."""
    definition = instrument.definition
    raw, score = definition.score(values)
    previous = await _latest_score(db, youth_id=youth_id, code=instrument.code)
    assert instrument.row.id is not None
    checkin, created = await insert_once(
        db,
        CheckIn(
            youth_id=youth_id,
            instrument_id=instrument.row.id,
            instrument_code=instrument.code,
            raw_score=raw,
            score=score,
            taken_at=now,
            together=together,
            recorded_by_id=recorded_by_id,
            client_key=client_key,
        ),
        owner=None,  # `submit` refuses another young person's or instrument's key itself
    )
    assert checkin.id is not None
    if not created:
        return checkin, False
    for key, value in values.items():
        db.add(CheckInAnswer(checkin_id=checkin.id, item_key=key, value=value))
    for kind in definition.alert_kinds(score, previous):
        db.add(
            CheckInAlert(
                checkin_id=checkin.id, youth_id=youth_id, kind=AlertKind(kind), created_at=now
            )
        )
    await db.flush()
    if instrument.code == PRIMARY and previous is not None and previous > score:
        # A fall in well-being during a start in education or job is a dropout risk.
        await raise_flag_for_wellbeing_drop(db, youth_id=youth_id, drop=previous - score, now=now)
    return checkin, True


async def _latest_score(db: AsyncSession, *, youth_id: int, code: str) -> int | None:
    return (
        await db.exec(
            select(CheckIn.score)
            .where(CheckIn.youth_id == youth_id, CheckIn.instrument_code == code)
            .order_by(col(CheckIn.taken_at).desc(), col(CheckIn.id).desc())
            .limit(1)
        )
    ).first()


async def _cancel_pending_reminders(db: AsyncSession, *, youth_id: int, code: str) -> None:
    """A reminder not yet sent is moot once the check-in is answered."""
    await db.exec(
        update(Notification)  # type: ignore[call-overload]
        .where(
            col(Notification.dedupe_key).startswith(f"checkin.due:{youth_id}:{code}:"),
            col(Notification.status) == NotificationStatus.pending,
        )
        .values(status=NotificationStatus.cancelled)
    )


async def _notify_guide(db: AsyncSession, *, checkin: CheckIn, now: datetime) -> None:
    """Tell the guide that a check-in raised an alert; never the score itself."""
    kinds = (
        await db.exec(select(CheckInAlert.kind).where(CheckInAlert.checkin_id == checkin.id))
    ).all()
    youth = await db.get(Youth, checkin.youth_id)
    if not kinds or youth is None or youth.guide_id is None:
        return
    await enqueue(
        db,
        user_id=youth.guide_id,
        kind="checkin.alert",
        dedupe_key=f"checkin.alert:{checkin.id}",
        params={"youth_id": checkin.youth_id, "checkin_id": checkin.id},
        urgent=AlertKind.urgent in kinds,
        now=now,
    )


@dataclass(frozen=True)
class Result:
    checkin: CheckIn
    definition: Definition
    history: list[CheckIn]
    # Where to get help now: only after a very low score (the instrument's urgent
    # threshold, WHO-5 at or below 28), shown first on the page.
    help_lines: list[HelpLine] = field(default_factory=list)

    @property
    def suggest_guide(self) -> bool:
        return self.definition.feedback_for(self.checkin.score).suggest_guide

    @property
    def chart(self) -> Chart:
        return trend_chart([(c.taken_at, c.score) for c in self.history], size=COMPACT)

    @property
    def feedback(self) -> str:
        return str(self.definition.feedback_for(self.checkin.score).text)


async def own_result(db: AsyncSession, *, actor: User, checkin_id: int, now: datetime) -> Result:
    """A young person's own check-in with their curve; anyone else's is NotFound."""
    youth = await own_youth(db, actor=actor)
    checkin = await db.get(CheckIn, checkin_id)
    if checkin is None or checkin.youth_id != youth.id:
        raise NotFound()
    definition = (await instrument_versions(db, {checkin.instrument_id}))[checkin.instrument_id]
    history = await history_of(db, youth_id=checkin.youth_id, code=checkin.instrument_code)
    lines: list[HelpLine] = []
    if "urgent" in definition.alert_kinds(checkin.score, None):
        lines = await help_lines(db, birth_date=youth.birth_date, today=copenhagen_today(now))
    return Result(checkin, definition, history, lines)


async def history_of(db: AsyncSession, *, youth_id: int, code: str) -> list[CheckIn]:
    """One young person's check-ins of one instrument, oldest first."""
    rows = await db.exec(
        select(CheckIn)
        .where(CheckIn.youth_id == youth_id, CheckIn.instrument_code == code)
        .order_by(col(CheckIn.taken_at), col(CheckIn.id))
    )
    return list(rows.all())
