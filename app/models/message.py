"""One conversation per young person with "min ungeguide", whoever the guide is."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


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
