"""Notes from the guide, shared with the young person by default, and their replies.

"Everything we write is available to the young person": a note is shared unless the
guide chooses internal, and even an internal note is part of the young person's data
export (it is only kept out of the app's note list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.models import Note, NoteReply, User, Youth
from app.notifications.outbox import enqueue
from app.security.access import Via, youth_scope
from app.security.audit import open_youth
from app.services.client_keys import insert_once
from app.services.plan.steps import own_youth
from app.services.plan.text_input import RequiredText


class NoteForm(BaseModel):
    body: RequiredText = Field(min_length=1, max_length=4000)
    visibility: Literal["shared", "internal"] = "shared"


class NoteReplyForm(BaseModel):
    body: RequiredText = Field(min_length=1, max_length=2000)


@dataclass(frozen=True)
class Thread:
    note: Note
    replies: list[NoteReply]


@dataclass(frozen=True)
class Notebook:
    youth: Youth
    person: User
    threads: list[Thread]
    names: dict[int, str]


async def my_notes(db: AsyncSession, *, actor: User) -> Notebook:
    """The notes the young person sees: the shared ones."""
    return await _notebook(db, youth=await own_youth(db, actor=actor), shared_only=True)


async def guide_notes(db: AsyncSession, *, actor: User, youth_id: int, now: datetime) -> Notebook:
    via = await open_youth(db, actor=actor, youth_id=youth_id, action="notes.view", now=now)
    if via is Via.self_:
        raise NotFound()
    youth = await db.get(Youth, youth_id)
    assert youth is not None
    return await _notebook(db, youth=youth, shared_only=False)


async def write_note(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int,
    data: NoteForm,
    client_key: str,
    now: datetime,
) -> Note:
    if await youth_scope(db, actor=actor, youth_id=youth_id, now=now) is Via.self_:
        raise NotFound()
    assert actor.id is not None
    note, created = await insert_once(
        db,
        Note(
            youth_id=youth_id,
            author_id=actor.id,
            body=data.body,
            shared=data.visibility == "shared",
            client_key=client_key,
            created_at=now,
        ),
    )
    if created and note.shared:
        youth = await db.get(Youth, youth_id)
        assert youth is not None and note.id is not None
        await enqueue(
            db,
            user_id=youth.user_id,
            kind="note.shared",
            dedupe_key=f"note.shared:{note.id}",
            params={"note_id": note.id},
            now=now,
        )
    return note


async def reply(
    db: AsyncSession,
    *,
    actor: User,
    note_id: int,
    data: NoteReplyForm,
    client_key: str,
    now: datetime,
    youth_id: int | None = None,
) -> NoteReply:
    """A reply on a note: by the young person (shared notes only) or by their guide."""
    note = await db.get(Note, note_id)
    if note is None or (youth_id is not None and note.youth_id != youth_id):
        raise NotFound()
    via = await youth_scope(db, actor=actor, youth_id=note.youth_id, now=now)
    if via is Via.self_ and not note.shared:
        raise NotFound()
    assert actor.id is not None
    row, created = await insert_once(
        db,
        NoteReply(
            note_id=note_id,
            author_id=actor.id,
            body=data.body,
            client_key=client_key,
            created_at=now,
        ),
        owner="note_id",
    )
    if created and via is Via.self_:
        youth = await db.get(Youth, note.youth_id)
        assert youth is not None and row.id is not None
        if youth.guide_id is not None:
            await enqueue(
                db,
                user_id=youth.guide_id,
                kind="note.reply",
                dedupe_key=f"note.reply:{row.id}",
                params={"note_id": note_id},
                now=now,
            )
    return row


async def _notebook(db: AsyncSession, *, youth: Youth, shared_only: bool) -> Notebook:
    person = await db.get(User, youth.user_id)
    assert person is not None
    query = select(Note).where(Note.youth_id == youth.id)
    if shared_only:
        query = query.where(col(Note.shared))
    notes = list((await db.exec(query.order_by(col(Note.created_at).desc()))).all())
    ids = [n.id for n in notes]
    replies = (
        await db.exec(
            select(NoteReply)
            .where(col(NoteReply.note_id).in_(ids))
            .order_by(col(NoteReply.created_at), col(NoteReply.id))
        )
    ).all()
    by_note: dict[int, list[NoteReply]] = {}
    for each in replies:
        by_note.setdefault(each.note_id, []).append(each)
    authors = {n.author_id for n in notes} | {r.author_id for r in replies}
    names = await db.exec(select(User.id, User.name).where(col(User.id).in_(authors)))
    return Notebook(
        youth=youth,
        person=person,
        threads=[Thread(note=n, replies=by_note.get(n.id or 0, [])) for n in notes],
        names={uid: name for uid, name in names.all() if uid is not None},
    )
