"""Follow-up after a start in education or a job.

The Danish practice calls this *eftervend*; no English word fits, so the code says
`FollowUp` (one contact), `Enrollment` (the start that sets it going) and `CourseEnd`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class EnrollmentKind(StrEnum):
    education = "education"
    job = "job"


class EnrollmentEnd(StrEnum):
    completed = "completed"  # the follow-up period ran out, or the guide ended the course
    dropped_out = "dropped_out"  # "faldet fra": the course re-opens with a plan B


class FollowUpAnswer(StrEnum):
    """The young person's one-tap answer, mildest first."""

    good = "good"  # Godt
    okay = "okay"  # Okay
    hard = "hard"  # Svært
    considering_stopping = "considering_stopping"  # Overvejer at stoppe


class CallOutcome(StrEnum):
    reached = "reached"
    not_reached = "not_reached"
    left_message = "left_message"


class RiskState(StrEnum):
    """The guide's judgement after a call, mildest first."""

    thriving = "thriving"  # trives
    challenged = "challenged"  # udfordret
    at_risk = "at_risk"  # frafaldstruet
    dropped_out = "dropped_out"  # faldet fra


class FlagReason(StrEnum):
    answer = "answer"  # "Svært" or "Overvejer at stoppe"
    unanswered = "unanswered"  # two follow-ups in a row without an answer
    wellbeing_drop = "wellbeing_drop"  # WHO-5 fell by 10 points or more


class CourseEndOutcome(StrEnum):
    education = "education"
    job = "job"
    other = "other"


class Enrollment(SQLModel, table=True):
    """A start in education or a job; follow-ups run while `ended_at` is empty."""

    __tablename__ = "enrollment"

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    kind: EnrollmentKind = Field(sa_type=String(16))
    place: str = Field(max_length=200)  # the institution or the employer
    starts_on: date
    expected_end_on: date | None = None
    first_gap_days: int = Field(default=7)
    interval_days: int = Field(default=14)
    length_months: int = Field(default=12)
    risk_state: RiskState | None = Field(default=None, sa_type=String(16))
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    end_reason: EnrollmentEnd | None = Field(default=None, sa_type=String(16))
    # A double-submitted "register start" stores one enrollment.
    client_key: str = Field(max_length=64, unique=True)


class FollowUp(SQLModel, table=True):
    __tablename__ = "follow_up"
    # One row per (enrollment, sequence number): schedulers racing insert each once.
    __table_args__ = (
        UniqueConstraint("enrollment_id", "sequence", name="uq_follow_up_enrollment_sequence"),
        Index("ix_follow_up_youth_due", "youth_id", "due_at"),
        # The key-figure report counts a period's follow-ups from this index alone
        # (migration 0910).
        Index(
            "ix_follow_up_due_report",
            "due_on",
            "youth_id",
            "cancelled_at",
            "answered_at",
            "handled_at",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id")
    youth_id: int = Field(foreign_key="youth.id")
    sequence: int
    due_on: date  # a working day in Europe/Copenhagen
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    cancelled_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    prompted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    answer: FollowUpAnswer | None = Field(default=None, sa_type=String(24))
    answer_text: str | None = Field(default=None, max_length=500)
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    call_outcome: CallOutcome | None = Field(default=None, sa_type=String(16))
    risk_state: RiskState | None = Field(default=None, sa_type=String(16))
    handled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    handled_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class RiskFlag(SQLModel, table=True):
    """A dropout-risk signal; it stays on top of the guide's lists until handled."""

    __tablename__ = "risk_flag"
    __table_args__ = (Index("ix_risk_flag_youth_open", "youth_id", "handled_at"),)

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id")
    enrollment_id: int = Field(foreign_key="enrollment.id")
    follow_up_id: int | None = Field(default=None, foreign_key="follow_up.id")
    reason: FlagReason = Field(sa_type=String(24))
    raised_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    handled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    handled_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    # The same signal raises one flag, however often it is seen.
    dedupe_key: str = Field(max_length=100, unique=True)


class CourseEnd(SQLModel, table=True):
    """How a course ended: feeds the key figures."""

    __tablename__ = "course_end"

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    # One course end per enrollment; None when a course ends without a start.
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id", unique=True)
    ended_on: date
    outcome: CourseEndOutcome = Field(sa_type=String(16))
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
