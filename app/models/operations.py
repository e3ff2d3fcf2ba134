"""What operators watch: when each background job last finished without error."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime


class JobRun(SQLModel, table=True):
    """One row per job name; any worker process moves `last_success_at` forward.

    Read by /metrics at scrape time, so a stuck or dead worker shows even when the
    worker runs in its own process and the app replicas never see it.
    """

    __tablename__ = "job_run"

    name: str = Field(primary_key=True, max_length=64)
    last_success_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
