"""The young person's plan: concrete, reachable steps toward a positive destination."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class StepStatus(StrEnum):
    todo = "todo"
    doing = "doing"
    done = "done"


class PlanStep(SQLModel, table=True):
    __tablename__ = "plan_step"

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    due_on: date | None = None
    status: StepStatus = Field(default=StepStatus.todo, sa_type=String(8))
    position: int = Field(default=0)
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Soft delete, so a guide can undo a deletion and the history keeps the step.
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Optimistic concurrency: a save names the version it edited; a stale one is refused.
    version: int = Field(default=1)
    # A double-tapped or retried "add step" stores one step.
    client_key: str | None = Field(default=None, max_length=64, unique=True)


class PlanEvent(SQLModel, table=True):
    """One change to a plan: who did what, when. Append-only; shown as the plan's history."""

    __tablename__ = "plan_event"
    __table_args__ = (Index("ix_plan_event_youth_at", "youth_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id")
    # None for changes to the plan as a whole (destination, readiness group).
    step_id: int | None = Field(default=None, foreign_key="plan_step.id")
    actor_id: int = Field(foreign_key="app_user.id")
    # e.g. "step.added", "step.edited", "step.status", "step.moved", "step.deleted".
    action: str = Field(max_length=32)
    # A short, human description kept with the event (the step's title at the time,
    # the new status, the new destination), so the history still reads after edits.
    detail: str = Field(default="", max_length=400)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
