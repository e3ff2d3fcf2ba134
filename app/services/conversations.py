"""What the conversation pages and their live streams show, for each kind of reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.models import Message, MessageEventKind, ReplySnippet, Role, User, Youth
from app.security.access import Via, covered_guide_ids, reachable_youth_filter, youth_scope
from app.services import availability, inbox, message_events, messages, snippets
from app.services.availability import HelpLine, Week
from app.services.message_notify import covering_guides
from app.services.messages import MessageView

RECEIPTS_PER_EVENT = 50


@dataclass(frozen=True)
class WhoAnswers:
    """Who the young person's guide is, who answers meanwhile, and when."""

    guide: User | None
    covering: list[User]
    working_now: bool
    usual_minutes: int | None
    next_opening: datetime | None
    week: Week
    help_lines: list[HelpLine]

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


async def who_answers(db: AsyncSession, *, youth: Youth, now: datetime) -> WhoAnswers:
    guide = await db.get(User, youth.guide_id) if youth.guide_id else None
    covering: list[User] = []
    week: Week = dict(availability.DEFAULT_WEEK)
    usual = None
    if guide is not None and guide.id is not None:
        covering = await covering_guides(db, guide_id=guide.id, now=now)
        answerer = covering[0] if covering else guide
        assert answerer.id is not None
        week = await availability.working_week(db, answerer.id)
        usual = await availability.usual_reply_minutes(db, guide_id=answerer.id, now=now)
    return WhoAnswers(
        guide=guide,
        covering=covering,
        working_now=availability.is_working(now, week),
        usual_minutes=usual,
        next_opening=availability.next_opening(now, week),
        week=week,
        help_lines=await availability.help_lines(
            db, birth_date=youth.birth_date, today=now.astimezone(availability.LOCAL_TZ).date()
        ),
    )


async def youth_page(
    db: AsyncSession, *, actor: User, now: datetime, before_id: int | None = None
) -> YouthPage:
    youth = await messages.youth_of(db, actor)
    assert youth.id is not None
    rows, more = await messages.history(db, youth_id=youth.id, before_id=before_id)
    return YouthPage(
        youth=youth,
        messages=await messages.views(db, rows, reader=actor, youth=youth),
        more=more,
        who=await who_answers(db, youth=youth, now=now),
        last_event_id=await message_events.latest_id(db, youth_ids=[youth.id]),
    )


async def guide_page(
    db: AsyncSession, *, actor: User, youth_id: int, now: datetime, before_id: int | None = None
) -> GuidePage:
    """A young person's conversation for their guide or a covering colleague (audited)."""
    youth, via = await messages.open_conversation(db, actor=actor, youth_id=youth_id, now=now)
    person = await db.get(User, youth.user_id)
    assert person is not None and youth.id is not None
    rows, more = await messages.history(db, youth_id=youth.id, before_id=before_id)
    covering = await covering_guides(db, guide_id=youth.guide_id, now=now) if youth.guide_id else []
    return GuidePage(
        youth=youth,
        person=person,
        messages=await messages.views(db, rows, reader=actor, youth=youth),
        more=more,
        via=via,
        snippets=await snippets.list_own(db, actor=actor),
        covering=covering,
        last_event_id=await message_events.latest_id(db, youth_ids=[youth.id]),
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
    """Check what a stream may follow. Not audited: the page that opens it was."""
    if actor.role == Role.youth:
        youth = await messages.youth_of(db, actor)
        assert youth.id is not None
        return StreamScope(viewer=actor, youth_ids=[youth.id], conversation=youth)
    if actor.role != Role.guide:
        raise NotFound()
    if youth_id is not None:
        await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
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
    if youth is not None and viewer.role == Role.guide:
        try:
            await youth_scope(db, actor=viewer, youth_id=youth.id or 0, now=now)
        except NotFound:
            return StreamBatch(events=[], badge=0, still_allowed=False)
    rows = await message_events.after(
        db, youth_ids=scope.youth_ids, after_id=max(0, after_id - message_events.LOOKBACK_IDS)
    )
    rows = [r for r in rows if r.id not in skip and (r.id or 0) > 0]
    if not rows:
        return StreamBatch(events=[], badge=await _badge(db, scope, now))
    events = [StreamEvent(id=r.id or 0, kind=str(r.kind), youth_id=r.youth_id) for r in rows]
    if youth is not None:
        await _fill_conversation(db, scope, youth, rows, events)
    return StreamBatch(events=events, badge=await _badge(db, scope, now))


async def _fill_conversation(
    db: AsyncSession, scope: StreamScope, youth: Youth, rows: list, events: list[StreamEvent]
) -> None:
    assert youth.id is not None
    added_ids = [r.message_id for r in rows if r.kind == MessageEventKind.message and r.message_id]
    added = await messages.messages_by_id(db, youth_id=youth.id, ids=added_ids)
    added_views = {
        v.id: v for v in await messages.views(db, added, reader=scope.viewer, youth=youth)
    }
    for row, item in zip(rows, events, strict=True):
        if row.kind == MessageEventKind.message and row.message_id in added_views:
            item.added = [added_views[row.message_id]]
        elif row.kind == MessageEventKind.read and _is_receipt_for(scope.viewer, youth, row):
            item.receipts = await _receipts(db, scope.viewer, youth, row.message_id or 0)


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
    shown = await messages.views(db, rows, reader=viewer, youth=youth)
    return [v for v in shown if v.mine and not v.is_system]


async def _badge(db: AsyncSession, scope: StreamScope, now: datetime) -> int:
    if scope.viewer.role == Role.youth and scope.conversation is not None:
        return await messages.unread_count(db, reader=scope.viewer, youth=scope.conversation)
    return await inbox.guide_unread(db, actor=scope.viewer, now=now)
