"""Notes from the guide. Shared with the young person by default, as the practice says:
"everything we write is available to the young person"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class Note(SQLModel, table=True):
    __tablename__ = "note"
    __table_args__ = (Index("ix_note_youth_created", "youth_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id")
    author_id: int = Field(foreign_key="app_user.id")
    body: str = Field(max_length=4000)
    # An internal note is not shown in the app, but it is part of the data export.
    shared: bool = Field(default=True)
    client_key: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class NoteReply(SQLModel, table=True):
    __tablename__ = "note_reply"

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="note.id", index=True)
    author_id: int = Field(foreign_key="app_user.id")
    body: str = Field(max_length=2000)
    client_key: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
