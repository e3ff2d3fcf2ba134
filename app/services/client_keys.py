"""Idempotent creation: a form carries a client key made when it was rendered.

The key is a unique column, so a double tap or a retried request inserts nothing the
second time and gets the row that is already there (insert ... on conflict do nothing,
then select), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import secrets
from typing import Any, TypeVar

from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import dialect_insert
from app.errors import Conflict

Row = TypeVar("Row", bound=SQLModel)


def new_client_key() -> str:
    """A fresh key for a form being rendered."""
    return secrets.token_hex(16)


def valid_client_key(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if 16 <= len(text) <= 64 and text.isascii() and text.isalnum() else None


async def insert_once(db: AsyncSession, row: Row, *, owner: str = "youth_id") -> tuple[Row, bool]:
    """Insert `row` unless its client key exists; returns (the stored row, created?).

    A key that exists for someone else's record is refused: keys are secret, but a
    forged one must never hand back another person's data.
    """
    model = type(row)
    values = row.model_dump(exclude={"id"})
    insert = dialect_insert(db)
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=["client_key"])
    result = await db.exec(statement)  # type: ignore[call-overload]
    created = bool(result.rowcount)
    key_column = model.client_key  # type: ignore[attr-defined]
    stored = (await db.exec(select(model).where(key_column == values["client_key"]))).one()
    if getattr(stored, owner) != values[owner]:
        raise Conflict()
    return stored, created
