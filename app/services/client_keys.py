"""Idempotent creation: the one rule for client keys, and the one way to insert once.

Every create form carries a client key made when it was rendered (`new_client_key()`);
our message script makes its own per message (`crypto.randomUUID()`, or 32 hex
characters where that is missing: `static/js/messages.js`), and the check-in script
keeps the form's key on the device until it is sent. The key is a unique column, so a
double tap or a retried request inserts nothing the second time and gets the row that
is already there (`insert_once`: insert ... on conflict do nothing, then select), on
SQLite and PostgreSQL alike.

The rule (`CLIENT_KEY`): 16 to 64 letters, digits, `-` or `_`. It accepts every key our
clients make (32 hex digits from `new_client_key()`, 36 characters from `randomUUID()`),
fits the 64-character columns, and refuses a short key that another device or a guess
could repeat. A key outside the rule is a broken or forged request, never a person's
typing: form models and request parameters take the key as `ClientKey` (a form refuses
it next to the field, "This form is too old"), and services handed a raw key (a
message, a check-in) call `checked_client_key` (`BadClientKey`, 422).

Keys the server makes for rows of its own (a system line, a follow-up answer, plan B,
the demo) are derived from their cause, so a retried job stores one row; they never
come from a client and do not pass through the rule.
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated, TypeVar

from pydantic import BeforeValidator
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import dialect_insert
from app.errors import AppError, Conflict
from app.i18n import N_

CLIENT_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
STALE_FORM = N_("This form is too old. Please reload the page and try again.")

Row = TypeVar("Row", bound=SQLModel)


class BadClientKey(AppError):
    """A request without a client key, or with one no client of ours makes."""

    status_code = 422
    message = N_("The request was not understood. Please reload the page and try again.")


def new_client_key() -> str:
    """A fresh key for a form being rendered (32 hex characters)."""
    return secrets.token_hex(16)


def valid_client_key(value: object) -> str | None:
    """The key if it follows the rule, else None."""
    if not isinstance(value, str) or not CLIENT_KEY.fullmatch(value):
        return None
    return value


def checked_client_key(value: object) -> str:
    """The key, or `BadClientKey` for a service handed a raw key outside the rule."""
    key = valid_client_key(value)
    if key is None:
        raise BadClientKey()
    return key


def _form_field(value: object) -> str:
    key = valid_client_key(value)
    if key is None:
        raise ValueError(STALE_FORM)
    return key


ClientKey = Annotated[str, BeforeValidator(_form_field)]
"""A form field or request parameter that carries a client key."""


async def insert_once(
    db: AsyncSession, row: Row, *, owner: str | None = "youth_id"
) -> tuple[Row, bool]:
    """Insert `row` unless its client key exists; returns (the stored row, created?).

    A key that exists for someone else's record (`owner` differs) is refused: keys are
    secret, but a forged one must never hand back another person's data. Pass
    `owner=None` where the caller checks the stored row itself.
    """
    model = type(row)
    values = row.model_dump(exclude={"id"})
    insert = dialect_insert(db)
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=["client_key"])
    result = await db.exec(statement)  # type: ignore[call-overload]
    created = bool(result.rowcount)
    key_column = model.client_key  # type: ignore[attr-defined]
    stored = (await db.exec(select(model).where(key_column == values["client_key"]))).one()
    if owner is not None and getattr(stored, owner) != values[owner]:
        raise Conflict()
    return stored, created
