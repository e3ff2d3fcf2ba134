"""The conversation between a young person and "min ungeguide".

There is one conversation per young person. It belongs to the young person, not to a
guide: after a change of guide the new guide sees the whole history, and a colleague
covering for an absent guide answers in the same conversation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, func, update
from sqlalchemy import select as sa_select
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import bound_values, dialect_of, for_each_dialect, insert_returning
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import N_, gettext
from app.models import Message, MessageEventKind, MessageKind, Role, User, Youth
from app.security.access import Via, youth_scope
from app.security.audit import open_youth
from app.security.rate_limit import check_rate
from app.services.client_keys import checked_client_key, new_client_key
from app.services.messages import event_log, notify

MAX_LENGTH = 4000
PAGE_SIZE = 100

# The system line the handover feature posts when the guide changes.
GUIDE_CHANGED = N_(
    "%(name)s is your guide now. %(name)s can read your earlier messages, "
    "so you do not have to start over."
)

SEND_LIMIT_PER_MINUTE = 120
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class MessageView:
    """One message as a given reader sees it."""

    id: int
    kind: str
    body: str
    mine: bool
    sender_name: str | None
    sent_at: datetime
    read_at: datetime | None
    by_reader: bool = False
    client_key: str | None = None
    system_params: dict[str, Any] = field(default_factory=dict)
    # The SMS provider's receipt for the young person's SMS about this message
    # ("delivered"/"undelivered"); only the guide's page asks for it.
    sms_receipt: str | None = None

    @property
    def is_system(self) -> bool:
        return self.kind == MessageKind.system

    @property
    def text(self) -> str:
        """The body; a system line translated into the reader's language."""
        if not self.is_system:
            return self.body
        try:
            return gettext(self.body, **self.system_params)
        except (KeyError, TypeError, ValueError):
            return gettext(self.body)


async def youth_of(db: AsyncSession, actor: User) -> Youth:
    youth = (await db.exec(select(Youth).where(Youth.user_id == actor.id))).first()
    if youth is None or youth.id is None:
        raise NotFound()
    return youth


async def views(
    db: AsyncSession, messages: list[Message], *, reader: User, youth: Youth
) -> list[MessageView]:
    """Turn rows into what `reader` sees (mine/theirs, sender's first name), in one query."""
    assert reader.id is not None
    names = {reader.id: reader.name}
    sender_ids = {m.sender_id for m in messages if m.sender_id is not None} - names.keys()
    if sender_ids:
        rows = await db.exec(select(User.id, User.name).where(col(User.id).in_(sender_ids)))
        names.update({uid: name for uid, name in rows.all() if uid is not None})
    return [
        view_of(m, names.get(m.sender_id) if m.sender_id else None, reader=reader, youth=youth)
        for m in messages
    ]


def view_of(
    m: StoredMessage, sender_name: str | None, *, reader: User, youth: Youth
) -> MessageView:
    """One row as `reader` sees it; `sender_name` is the sender's full name (or None)."""
    assert m.id is not None
    from_youth = m.sender_id == youth.user_id
    mine = from_youth if reader.role == Role.youth else (m.sender_id is not None and not from_youth)
    params: dict[str, Any] = {}
    body = m.body
    if m.kind == MessageKind.system:
        body, params = _system_parts(m.body)
    return MessageView(
        id=m.id,
        kind=str(m.kind),
        body=body,
        mine=mine,
        sender_name=_first_name(sender_name) if sender_name else None,
        sent_at=m.sent_at,
        read_at=m.read_at,
        by_reader=m.sender_id == reader.id,
        client_key=m.client_key if m.sender_id == reader.id else None,
        system_params=params,
    )


def _first_name(name: str) -> str:
    return name.split(" ", 1)[0]


def _system_parts(stored: str) -> tuple[str, dict[str, Any]]:
    try:
        data = json.loads(stored)
    except ValueError:
        return stored, {}
    if not isinstance(data, dict):
        return stored, {}
    return str(data.get("id", "")), dict(data.get("params") or {})


class StoredMessage(Protocol):
    """A message as read: a `Message`, or a plain row of the columns a reader is shown."""

    @property
    def id(self) -> int | None: ...
    @property
    def sender_id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def client_key(self) -> str: ...
    @property
    def sent_at(self) -> datetime: ...
    @property
    def read_at(self) -> datetime | None: ...


def _history(before: bool) -> Any:
    """The newest page of a conversation (before `:before_id`), newest first, as plain
    rows with the sender's full name: more than a hundred objects nobody changes."""
    query: Any = (
        sa_select(
            col(Message.id),
            col(Message.sender_id),
            col(Message.kind),
            col(Message.body),
            col(Message.client_key),
            col(Message.sent_at),
            col(Message.read_at),
            col(User.name).label("sender_name"),
        )
        .outerjoin(User, col(User.id) == col(Message.sender_id))
        .where(col(Message.youth_id) == bindparam("youth_id"))
    )
    if before:
        query = query.where(col(Message.id) < bindparam("before_id"))
    return query.order_by(col(Message.id).desc()).limit(PAGE_SIZE + 1)


# Every conversation page reads this: built once (see `app/db.py`).
_HISTORY = {False: _history(False), True: _history(True)}


async def history(
    db: AsyncSession, *, reader: User, youth: Youth, before_id: int | None = None
) -> tuple[list[MessageView], bool]:
    """The newest `PAGE_SIZE` messages (before `before_id`) as `reader` sees them, oldest
    first, and whether more exist."""
    params: dict[str, Any] = {"youth_id": youth.id}
    if before_id is not None:
        params["before_id"] = before_id
    rows = (await db.exec(_HISTORY[before_id is not None], params=params)).all()
    shown = [
        view_of(row, row.sender_name, reader=reader, youth=youth)
        for row in reversed(rows[:PAGE_SIZE])
    ]
    return shown, len(rows) > PAGE_SIZE


async def open_conversation(
    db: AsyncSession, *, actor: User, youth_id: int, now: datetime
) -> tuple[Youth, Via]:
    """Check access; staff opening a young person's conversation is audited."""
    via = await open_youth(db, actor=actor, youth_id=youth_id, action="messages.view", now=now)
    youth = await db.get(Youth, youth_id)
    assert youth is not None
    return youth, via


def clean_body(body: str | None) -> str:
    """The text to store, or ValidationFailed next to the field, keeping what was typed."""
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed({"body": gettext("Write a message first.")}, {"body": body or ""})
    if len(text) > MAX_LENGTH:
        raise ValidationFailed(
            {
                "body": gettext("This is too long (at most %(max_length)s characters).")
                % {"max_length": MAX_LENGTH}
            },
            {"body": body},
        )
    return text


_MESSAGE_VALUES = ("youth_id", "sender_id", "kind", "body", "client_key", "sent_at")
_INSERT_MESSAGE = for_each_dialect(
    lambda insert: (
        insert(Message.__table__)  # type: ignore[attr-defined]
        .values(bound_values(_MESSAGE_VALUES))
        .on_conflict_do_nothing(index_elements=["client_key"])
        .returning(*Message.__table__.c)  # type: ignore[attr-defined]
    )
)


async def _insert_once(db: AsyncSession, values: dict[str, Any]) -> tuple[Message, bool]:
    """Insert by client key; a retry returns the stored row and False."""
    inserted = await insert_returning(db, _INSERT_MESSAGE[dialect_of(db)], values, Message)
    if inserted is not None:
        return inserted, True
    row = (await db.exec(select(Message).where(Message.client_key == values["client_key"]))).one()
    return row, False


async def send(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int,
    body: str | None,
    client_key: str | None,
    now: datetime,
) -> Message:
    """Store a message once per client key, log the event and queue notifications."""
    # Held for the whole call: the session keeps loaded rows only while someone holds
    # them, and every later lookup of this young person is then answered without SQL.
    youth = await db.get(Youth, youth_id)
    await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    assert youth is not None
    text = clean_body(body)
    key = checked_client_key(client_key)
    # Far above any person's typing speed; stops a runaway script or a stuck retry loop.
    await check_rate(
        db, key=f"message.send:{actor.id}", limit=SEND_LIMIT_PER_MINUTE, window=MINUTE, now=now
    )
    message, created = await _insert_once(
        db,
        {
            "youth_id": youth_id,
            "sender_id": actor.id,
            "kind": MessageKind.text,
            "body": text,
            "client_key": key,
            "sent_at": now,
        },
    )
    if message.youth_id != youth_id or message.sender_id != actor.id:
        raise Conflict()  # the key was used for another message: never show that one
    if created:
        assert message.id is not None
        await event_log.record(
            db,
            youth_id=youth_id,
            kind=MessageEventKind.message,
            message_id=message.id,
            actor_id=actor.id,
            now=now,
        )
        await notify.new_message(db, message=message, youth=youth, sender=actor, now=now)
    return message


async def post_system_line(
    db: AsyncSession,
    *,
    youth_id: int,
    text_id: str,
    params: dict[str, str | int],
    now: datetime,
    key: str | None = None,
) -> Message:
    """Add a line from Trinvis itself, e.g. `GUIDE_CHANGED` with {"name": "Mads"}.

    `text_id` is an English message id (mark it with `N_`); it is translated for each
    reader. Pass a `key` to make a retried call store one line.
    """
    if await db.get(Youth, youth_id) is None:
        raise NotFound()
    stored = json.dumps({"id": text_id, "params": params}, ensure_ascii=False, sort_keys=True)
    message, created = await _insert_once(
        db,
        {
            "youth_id": youth_id,
            "sender_id": None,
            "kind": MessageKind.system,
            "body": stored,
            "client_key": (key or f"system-{new_client_key()}")[:64],
            "sent_at": now,
        },
    )
    if created:
        await event_log.record(
            db,
            youth_id=youth_id,
            kind=MessageEventKind.message,
            message_id=message.id,
            actor_id=None,
            now=now,
        )
    return message


def unread_filter(reader_is_youth: bool, youth_user_id: Any) -> Any:
    """Messages the reader has not read in this conversation: the other side's."""
    if reader_is_youth:
        return or_(col(Message.sender_id).is_(None), col(Message.sender_id) != youth_user_id)
    return col(Message.sender_id) == youth_user_id


def _newest_unread(reader_is_youth: bool) -> Any:
    return select(func.max(Message.id)).where(
        col(Message.youth_id) == bindparam("youth_id"),
        col(Message.read_at).is_(None),
        unread_filter(reader_is_youth, bindparam("youth_user_id")),
        col(Message.id) <= bindparam("up_to"),
    )


# Run by every reply (answering is reading): built once, see `app/db.py`.
_NEWEST_UNREAD = {True: _newest_unread(True), False: _newest_unread(False)}


async def mark_read(
    db: AsyncSession, *, actor: User, youth: Youth, up_to_id: int, now: datetime
) -> int:
    """Mark the other side's messages read up to `up_to_id`, sending a read receipt."""
    assert youth.id is not None
    newest = (
        await db.exec(
            _NEWEST_UNREAD[actor.role == Role.youth],
            params={"youth_id": youth.id, "youth_user_id": youth.user_id, "up_to": up_to_id},
        )
    ).one()
    if newest is None:
        return 0
    await db.exec(  # type: ignore[call-overload]
        update(Message)
        .where(
            col(Message.youth_id) == youth.id,
            col(Message.read_at).is_(None),
            unread_filter(actor.role == Role.youth, youth.user_id),
            col(Message.id) <= newest,
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    await event_log.record(
        db,
        youth_id=youth.id,
        kind=MessageEventKind.read,
        message_id=newest,
        actor_id=actor.id,
        now=now,
    )
    return int(newest)


async def read_up_to(
    db: AsyncSession, *, actor: User, youth_id: int, up_to_id: int, now: datetime
) -> int:
    """The reader saw messages up to `up_to_id` while the page was open."""
    await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    youth = await db.get(Youth, youth_id)
    assert youth is not None
    return await mark_read(db, actor=actor, youth=youth, up_to_id=up_to_id, now=now)


async def unread_count(db: AsyncSession, *, reader: User, youth: Youth) -> int:
    value = (
        await db.exec(
            select(func.count())
            .select_from(Message)
            .where(
                Message.youth_id == youth.id,
                col(Message.read_at).is_(None),
                unread_filter(reader.role == Role.youth, youth.user_id),
            )
        )
    ).one()
    return int(value or 0)


# What the young person has not read, as a column of their course record (correlated):
# the badge below and the home (app/services/overview.py) read it. Built once.
YOUTH_UNREAD = (
    select(func.count())
    .select_from(Message)
    .where(
        col(Message.youth_id) == col(Youth.id),
        col(Message.read_at).is_(None),
        unread_filter(True, col(Youth.user_id)),
    )
    .correlate(Youth)
    .scalar_subquery()
)
_OWN_UNREAD = (
    select(YOUTH_UNREAD).select_from(Youth).where(col(Youth.user_id) == bindparam("user_id"))
)


async def own_unread(db: AsyncSession, *, actor: User) -> int:
    """The young person's badge: unread messages from their guide (0 without a record)."""
    value = (await db.exec(_OWN_UNREAD, params={"user_id": actor.id})).first()
    return int(value or 0)


async def reply(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int,
    body: str | None,
    client_key: str | None,
    now: datetime,
) -> MessageView:
    """Send, and count what the sender had received as read (answering is reading)."""
    youth = await db.get(Youth, youth_id)  # held, so `send` finds it without a query
    message = await send(
        db, actor=actor, youth_id=youth_id, body=body, client_key=client_key, now=now
    )
    assert youth is not None and message.id is not None  # `send` checked access
    await mark_read(db, actor=actor, youth=youth, up_to_id=message.id, now=now)
    return (await views(db, [message], reader=actor, youth=youth))[0]
