"""Appointments between a young person and their guide.

The guide creates, moves and cancels; every change raises the appointment's version and
tells the young person through the outbox (one notification per appointment+version).
The young person confirms, or asks to move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import at_copenhagen_time
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import N_, gettext
from app.models import (
    AgendaItem,
    Appointment,
    AppointmentStatus,
    PlaceKind,
    User,
    Youth,
    YouthResponse,
)
from app.notifications.outbox import enqueue
from app.security.access import Via, youth_scope
from app.security.audit import open_youth
from app.services.client_keys import insert_once
from app.services.plan.agenda import open_items
from app.services.plan.steps import own_youth
from app.services.plan.text_input import RequiredText

PAST_SHOWN = 10


class WhenForm(BaseModel):
    on: date
    at: time


class AppointmentForm(WhenForm):
    duration_minutes: int = Field(default=45, ge=15, le=240)
    place_kind: PlaceKind = PlaceKind.place
    place: str | None = Field(default=None, max_length=200, validate_default=True)
    topic: RequiredText = Field(min_length=1, max_length=200)

    @field_validator("place")
    @classmethod
    def _place_for_a_meeting(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("place_kind", PlaceKind.place) == PlaceKind.place and not value:
            raise ValueError(N_("Please write where you meet."))
        return value


class AppointmentAnswerForm(BaseModel):
    answer: Literal["confirmed", "move_requested"]
    message: str | None = Field(default=None, max_length=500)


@dataclass(frozen=True)
class Schedule:
    youth: Youth
    person: User
    upcoming: list[Appointment]
    past: list[Appointment]
    agenda: list[AgendaItem]
    guide_names: dict[int, str]

    @property
    def next(self) -> Appointment | None:
        planned = [a for a in self.upcoming if a.status == AppointmentStatus.planned]
        return planned[0] if planned else None


def local_start(on: date, at: time) -> datetime:
    """A date and time as the young person reads them, in Copenhagen, as UTC."""
    return at_copenhagen_time(on, at).astimezone(UTC)


async def my_schedule(db: AsyncSession, *, actor: User, now: datetime) -> Schedule:
    return await _schedule(db, youth=await own_youth(db, actor=actor), now=now)


async def guide_schedule(
    db: AsyncSession, *, actor: User, youth_id: int, now: datetime
) -> Schedule:
    """A guide opens a young person's appointments and agenda (audited)."""
    via = await open_youth(db, actor=actor, youth_id=youth_id, action="appointments.view", now=now)
    _refuse_self(via)
    youth = await db.get(Youth, youth_id)
    assert youth is not None
    return await _schedule(db, youth=youth, now=now)


async def next_appointment(db: AsyncSession, *, youth_id: int, now: datetime) -> Appointment | None:
    return (
        await db.exec(
            select(Appointment)
            .where(
                Appointment.youth_id == youth_id,
                Appointment.status == AppointmentStatus.planned,
                col(Appointment.starts_at) >= now - timedelta(hours=1),
            )
            .order_by(col(Appointment.starts_at))
            .limit(1)
        )
    ).first()


async def create(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int,
    data: AppointmentForm,
    client_key: str,
    now: datetime,
) -> Appointment:
    _refuse_self(await youth_scope(db, actor=actor, youth_id=youth_id, now=now))
    assert actor.id is not None
    starts_at = _future_start(data, now)
    appointment, created = await insert_once(
        db,
        Appointment(
            youth_id=youth_id,
            guide_id=actor.id,
            starts_at=starts_at,
            duration_minutes=data.duration_minutes,
            place_kind=data.place_kind,
            place=data.place if data.place_kind == PlaceKind.place else None,
            topic=data.topic,
            client_key=client_key,
            created_at=now,
            updated_at=now,
        ),
    )
    if created:
        await _tell_youth(db, appointment, change="created", now=now)
    return appointment


async def move(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int,
    appointment_id: int,
    data: WhenForm,
    version: int,
    now: datetime,
) -> Appointment:
    """Move to a new time; the young person is asked to confirm again."""
    appointment = await _guide_appointment(db, actor, youth_id, appointment_id, now)
    starts_at = _future_start(data, now)
    result = await db.exec(
        update(Appointment)
        .where(col(Appointment.id) == appointment_id, col(Appointment.version) == version)
        .values(
            starts_at=starts_at,
            status=AppointmentStatus.planned,
            youth_response=YouthResponse.none,
            move_request=None,
            version=version + 1,
            updated_at=now,
        )
    )  # type: ignore[call-overload]
    await db.refresh(appointment)
    if result.rowcount != 1:
        raise Conflict()
    await _tell_youth(db, appointment, change="moved", now=now)
    return appointment


async def cancel(
    db: AsyncSession, *, actor: User, youth_id: int, appointment_id: int, now: datetime
) -> Appointment:
    appointment = await _guide_appointment(db, actor, youth_id, appointment_id, now)
    if appointment.status == AppointmentStatus.cancelled:
        return appointment
    appointment.status = AppointmentStatus.cancelled
    appointment.version += 1
    appointment.updated_at = now
    db.add(appointment)
    await db.flush()
    await _tell_youth(db, appointment, change="cancelled", now=now)
    return appointment


async def answer(
    db: AsyncSession,
    *,
    actor: User,
    appointment_id: int,
    data: AppointmentAnswerForm,
    now: datetime,
) -> Appointment:
    """The young person confirms, or asks to move; their guide is told."""
    appointment = await db.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound()
    if await youth_scope(db, actor=actor, youth_id=appointment.youth_id, now=now) is not Via.self_:
        raise NotFound()
    if appointment.status != AppointmentStatus.planned or appointment.starts_at < now:
        raise Conflict(N_("This appointment can no longer be changed."))
    response = YouthResponse(data.answer)
    if appointment.youth_response == response and appointment.move_request == data.message:
        return appointment
    appointment.youth_response = response
    appointment.move_request = data.message if response == YouthResponse.move_requested else None
    appointment.updated_at = now
    db.add(appointment)
    await db.flush()
    assert appointment.id is not None
    await enqueue(
        db,
        user_id=appointment.guide_id,
        kind="appointment.answered",
        dedupe_key=f"appointment.answered:{appointment.id}:v{appointment.version}:{response.value}",
        params={"appointment_id": appointment.id, "answer": response.value},
        now=now,
    )
    return appointment


def place_label(appointment: Appointment) -> str:
    if appointment.place_kind == PlaceKind.phone:
        return gettext("Phone")
    if appointment.place_kind == PlaceKind.video:
        return gettext("Video")
    return appointment.place or ""


async def _schedule(db: AsyncSession, *, youth: Youth, now: datetime) -> Schedule:
    person = await db.get(User, youth.user_id)
    assert person is not None and youth.id is not None
    cutoff = now - timedelta(hours=1)
    base = select(Appointment).where(Appointment.youth_id == youth.id)
    upcoming = await db.exec(
        base.where(col(Appointment.starts_at) >= cutoff).order_by(col(Appointment.starts_at))
    )
    past = await db.exec(
        base.where(col(Appointment.starts_at) < cutoff)
        .order_by(col(Appointment.starts_at).desc())
        .limit(PAST_SHOWN)
    )
    rows = [*upcoming.all()], [*past.all()]
    guide_ids = {a.guide_id for a in rows[0] + rows[1]}
    names = await db.exec(select(User.id, User.name).where(col(User.id).in_(guide_ids)))
    return Schedule(
        youth=youth,
        person=person,
        upcoming=rows[0],
        past=rows[1],
        agenda=await open_items(db, youth_id=youth.id),
        guide_names={uid: name for uid, name in names.all() if uid is not None},
    )


def _future_start(data: WhenForm, now: datetime) -> datetime:
    starts_at = local_start(data.on, data.at)
    if starts_at < now:
        # The router puts back what the person typed.
        raise ValidationFailed({"on": gettext("Please choose a time that has not passed yet.")})
    return starts_at


async def _guide_appointment(
    db: AsyncSession, actor: User, youth_id: int, appointment_id: int, now: datetime
) -> Appointment:
    _refuse_self(await youth_scope(db, actor=actor, youth_id=youth_id, now=now))
    appointment = await db.get(Appointment, appointment_id)
    if appointment is None or appointment.youth_id != youth_id:
        raise NotFound()
    return appointment


def _refuse_self(via: Via) -> None:
    if via is Via.self_:
        raise NotFound()


async def _tell_youth(
    db: AsyncSession, appointment: Appointment, *, change: str, now: datetime
) -> None:
    youth = await db.get(Youth, appointment.youth_id)
    assert youth is not None and appointment.id is not None
    await enqueue(
        db,
        user_id=youth.user_id,
        kind="appointment.changed",
        dedupe_key=f"appointment.changed:{appointment.id}:v{appointment.version}",
        params={
            "appointment_id": appointment.id,
            "version": appointment.version,
            "change": change,
            "starts_at": appointment.starts_at.isoformat(),
        },
        now=now,
    )
