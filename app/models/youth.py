"""A young person's course with the youth effort, and who their guide is."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class ReadinessGroup(StrEnum):
    """The three groups of the education benefit (uddannelseshjælp)."""

    obviously_ready = "obviously_ready"  # åbenlyst uddannelsesparat
    education_ready = "education_ready"  # uddannelsesparat
    activity_ready = "activity_ready"  # aktivitetsparat


class CourseStatus(StrEnum):
    in_course = "in_course"  # working on the plan with the guide
    started = "started"  # started an education or a job: eftervend runs
    ended = "ended"


class Youth(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", unique=True)
    birth_date: date
    readiness_group: ReadinessGroup = Field(sa_type=String(24), index=True)
    status: CourseStatus = Field(default=CourseStatus.in_course, sa_type=String(16), index=True)
    destination: str | None = Field(default=None, max_length=200)
    guide_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    course_started_on: date
    checkin_cadence_days: int = Field(default=30)
    # The case system's reference (sagsnummer): the key when young people are imported.
    case_ref: str | None = Field(default=None, max_length=64, unique=True)
    consent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class GuideAssignment(SQLModel, table=True):
    """One period in which a guide followed a young person; every change is counted."""

    __tablename__ = "guide_assignment"

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    guide_id: int = Field(foreign_key="app_user.id", index=True)
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    assigned_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    handover_note: str | None = Field(default=None, max_length=4000)


class Cover(SQLModel, table=True):
    """A colleague answers for an absent guide's young people during a period."""

    id: int | None = Field(default=None, primary_key=True)
    absent_guide_id: int = Field(foreign_key="app_user.id", index=True)
    covering_guide_id: int = Field(foreign_key="app_user.id", index=True)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by_id: int = Field(foreign_key="app_user.id")
