"""Who hears about a new message when they are not looking, and when.

Rows go into the outbox (`enqueue`) in the message's own transaction; the notification
worker delivers them. Never with the message text: only who wrote and which message.

- To a young person who has no stream open: a "message.new" notification (push, or
  whatever their preferences say), held back during the quiet hours 22–07.
- To a young person, always: an SMS fallback after a delay (30 min by default), also
  outside quiet hours. Its params carry `cancel_if_read_message_id`: the worker must
  cancel it when that message has been read by then.
- To the guide who answers (the covering colleague while the guide is away), when
  they have no stream open: a "message.new" notification.
- When the guide was deactivated and nobody covers: the team's leaders get a
  "youth.without_guide" notification, so someone hands the young person over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today
from app.models import Cover, Message, RealtimePresence, Role, User, Youth
from app.notifications.outbox import enqueue
from app.notifications.rules import quiet_hours
from app.realtime.hub import PRESENCE_STALE, hub
from app.services.messages.availability import after_quiet_hours, sms_fallback_minutes

KIND = "message.new"
WITHOUT_GUIDE_KIND = "youth.without_guide"
_PRESENT = select(RealtimePresence.id).where(
    col(RealtimePresence.user_id) == bindparam("user_id"),
    col(RealtimePresence.seen_at) > bindparam("fresh_after"),
)


async def is_connected(db: AsyncSession, *, user_id: int, now: datetime) -> bool:
    """Whether this person has a live message stream open on any app process."""
    if hub.connected_here(user_id):
        return True
    params = {"user_id": user_id, "fresh_after": now - PRESENCE_STALE}
    return (await db.exec(_PRESENT, params=params)).first() is not None


async def covering_guides(db: AsyncSession, *, guide_id: int, now: datetime) -> list[User]:
    """The colleagues answering for this guide right now (empty when the guide is in)."""
    rows = await db.exec(
        select(User)
        .join(Cover, col(Cover.covering_guide_id) == col(User.id))
        .where(
            Cover.absent_guide_id == guide_id,
            col(Cover.starts_at) <= now,
            col(Cover.ends_at) > now,
        )
        .order_by(col(Cover.starts_at))
    )
    return list({guide.id: guide for guide in rows.all()}.values())


async def new_message(
    db: AsyncSession, *, message: Message, youth: Youth, sender: User, now: datetime
) -> None:
    assert message.id is not None and youth.id is not None
    params: dict[str, str | int | float | bool | None] = {
        "youth_id": youth.id,
        "message_id": message.id,
    }
    if sender.role == Role.youth:
        await _to_guides(db, youth=youth, message_id=message.id, params=params, now=now)
        return
    hours = await quiet_hours(db)
    if not await is_connected(db, user_id=youth.user_id, now=now):
        await enqueue(
            db,
            user_id=youth.user_id,
            kind=KIND,
            dedupe_key=f"{KIND}:{message.id}",
            params=params,
            now=now,
            not_before=after_quiet_hours(now, hours),
        )
    delay = timedelta(minutes=await sms_fallback_minutes(db))
    await enqueue(
        db,
        user_id=youth.user_id,
        kind=KIND,
        channel="sms",
        dedupe_key=f"{KIND}:{message.id}:sms",
        params={**params, "cancel_if_read_message_id": message.id},
        now=now,
        not_before=after_quiet_hours(now + delay, hours),
    )


async def _to_guides(
    db: AsyncSession,
    *,
    youth: Youth,
    message_id: int,
    params: dict[str, str | int | float | bool | None],
    now: datetime,
) -> None:
    if youth.guide_id is None:
        return
    covering = await covering_guides(db, guide_id=youth.guide_id, now=now)
    guide = await db.get(User, youth.guide_id)
    if not covering and (guide is None or not guide.is_active):
        await _to_leaders(db, youth=youth, former_guide=guide, now=now)
        return
    recipients = [g.id for g in covering if g.id is not None] or [youth.guide_id]
    for guide_id in recipients:
        if await is_connected(db, user_id=guide_id, now=now):
            continue
        await enqueue(
            db,
            user_id=guide_id,
            kind=KIND,
            dedupe_key=f"{KIND}:{message_id}:{guide_id}",
            params=params,
            now=now,
        )


async def team_leaders(db: AsyncSession, *, guide: User | None) -> list[User]:
    """The active leaders of a guide's team: who sees to it that the young people of a
    deactivated guide get an answer until they are handed over."""
    if guide is None or guide.team_id is None:
        return []
    rows = await db.exec(
        select(User)
        .where(User.role == Role.leader, User.team_id == guide.team_id, col(User.is_active))
        .order_by(col(User.id))
    )
    return list(rows.all())


async def _to_leaders(
    db: AsyncSession, *, youth: Youth, former_guide: User | None, now: datetime
) -> None:
    """A young person whose guide was deactivated wrote: their team leaders hear of it
    (once a day per young person; without the message, which leaders do not read)."""
    assert youth.id is not None
    day = copenhagen_today(now).isoformat()
    for leader in await team_leaders(db, guide=former_guide):
        assert leader.id is not None
        await enqueue(
            db,
            user_id=leader.id,
            kind=WITHOUT_GUIDE_KIND,
            dedupe_key=f"{WITHOUT_GUIDE_KIND}:{youth.id}:{day}:{leader.id}",
            params={},
            now=now,
        )
