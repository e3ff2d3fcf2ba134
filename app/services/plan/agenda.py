"""The young person's agenda: what they want to talk about next time.

The practice lets the young person speak first and set the agenda; the guide sees the
open items on the next appointment and marks them talked about.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.models import AgendaItem, Appointment, User
from app.security.access import Via, youth_scope
from app.services.client_keys import insert_once
from app.services.plan.steps import own_youth
from app.services.plan.text_input import RequiredText


class AgendaForm(BaseModel):
    text: RequiredText = Field(min_length=1, max_length=500)


async def open_items(db: AsyncSession, *, youth_id: int) -> list[AgendaItem]:
    """Items not yet talked about, oldest first. Callers have checked access."""
    rows = await db.exec(
        select(AgendaItem)
        .where(
            AgendaItem.youth_id == youth_id,
            col(AgendaItem.discussed_at).is_(None),
            col(AgendaItem.removed_at).is_(None),
        )
        .order_by(col(AgendaItem.created_at), col(AgendaItem.id))
    )
    return list(rows.all())


async def add_item(
    db: AsyncSession, *, actor: User, data: AgendaForm, client_key: str, now: datetime
) -> AgendaItem:
    youth = await own_youth(db, actor=actor)
    assert youth.id is not None
    item, _created = await insert_once(
        db, AgendaItem(youth_id=youth.id, text=data.text, client_key=client_key, created_at=now)
    )
    return item


async def remove_item(db: AsyncSession, *, actor: User, item_id: int, now: datetime) -> None:
    """The young person takes back an item that was not talked about yet."""
    item = await db.get(AgendaItem, item_id)
    if item is None or item.discussed_at is not None:
        raise NotFound()
    if await youth_scope(db, actor=actor, youth_id=item.youth_id, now=now) is not Via.self_:
        raise NotFound()
    if item.removed_at is None:
        item.removed_at = now
        db.add(item)
        await db.flush()


async def mark_discussed(
    db: AsyncSession, *, actor: User, youth_id: int, item_id: int, now: datetime
) -> AgendaItem:
    """The guide marks an item talked about, at the appointment that just was, if any."""
    if await youth_scope(db, actor=actor, youth_id=youth_id, now=now) is Via.self_:
        raise NotFound()
    item = await db.get(AgendaItem, item_id)
    if item is None or item.youth_id != youth_id:
        raise NotFound()
    if item.discussed_at is None:
        latest = (
            await db.exec(
                select(Appointment.id)
                .where(Appointment.youth_id == youth_id, col(Appointment.starts_at) <= now)
                .order_by(col(Appointment.starts_at).desc())
                .limit(1)
            )
        ).first()
        item.discussed_at = now
        item.appointment_id = latest
        db.add(item)
        await db.flush()
    return item
