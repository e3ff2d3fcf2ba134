"""The municipality and its teams of guides."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class Municipality(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)


class Team(SQLModel, table=True):
    # A team name is unique within its municipality.
    __table_args__ = (
        UniqueConstraint("municipality_id", "name", name="uq_team_municipality_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=120)
