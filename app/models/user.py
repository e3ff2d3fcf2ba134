"""People who sign in: young people and staff."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class Role(StrEnum):
    youth = "youth"
    guide = "guide"
    leader = "leader"
    admin = "admin"


STAFF_ROLES = frozenset({Role.guide, Role.leader, Role.admin})


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    role: Role = Field(sa_type=String(16), index=True)
    name: str = Field(max_length=120)
    email: str | None = Field(default=None, max_length=254, unique=True)
    phone: str | None = Field(default=None, max_length=32, unique=True)
    locale: str = Field(default="da", max_length=8)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    oidc_sub: str | None = Field(default=None, max_length=255, unique=True)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper()
