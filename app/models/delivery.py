"""Delivery of the outbox: every attempt, people's channel choices, push subscriptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class NotificationAttempt(SQLModel, table=True):
    """One try to deliver a notification. `outcome` is None while the call is under way;
    a worker killed mid-call leaves it None until the next claim marks it `interrupted`."""

    __tablename__ = "notification_attempt"
    __table_args__ = (Index("ix_notification_attempt_notification", "notification_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id")
    # The notification's attempt counter at the claim: also the fencing token.
    number: int
    channel: str = Field(max_length=16)
    worker: str = Field(default="", max_length=80)
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # sent | retry | failed | interrupted (None: under way)
    outcome: str | None = Field(default=None, sa_type=String(16))
    detail: str = Field(default="", max_length=500)


class NotificationPreference(SQLModel, table=True):
    """A person's channel choices. No row means the defaults: everything on."""

    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    push: bool = Field(default=True)
    sms: bool = Field(default=True)
    email: bool = Field(default=True)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class PushSubscription(SQLModel, table=True):
    """A browser's Web Push subscription (one per installed app and device)."""

    __tablename__ = "push_subscription"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    endpoint: str = Field(max_length=1024, unique=True)
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_success_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
