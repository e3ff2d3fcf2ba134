"""Well-being and readiness check-ins: instruments as data, answers, scores and alerts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class Instrument(SQLModel, table=True):
    """One version of an instrument, loaded from `app/instruments/<code>.json`.

    A version is never changed: new wording in the file becomes a new version, and the
    check-ins answered before keep pointing at the version they answered.
    """

    __tablename__ = "instrument"
    __table_args__ = (
        UniqueConstraint("code", "version", name="uq_instrument_code_version"),
        UniqueConstraint("code", "content_hash", name="uq_instrument_code_content_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, index=True)
    version: int
    # SHA-256 of the definition as loaded; the same text never makes a second version.
    content_hash: str = Field(max_length=64)
    definition: str = Field(sa_column=Column(Text, nullable=False))
    # The version the file in the repo describes now; new check-ins answer this one.
    is_current: bool = Field(default=True)
    loaded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class CheckIn(SQLModel, table=True):
    __tablename__ = "checkin"
    __table_args__ = (
        Index("ix_checkin_youth_taken", "youth_id", "taken_at"),
        # The key-figure report: first and latest WHO-5 per young person, and the
        # check-ins of a period, read from the index alone (migration 0910).
        Index(
            "ix_checkin_code_youth_taken_score", "instrument_code", "youth_id", "taken_at", "score"
        ),
        Index("ix_checkin_code_taken_youth", "instrument_code", "taken_at", "youth_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id")
    instrument_id: int = Field(foreign_key="instrument.id", index=True)
    # Copied from the instrument, so trends and due dates need no join through versions.
    instrument_code: str = Field(max_length=32)
    raw_score: int
    score: int  # 0-100
    taken_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # Filled in together with the guide at a meeting, or by the young person alone.
    together: bool = Field(default=False)
    recorded_by_id: int = Field(foreign_key="app_user.id")
    # Generated on the device; unique, so a repeated "Send" stores exactly one check-in.
    client_key: str = Field(max_length=64, unique=True)


class CheckInAnswer(SQLModel, table=True):
    __tablename__ = "checkin_answer"
    __table_args__ = (UniqueConstraint("checkin_id", "item_key", name="uq_checkin_answer_item"),)

    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="checkin.id", index=True)
    item_key: str = Field(max_length=32)
    value: int


class AlertKind(StrEnum):
    screen_further = "screen_further"  # WHO-5 at or below 50
    urgent = "urgent"  # WHO-5 at or below 28
    marked_fall = "marked_fall"  # a drop of 10 points or more since the previous check-in


class CheckInAlert(SQLModel, table=True):
    """Raised by a check-in for the guide; stays on top until a guide acknowledges it."""

    __tablename__ = "checkin_alert"
    __table_args__ = (
        UniqueConstraint("checkin_id", "kind", name="uq_checkin_alert_checkin_kind"),
        Index("ix_checkin_alert_youth_open", "youth_id", "acknowledged_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="checkin.id")
    youth_id: int = Field(foreign_key="youth.id")
    kind: AlertKind = Field(sa_type=String(16))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    acknowledged_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    acknowledged_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    note: str | None = Field(default=None, max_length=500)
