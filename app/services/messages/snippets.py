"""Reusable replies a guide keeps for themselves; nobody else sees or changes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.i18n import N_
from app.models import ReplySnippet, User
from app.services.client_keys import ClientKey, insert_once
from app.services.messages.conversation import MAX_LENGTH


class SnippetForm(BaseModel):
    title: str = Field(default="", max_length=80, validate_default=True)
    body: str = Field(default="", max_length=MAX_LENGTH, validate_default=True)
    client_key: ClientKey

    @field_validator("title", "body", mode="before")
    @classmethod
    def _required(cls, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(N_("Please fill in this field."))
        return value.replace("\r\n", "\n")


async def list_own(db: AsyncSession, *, actor: User) -> list[ReplySnippet]:
    rows = await db.exec(
        select(ReplySnippet)
        .where(ReplySnippet.guide_id == actor.id)
        .order_by(col(ReplySnippet.title), col(ReplySnippet.id))
    )
    return list(rows.all())


async def create(
    db: AsyncSession, *, actor: User, form: SnippetForm, now: datetime
) -> ReplySnippet:
    """Save a snippet once per client key (a double-clicked save stores one)."""
    assert actor.id is not None
    row, _created = await insert_once(
        db,
        ReplySnippet(
            guide_id=actor.id,
            title=form.title,
            body=form.body,
            client_key=form.client_key,
            created_at=now,
        ),
        owner="guide_id",
    )
    return row


async def delete(db: AsyncSession, *, actor: User, snippet_id: int) -> None:
    """Delete one of the guide's own snippets; another guide's is NotFound."""
    row = await db.get(ReplySnippet, snippet_id)
    if row is None or row.guide_id != actor.id:
        raise NotFound()
    await db.delete(row)
    await db.flush()
