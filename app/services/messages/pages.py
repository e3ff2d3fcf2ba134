"""What the conversation pages and their live streams show, for each kind of reader."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today
from app.errors import NotFound
from app.models import (
    Cover,
    GuideWorkingHours,
    Message,
    MessageEvent,
    MessageEventKind,
    ReplySnippet,
    Role,
    User,
    Youth,
)
from app.notifications.receipts import sms_receipts_of_messages
from app.security.access import Via, covered_guide_ids, reachable_youth_filter, youth_scope
from app.security.audit import open_youth
from app.services.messages import availability, conversation, event_log, inbox, snippets
from app.services.messages.availability import HelpLine, Week
from app.services.messages.conversation import MessageView
from app.services.messages.notify import covering_guides, team_leaders

RECEIPTS_PER_EVENT = 50


@dataclass(frozen=True)
class WhoAnswers:
    """Who the young person's guide is, who answers meanwhile, and when."""

    guide: User | None
    # The colleague covering for the guide now (the earliest cover), or none.
    covering: list[User]
    # Set when the guide was deactivated and nobody covers: the team's leaders.
    leaders: list[User]
    working_now: bool
    # The answerer's usual reply time; asked for only while they work (shown only then).
    usual_minutes: int | None
    next_opening: datetime | None
    week: Week
    help_lines: list[HelpLine]

    @property
    def guide_stopped(self) -> bool:
        """The guide was deactivated and no colleague covers: no one to wait for."""
        return self.guide is not None and not self.guide.is_active and not self.covering

    @property
    def answerer(self) -> User | None:
        return self.covering[0] if self.covering else self.guide

    @property
    def runs(self) -> list[tuple[int, int, int, int]]:
        """The working week as runs of days: (first day, last day, start, end minute)."""
        return availability.week_summary(self.week)


@dataclass(frozen=True)
class YouthPage:
    youth: Youth
    messages: list[MessageView]
    more: bool
    who: WhoAnswers
    last_event_id: int


@dataclass(frozen=True)
class GuidePage:
    youth: Youth
    person: User
    messages: list[MessageView]
    more: bool
    via: Via
    snippets: list[ReplySnippet]
    covering: list[User]
    last_event_id: int


# The page a young person opens most after home (hot path, see ARCHITECTURE.md): their
# course record with the guide, the colleague covering for the guide now (the earliest
# cover first, as `notify.covering_guides`), the working week of whoever answers (one
# row per working day; none: the default week) and the newest event id, in one
# statement built once.
_guide = aliased(User, name="guide")
_covering = aliased(User, name="covering")
_first_cover = (
    select(Cover.covering_guide_id)
    .where(
        col(Cover.absent_guide_id) == col(Youth.guide_id),
        col(Cover.starts_at) <= bindparam("now"),
        col(Cover.ends_at) > bindparam("now"),
    )
    .order_by(col(Cover.starts_at), col(Cover.id))
    .limit(1)
    .correlate(Youth)
    .scalar_subquery()
)
_YOUTH_CONVERSATION: Any = (
    sa_select(  # type: ignore[call-overload]
        Youth,
        _guide,
        _covering,
        GuideWorkingHours.weekday,
        GuideWorkingHours.start_minute,
        GuideWorkingHours.end_minute,
        event_log.LATEST_EVENT,
    )
    .outerjoin(_guide, col(_guide.id) == col(Youth.guide_id))
    .outerjoin(_covering, col(_covering.id) == _first_cover)
    .outerjoin(
        GuideWorkingHours,
        col(GuideWorkingHours.guide_id) == func.coalesce(col(_covering.id), col(_guide.id)),
    )
    .where(col(Youth.user_id) == bindparam("user_id"))
)


async def youth_page(
    db: AsyncSession, *, actor: User, now: datetime, before_id: int | None = None
) -> YouthPage:
    rows = (await db.exec(_YOUTH_CONVERSATION, params={"user_id": actor.id, "now": now})).all()
    if not rows:
        raise NotFound()
    youth, guide, covering, _day, _start, _end, last_event_id = rows[0]
    assert youth.id is not None
    week = {day: (start, end) for _, _, _, day, start, end, _ in rows if day is not None}
    messages, more = await conversation.history(db, reader=actor, youth=youth, before_id=before_id)
    return YouthPage(
        youth=youth,
        messages=messages,
        more=more,
        who=await _who_answers(
            db,
            youth=youth,
            guide=guide,
            covering=[covering] if covering is not None else [],
            week=week or dict(availability.DEFAULT_WEEK),
            now=now,
        ),
        last_event_id=int(last_event_id or 0),
    )


async def _who_answers(
    db: AsyncSession,
    *,
    youth: Youth,
    guide: User | None,
    covering: list[User],
    week: Week,
    now: datetime,
) -> WhoAnswers:
    """`week` is the answerer's: the covering colleague's, or else the guide's."""
    leaders: list[User] = []
    usual = None
    answerer = covering[0] if covering else guide
    if guide is None or (not covering and not guide.is_active):
        answerer = None
        week = dict(availability.DEFAULT_WEEK)
        if guide is not None:
            # Nobody answers as "your guide" any more: say who sees to it, promise no
            # reply time, until a leader hands the young person over.
            leaders = await team_leaders(db, guide=guide)
    working_now = availability.is_working(now, week)
    if working_now and answerer is not None:
        # Shown only while the answerer works, and it reads their answers of 3 months.
        assert answerer.id is not None
        usual = await availability.usual_reply_minutes(db, guide_id=answerer.id, week=week, now=now)
    return WhoAnswers(
        guide=guide,
        covering=covering,
        leaders=leaders,
        working_now=working_now,
        usual_minutes=usual,
        next_opening=availability.next_opening(now, week),
        week=week,
        help_lines=await availability.help_lines(
            db, birth_date=youth.birth_date, today=copenhagen_today(now)
        ),
    )


async def guide_page(
    db: AsyncSession, *, actor: User, youth_id: int, now: datetime, before_id: int | None = None
) -> GuidePage:
    """A young person's conversation for their guide or a covering colleague (audited)."""
    youth, via = await conversation.open_conversation(db, actor=actor, youth_id=youth_id, now=now)
    person = await db.get(User, youth.user_id)
    assert person is not None and youth.id is not None
    views, more = await conversation.history(db, reader=actor, youth=youth, before_id=before_id)
    covering = await covering_guides(db, guide_id=youth.guide_id, now=now) if youth.guide_id else []
    sms = await sms_receipts_of_messages(db, [view.id for view in views if not view.is_system])
    return GuidePage(
        youth=youth,
        person=person,
        messages=[replace(view, sms_receipt=sms.get(view.id)) for view in views],
        more=more,
        via=via,
        snippets=await snippets.list_own(db, actor=actor),
        covering=covering,
        last_event_id=await event_log.latest_id(db, youth_ids=[youth.id]),
    )


# -- live streams ----------------------------------------------------------------------


@dataclass(frozen=True)
class StreamScope:
    """What one open stream follows: one conversation, or (a guide's inbox) all of them."""

    viewer: User
    youth_ids: list[int]
    conversation: Youth | None


@dataclass
class StreamEvent:
    id: int
    kind: str
    youth_id: int
    added: list[MessageView] = field(default_factory=list)
    receipts: list[MessageView] = field(default_factory=list)


@dataclass
class StreamBatch:
    events: list[StreamEvent]
    badge: int
    still_allowed: bool = True


async def stream_scope(
    db: AsyncSession, *, actor: User, youth_id: int | None, now: datetime
) -> StreamScope:
    """Check what a stream may follow. Opening one young person's conversation is audited
    like the page (once per opening: a stream replays the whole history from `after=0`);
    the inbox stream carries event ids only, no text, and is not."""
    if actor.role == Role.youth:
        youth = await conversation.youth_of(db, actor)
        assert youth.id is not None
        return StreamScope(viewer=actor, youth_ids=[youth.id], conversation=youth)
    if actor.role != Role.guide:
        raise NotFound()
    if youth_id is not None:
        await open_youth(db, actor=actor, youth_id=youth_id, action="messages.view", now=now)
        followed = await db.get(Youth, youth_id)
        assert followed is not None
        return StreamScope(viewer=actor, youth_ids=[youth_id], conversation=followed)
    assert actor.id is not None
    covered = await covered_guide_ids(db, guide_id=actor.id, now=now)
    ids = (await db.exec(select(Youth.id).where(reachable_youth_filter(actor.id, covered)))).all()
    return StreamScope(viewer=actor, youth_ids=[i for i in ids if i is not None], conversation=None)


async def stream_batch(
    db: AsyncSession, *, scope: StreamScope, after_id: int, skip: set[int], now: datetime
) -> StreamBatch:
    """The events a stream has not sent yet, as its reader sees them, and the badge."""
    viewer, youth = scope.viewer, scope.conversation
    low = max(0, after_id - event_log.LOOKBACK_IDS)
    if youth is None:
        rows = await event_log.after(db, youth_ids=scope.youth_ids, after_id=low)
        events = [
            StreamEvent(id=r.id or 0, kind=str(r.kind), youth_id=r.youth_id)
            for r in rows
            if r.id not in skip and (r.id or 0) > 0
        ]
        return StreamBatch(events=events, badge=await inbox.guide_unread(db, actor=viewer, now=now))
    if viewer.role == Role.guide:
        try:
            await youth_scope(db, actor=viewer, youth_id=youth.id or 0, now=now)
        except NotFound:
            return StreamBatch(events=[], badge=0, still_allowed=False)
    return await _conversation_batch(db, viewer=viewer, youth=youth, after_id=low, skip=skip)


def _conversation_news(reader_is_youth: bool) -> Any:
    """A conversation's events after an id, each with its message, the sender's name and
    the reader's unread count: everything one wake-up of a stream needs, in one query."""
    sender = aliased(User)
    unread = (
        select(func.count())
        .select_from(Message)
        .where(
            col(Message.youth_id) == bindparam("youth_id"),
            col(Message.read_at).is_(None),
            conversation.unread_filter(reader_is_youth, bindparam("youth_user_id")),
        )
        .scalar_subquery()
    )
    shown = aliased(Message)
    return (
        select(MessageEvent, shown, sender.name, unread)
        .outerjoin(
            shown,
            and_(
                col(MessageEvent.kind) == MessageEventKind.message,
                col(shown.id) == col(MessageEvent.message_id),
            ),
        )
        .outerjoin(sender, col(sender.id) == col(shown.sender_id))
        .where(
            col(MessageEvent.youth_id) == bindparam("youth_id"),
            col(MessageEvent.id) > bindparam("after_id"),
        )
        .order_by(col(MessageEvent.id))
        .limit(event_log.BATCH_LIMIT)
    )


# Every message wakes a stream that runs this: built once (see `app/db.py`).
_CONVERSATION_NEWS = {True: _conversation_news(True), False: _conversation_news(False)}


async def _conversation_batch(
    db: AsyncSession, *, viewer: User, youth: Youth, after_id: int, skip: set[int]
) -> StreamBatch:
    reader_is_youth = viewer.role == Role.youth
    params = {"youth_id": youth.id, "youth_user_id": youth.user_id, "after_id": after_id}
    rows = (await db.exec(_CONVERSATION_NEWS[reader_is_youth], params=params)).all()
    events = []
    badge: int | None = None
    for event, message, sender_name, unread in rows:
        badge = int(unread or 0)
        if event.id in skip or (event.id or 0) <= 0:
            continue
        item = StreamEvent(id=event.id or 0, kind=str(event.kind), youth_id=event.youth_id)
        if message is not None:
            item.added = [conversation.view_of(message, sender_name, reader=viewer, youth=youth)]
        elif event.kind == MessageEventKind.read and _is_receipt_for(viewer, youth, event):
            item.receipts = await _receipts(db, viewer, youth, event.message_id or 0)
        events.append(item)
    if badge is None:  # no events at all: the count on its own
        badge = await conversation.unread_count(db, reader=viewer, youth=youth)
    return StreamBatch(events=events, badge=badge)


def _is_receipt_for(viewer: User, youth: Youth, event: object) -> bool:
    actor_id = getattr(event, "actor_id", None)
    if viewer.role == Role.youth:
        return actor_id != viewer.id
    return actor_id == youth.user_id


async def _receipts(db: AsyncSession, viewer: User, youth: Youth, up_to: int) -> list[MessageView]:
    rows = list(
        (
            await db.exec(
                select(Message)
                .where(
                    Message.youth_id == youth.id,
                    col(Message.id) <= up_to,
                    col(Message.read_at).is_not(None),
                )
                .order_by(col(Message.id).desc())
                .limit(RECEIPTS_PER_EVENT)
            )
        ).all()
    )
    shown = await conversation.views(db, rows, reader=viewer, youth=youth)
    return [v for v in shown if v.mine and not v.is_system]
