"""The transactional outbox: a notification is a row written with the event that causes it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class NotificationStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_due", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    # What happened, e.g. "message.new", "checkin.due", "followup.prompt", "auth.code".
    kind: str = Field(max_length=48)
    # None: the worker picks by the person's preferences; set for e.g. a code to a phone.
    channel: str | None = Field(default=None, max_length=16)
    # JSON parameters for the text; never message text, scores or notes.
    params: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    # The same event can never queue two notifications.
    dedupe_key: str = Field(max_length=200, unique=True)
    urgent: bool = Field(default=False)
    status: NotificationStatus = Field(default=NotificationStatus.pending, sa_type=String(16))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    not_before: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    attempts: int = Field(default=0)
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # The SMS gateway's delivery receipt: "delivered" or "undelivered" (None: no receipt
    # yet, or a channel without receipts), when it came and the provider's own status.
    receipt: str | None = Field(default=None, sa_type=String(16))
    receipt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    receipt_detail: str | None = Field(default=None, max_length=120)
