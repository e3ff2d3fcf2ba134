"""Sessions and the audit trail of staff looking at a young person's data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class UserSession(SQLModel, table=True):
    """A signed-in device. The id is the SHA-256 of the cookie token, never the token."""

    __tablename__ = "user_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    idle_timeout_seconds: int
    absolute_expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    device_label: str = Field(default="", max_length=120)
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class AuditRecord(SQLModel, table=True):
    """Staff opened a young person's personal data, searched, or exported the log.

    Never changed; deleted only by the retention job after the municipality's period."""

    __tablename__ = "audit_record"
    __table_args__ = (Index("ix_audit_record_youth_at", "youth_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
    actor_id: int = Field(foreign_key="app_user.id", index=True)
    youth_id: int | None = Field(default=None, foreign_key="youth.id")
    action: str = Field(max_length=64)
    via: str = Field(default="", max_length=32)
    # A search's words or an export's period; the process log never holds them.
    detail: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})


class AppSetting(SQLModel, table=True):
    """Municipality-wide settings and markers, as JSON text by key."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="")
