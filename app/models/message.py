"""One conversation per young person with "min ungeguide", whoever the guide is."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class MessageKind(StrEnum):
    text = "text"
    system = "system"  # e.g. "Din ungeguide er nu …"; no sender


class Message(SQLModel, table=True):
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_youth_sent", "youth_id", "sent_at"),)

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id")
    sender_id: int | None = Field(default=None, foreign_key="app_user.id")
    kind: MessageKind = Field(default=MessageKind.text, sa_type=String(8))
    body: str = Field(max_length=4000)
    # Generated on the device; unique, so a retried send stores exactly one message.
    client_key: str = Field(max_length=64, unique=True)
    sent_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    # When the other side (young person, or any guide for their messages) read it.
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class MessageEventKind(StrEnum):
    message = "message"  # a new message (text or system line) in the conversation
    read = "read"  # the other side read messages up to `message_id`


class MessageEvent(SQLModel, table=True):
    """The real-time event log of the conversations.

    Its id is the Server-Sent Events id: a client that reconnects with `Last-Event-ID`
    gets everything after it from here, so nothing that happened while it was away is
    missed, whichever app process it reconnects to.
    """

    __tablename__ = "message_event"
    __table_args__ = (Index("ix_message_event_youth_event", "youth_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id")
    kind: MessageEventKind = Field(sa_type=String(16))
    message_id: int | None = Field(default=None, foreign_key="message.id")
    # Who caused it, so a reader's own read receipt does not count as news for them.
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class ReplySnippet(SQLModel, table=True):
    """A reusable reply a guide keeps for themselves (e.g. "Tak for din besked …")."""

    __tablename__ = "reply_snippet"

    id: int | None = Field(default=None, primary_key=True)
    guide_id: int = Field(foreign_key="app_user.id", index=True)
    title: str = Field(max_length=80)
    body: str = Field(max_length=4000)
    client_key: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class GuideWorkingHours(SQLModel, table=True):
    """When a guide usually works, one row per working weekday (Europe/Copenhagen).

    A guide without rows works the default week: Monday to Friday, 8 to 16.
    """

    __tablename__ = "guide_working_hours"
    __table_args__ = (UniqueConstraint("guide_id", "weekday"),)

    id: int | None = Field(default=None, primary_key=True)
    guide_id: int = Field(foreign_key="app_user.id", index=True)
    weekday: int = Field(ge=0, le=6)  # 0 = Monday
    start_minute: int = Field(ge=0, le=24 * 60)  # minutes after local midnight
    end_minute: int = Field(ge=0, le=24 * 60)


class RealtimePresence(SQLModel, table=True):
    """A person with a live message stream open on some app process.

    Used to decide whether a new message also needs a notification. Each process
    refreshes `seen_at` of its own rows; rows of a crashed process simply go stale.
    """

    __tablename__ = "realtime_presence"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    process_key: str = Field(max_length=64, index=True)
    seen_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
