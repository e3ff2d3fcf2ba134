"""Bringing young people in from the case system: an uploaded file, kept until applied.

The parsed rows are stored server-side between the preview and the admin's confirm, so
the confirm applies exactly what was previewed; the status moves preview → applying →
done with conditional updates, so a double-submitted confirm applies nothing twice.
Once applied, the rows keep their line numbers and outcomes but no personal data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class ImportStatus:
    preview = "preview"
    applying = "applying"
    done = "done"


class YouthImport(SQLModel, table=True):
    """One uploaded file of young people: its parsed rows, outcomes and progress."""

    __tablename__ = "youth_import"

    id: int | None = Field(default=None, primary_key=True)
    # None when IT staff ran `trinvis import-youth` from the command line.
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    file_sha256: str = Field(max_length=64)
    status: str = Field(default=ImportStatus.preview, sa_type=String(16), index=True)
    # JSON: one object per data row (line, planned outcome, values or the reason).
    rows: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    total: int = Field(default=0)
    # Rows applied so far: the progress bar, and the chunk claim (a conditional UPDATE).
    applied: int = Field(default=0)
    # JSON counts per outcome once applied: {"new": 3, "updated": 1, ...}.
    summary: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    # A preview nobody confirmed is deleted then (it holds personal data).
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
