"""The guide's workspace: handovers between guides, and the keys that make cover forms
idempotent. The guide of record stays `Youth.guide_id`; every change of guide is also a
`GuideAssignment` period (the count of changes), and a `Handover` says who moved whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime


class Handover(SQLModel, table=True):
    """One young person moved from one guide to another, by a guide or a leader.

    `client_key` comes from the form (plus the young person's id in a bulk handover),
    so a retried form moves nobody twice.
    """

    __tablename__ = "handover"

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    from_guide_id: int | None = Field(default=None, foreign_key="app_user.id")
    to_guide_id: int = Field(foreign_key="app_user.id", index=True)
    # The new period; None only while the handover is being made.
    assignment_id: int | None = Field(default=None, foreign_key="guide_assignment.id")
    by_id: int = Field(foreign_key="app_user.id")
    # Set for a leader's bulk handover: all rows of one form share it.
    batch_key: str | None = Field(default=None, max_length=64, index=True)
    client_key: str = Field(max_length=100, unique=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class CoverKey(SQLModel, table=True):
    """The form key a cover was created with: a retried "create cover" makes one cover."""

    __tablename__ = "cover_key"

    id: int | None = Field(default=None, primary_key=True)
    client_key: str = Field(max_length=64, unique=True)
    cover_id: int = Field(foreign_key="cover.id", index=True)
