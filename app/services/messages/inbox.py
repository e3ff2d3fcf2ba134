"""The guide's inbox: every conversation of the caseload (and covered young people),
the one waiting longest for an answer first; and the leader's view of answers that are
overdue, in numbers only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Forbidden
from app.models import Message, MessageKind, Role, User, Youth
from app.security.access import REACHABLE_YOUTH, covered_guide_ids, reachable_youth_filter
from app.services.messages import availability, event_log


@dataclass(frozen=True)
class Waiting:
    """How long a young person has waited for an answer (None: nothing unanswered)."""

    since: datetime | None
    working_minutes: int
    overdue: bool


@dataclass(frozen=True)
class InboxRow:
    youth: Youth
    person: User
    covered: bool
    last: Message | None
    last_from_youth: bool
    unread: int
    waiting: Waiting


@dataclass(frozen=True)
class Inbox:
    rows: list[InboxRow]
    unread: int
    overdue: int
    last_event_id: int
    limit_minutes: int


async def _conversation_facts(
    db: AsyncSession, youth_ids: list[int]
) -> tuple[dict[int, int], dict[int, datetime], dict[int, int], dict[int, Message]]:
    """Per young person: last answer id, first unanswered time, unread count, last message."""
    if not youth_ids:
        return {}, {}, {}, {}
    from_youth = col(Message.sender_id) == col(Youth.user_id)
    answer = and_(
        col(Message.kind) == MessageKind.text, col(Message.sender_id) != col(Youth.user_id)
    )
    in_scope = col(Message.youth_id).in_(youth_ids)
    join = col(Youth.id) == col(Message.youth_id)
    answered: dict[int, int] = {
        youth_id: int(newest or 0)
        for youth_id, newest in (
            await db.exec(
                select(Message.youth_id, func.max(Message.id))
                .join(Youth, join)
                .where(in_scope, answer)
                .group_by(col(Message.youth_id))
            )
        ).all()
    }
    youth_rows = (
        await db.exec(
            select(Message.youth_id, Message.id, Message.sent_at, Message.read_at)
            .join(Youth, join)
            .where(in_scope, from_youth)
            .order_by(col(Message.id))
        )
    ).all()
    waiting: dict[int, datetime] = {}
    unread: dict[int, int] = {}
    for youth_id, message_id, sent_at, read_at in youth_rows:
        if (message_id or 0) > answered.get(youth_id, 0):
            waiting.setdefault(youth_id, sent_at)
        if read_at is None:
            unread[youth_id] = unread.get(youth_id, 0) + 1
    last_ids = (
        await db.exec(select(func.max(Message.id)).where(in_scope).group_by(col(Message.youth_id)))
    ).all()
    last_rows = (await db.exec(select(Message).where(col(Message.id).in_(last_ids)))).all()
    return answered, waiting, unread, {m.youth_id: m for m in last_rows}


# The guide's inbox (hot path): every young person the guide may reach (their own, and
# those of the colleagues they cover: `reachable_youth_filter` with bind parameters),
# each with what its row shows, in one statement built once. Waiting: the young
# person's first message after the last answer from staff (as `_conversation_facts`).
_last_answer = (
    select(func.max(Message.id))
    .where(
        col(Message.youth_id) == col(Youth.id),
        col(Message.kind) == MessageKind.text,
        col(Message.sender_id) != col(Youth.user_id),
    )
    .correlate(Youth)
    .scalar_subquery()
)
_waiting_since = (
    select(Message.sent_at)
    .where(
        col(Message.youth_id) == col(Youth.id),
        col(Message.sender_id) == col(Youth.user_id),
        col(Message.id) > func.coalesce(_last_answer, 0),
    )
    .order_by(col(Message.id))
    .limit(1)
    .correlate(Youth)
    .scalar_subquery()
)
_unread = (
    select(func.count())
    .select_from(Message)
    .where(
        col(Message.youth_id) == col(Youth.id),
        col(Message.sender_id) == col(Youth.user_id),
        col(Message.read_at).is_(None),
    )
    .correlate(Youth)
    .scalar_subquery()
)
_last_id = (
    select(func.max(Message.id))
    .where(col(Message.youth_id) == col(Youth.id))
    .correlate(Youth)
    .scalar_subquery()
)
_last = aliased(Message, name="last_message")
_INBOX: Any = (
    sa_select(Youth, User, _last, _waiting_since, _unread, event_log.LATEST_EVENT)  # type: ignore[call-overload]
    .join(User, col(User.id) == col(Youth.user_id))
    .outerjoin(_last, col(_last.id) == _last_id)
    .where(REACHABLE_YOUTH)
    .order_by(col(Youth.id))
)


async def guide_inbox(db: AsyncSession, *, actor: User, now: datetime) -> Inbox:
    """All reachable conversations, longest waiting first. A list: no audit."""
    assert actor.id is not None
    covered = await covered_guide_ids(db, guide_id=actor.id, now=now)
    found = (await db.exec(_INBOX, params={"guide_id": actor.id, "covered": covered})).all()
    limit = await availability.unanswered_limit_minutes(db)
    waited = await _working_minutes_waited(db, found, now)
    rows = []
    for youth, person, message, since, unread, _event in found:
        minutes = waited.get(youth.id, 0)
        rows.append(
            InboxRow(
                youth=youth,
                person=person,
                covered=youth.guide_id != actor.id,
                last=message,
                last_from_youth=message is not None and message.sender_id == youth.user_id,
                unread=int(unread or 0),
                waiting=Waiting(since=since, working_minutes=minutes, overdue=minutes > limit),
            )
        )
    rows.sort(key=_inbox_order)
    return Inbox(
        rows=rows,
        unread=sum(r.unread for r in rows),
        overdue=sum(1 for r in rows if r.waiting.overdue),
        last_event_id=max((int(event or 0) for *_, event in found), default=0),
        limit_minutes=limit,
    )


async def _working_minutes_waited(db: AsyncSession, found: Any, now: datetime) -> dict[int, int]:
    """Per waiting young person (id): working minutes waited until now, on the guide's week."""
    waits: dict[int | None, list[tuple[int, datetime]]] = {}
    for youth, _, _, since, _, _ in found:
        if since is not None:
            waits.setdefault(youth.guide_id, []).append((youth.id, since))
    weeks = await availability.working_weeks(db, sorted(g for g in waits if g))
    waited: dict[int, int] = {}
    for guide_id, group in waits.items():
        week = weeks.get(guide_id or 0, availability.DEFAULT_WEEK)
        minutes = availability.working_minutes_each([(since, now) for _, since in group], week)
        waited.update(zip([youth_id for youth_id, _ in group], minutes, strict=True))
    return waited


def _inbox_order(row: InboxRow) -> tuple[int, float, str]:
    if row.waiting.since is not None:
        return (0, row.waiting.since.timestamp(), row.person.name)
    last = row.last.sent_at.timestamp() if row.last else 0.0
    return (1, -last, row.person.name)


async def guide_unread(db: AsyncSession, *, actor: User, now: datetime) -> int:
    """The guide's badge: unread messages from reachable young people."""
    assert actor.id is not None
    covered = await covered_guide_ids(db, guide_id=actor.id, now=now)
    value = (
        await db.exec(
            select(func.count())
            .select_from(Message)
            .join(Youth, col(Youth.id) == col(Message.youth_id))
            .where(
                reachable_youth_filter(actor.id, covered),
                col(Message.sender_id) == col(Youth.user_id),
                col(Message.read_at).is_(None),
            )
        )
    ).one()
    return int(value or 0)


@dataclass(frozen=True)
class OverdueByGuide:
    guide: User
    overdue: int
    longest_minutes: int


async def overdue_for_leader(
    db: AsyncSession, *, actor: User, now: datetime
) -> list[OverdueByGuide]:
    """Per guide of the leader's team: conversations waiting too long. Numbers, no text."""
    if actor.role != Role.leader:
        raise Forbidden()
    guides = list(
        (
            await db.exec(
                select(User)
                .where(User.role == Role.guide, User.team_id == actor.team_id, col(User.is_active))
                .order_by(col(User.name))
            )
        ).all()
    )
    guide_ids = [g.id for g in guides if g.id is not None]
    youth_rows = (
        await db.exec(select(Youth.id, Youth.guide_id).where(col(Youth.guide_id).in_(guide_ids)))
    ).all()
    _answered, waiting, _unread, _last = await _conversation_facts(
        db, [yid for yid, _ in youth_rows if yid is not None]
    )
    limit = await availability.unanswered_limit_minutes(db)
    weeks = await availability.working_weeks(db, guide_ids)
    counts: dict[int, list[int]] = {gid: [] for gid in guide_ids}
    for youth_id, guide_id in youth_rows:
        since = waiting.get(youth_id or 0)
        if since is None or guide_id is None:
            continue
        minutes = availability.working_minutes_between(since, now, weeks[guide_id])
        if minutes > limit:
            counts[guide_id].append(minutes)
    return [
        OverdueByGuide(
            guide=g,
            overdue=len(counts[g.id or 0]),
            longest_minutes=max(counts[g.id or 0], default=0),
        )
        for g in guides
    ]
