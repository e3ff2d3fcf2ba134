"""Appointments with the guide, the young person's agenda, and their calendar feed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class PlaceKind(StrEnum):
    place = "place"  # a meeting at an address
    phone = "phone"
    video = "video"


class AppointmentStatus(StrEnum):
    planned = "planned"
    cancelled = "cancelled"


class YouthResponse(StrEnum):
    none = "none"
    confirmed = "confirmed"
    move_requested = "move_requested"


class Appointment(SQLModel, table=True):
    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_youth_starts", "youth_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id")
    guide_id: int = Field(foreign_key="app_user.id", index=True)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    duration_minutes: int = Field(default=45)
    place_kind: PlaceKind = Field(default=PlaceKind.place, sa_type=String(8))
    place: str | None = Field(default=None, max_length=200)
    topic: str = Field(max_length=200)
    status: AppointmentStatus = Field(default=AppointmentStatus.planned, sa_type=String(12))
    youth_response: YouthResponse = Field(default=YouthResponse.none, sa_type=String(16))
    move_request: str | None = Field(default=None, max_length=500)
    # Every change (moved, cancelled) raises the version: it names the notification
    # that tells the young person, and lets a calendar app see the event changed.
    version: int = Field(default=1)
    client_key: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class AgendaItem(SQLModel, table=True):
    """What the young person wants to talk about next time; they set the agenda first."""

    __tablename__ = "agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    text: str = Field(max_length=500)
    client_key: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    # Set when the guide marks it talked about (at that appointment, when there was one).
    discussed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id")
    removed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class CalendarFeed(SQLModel, table=True):
    """A secret calendar address; only the SHA-256 of the secret is stored."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
