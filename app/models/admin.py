"""What admins changed: staff, teams and the municipality's settings.

Kept apart from `AuditRecord`, which is the young person's own log of staff opening
their data ("Hvem har set mine data"); admin changes never show there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class AdminChange(SQLModel, table=True):
    """Who changed what, when, from which value to which (JSON). Never changed; deleted
    by the retention job after the set period (`app/services/admin/retention.py`)."""

    __tablename__ = "admin_change"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
    # None for changes the system makes on its own (the data retention job).
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: str = Field(max_length=64)  # e.g. "staff.deactivate", "setting.change"
    target: str = Field(max_length=64)  # e.g. "user:12", "team:3", "setting:retention_months"
    # What the admin saw (a staff member's or team's name); never a young person's name.
    target_label: str = Field(default="", max_length=200)
    before: str = Field(default="", sa_column=Column(Text, nullable=False))
    after: str = Field(default="", sa_column=Column(Text, nullable=False))
