"""The municipality and its teams of guides."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Municipality(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=120)
