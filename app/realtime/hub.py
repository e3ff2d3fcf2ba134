"""Wakes this process's message streams when a conversation has news.

The event log in the database (`MessageEvent`) is the truth; the hub only says *which
conversation* has news, and each stream then reads from the database what it has not
sent yet. So a lost wake-up delays an event, it never loses one.

- PostgreSQL: the service sends `NOTIFY trinvis_messages, '<youth id>'` inside the
  transaction of the event, so PostgreSQL delivers it to every app process after the
  commit (and never for a rollback). Each process LISTENs on one asyncpg connection.
- Every database: the session's after-commit hook also wakes this process's own
  streams at once (the only path on SQLite, where one process serves everyone).

The hub also keeps who has a stream open here, and writes that to `realtime_presence`
every few seconds, so any process can tell whether a recipient is connected anywhere.

Ending streams travels the same way: signing out (one session, or all of a person's)
calls `end_streams` in its transaction, which sends `NOTIFY trinvis_stream_ends` on
PostgreSQL and ends this process's matching streams after the commit, so a signed-out
device's stream closes at once on every replica; when the listener reconnects (it may
have missed endings), every stream asks the database once whether its session is still
open. On SIGTERM `drain()` ends every stream
here and refuses new ones, so browsers reconnect (with Last-Event-ID) to another replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, event, text, update
from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import utcnow
from app.models import RealtimePresence, UserSession

log = logging.getLogger("trinvis.realtime")

CHANNEL = "trinvis_messages"
ENDS_CHANNEL = "trinvis_stream_ends"
PENDING_KEY = "trinvis_pending_wakes"
PENDING_ENDS_KEY = "trinvis_pending_stream_ends"
PRESENCE_SYNC_SECONDS = 2.0
PRESENCE_REFRESH = timedelta(seconds=20)
# A presence row older than this belongs to a process that stopped without cleaning up.
PRESENCE_STALE = timedelta(seconds=60)
LISTEN_RETRY_MAX_SECONDS = 10.0

SessionFactory = Callable[[], AsyncSession]


class Subscription:
    """One open stream: woken when any of its conversations has news, or ended."""

    def __init__(self, user_id: int, youth_ids: Iterable[int], session_id: str = "") -> None:
        self.user_id = user_id
        self.session_id = session_id
        self.youth_ids = frozenset(youth_ids)
        self.ended = False
        # Set when endings may have been missed (the listener was away): the stream
        # then asks the database whether its session is still open.
        self.recheck_session = False
        self._news = asyncio.Event()

    def wake(self) -> None:
        self._news.set()

    def end(self) -> None:
        """The stream stops at its next step (its session ended, or the process drains)."""
        self.ended = True
        self._news.set()

    async def wait(self, seconds: float) -> bool:
        """True when there is news, False when `seconds` passed quietly."""
        try:
            await asyncio.wait_for(self._news.wait(), seconds)
        except TimeoutError:
            return False
        self._news.clear()
        return True


class Hub:
    def __init__(self) -> None:
        self.process_key = uuid.uuid4().hex
        self._by_youth: dict[int, set[Subscription]] = defaultdict(set)
        self._users: Counter[int] = Counter()
        self._all: set[Subscription] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.listening = asyncio.Event()
        self.draining = False
        self._chained: dict[int, Any] = {}
        self._sessions: SessionFactory | None = None

    # -- subscriptions -------------------------------------------------------------
    def subscribe(
        self, user_id: int, youth_ids: Iterable[int], session_id: str = ""
    ) -> Subscription:
        subscription = Subscription(user_id, youth_ids, session_id)
        if self.draining:
            subscription.end()  # it says "retry" and ends: the browser goes elsewhere
        for youth_id in subscription.youth_ids:
            self._by_youth[youth_id].add(subscription)
        self._users[user_id] += 1
        self._all.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        for youth_id in subscription.youth_ids:
            watchers = self._by_youth.get(youth_id)
            if watchers is not None:
                watchers.discard(subscription)
                if not watchers:
                    del self._by_youth[youth_id]
        self._users[subscription.user_id] -= 1
        if self._users[subscription.user_id] <= 0:
            del self._users[subscription.user_id]
        self._all.discard(subscription)

    def end_streams(self, *, session_ids: Iterable[str] = (), user_ids: Iterable[int] = ()) -> int:
        """End this process's streams of these sessions and people; returns how many."""
        sessions, users = set(session_ids), set(user_ids)
        ended = 0
        for subscription in list(self._all):
            if subscription.session_id in sessions or subscription.user_id in users:
                subscription.end()
                ended += 1
        return ended

    def drain(self) -> None:
        """Shutting down: end every open stream here and end new ones at once."""
        self.draining = True
        for subscription in list(self._all):
            subscription.end()

    def drain_on_exit_signals(self) -> None:
        """Drain the moment the server is told to stop (call from the app's startup).

        uvicorn handles SIGTERM by closing its socket and then waiting for open
        responses to finish, which a live stream never does: Docker would kill the
        process 10 s later, mid-stream. Chained in front of the server's own handler,
        `drain()` runs first, so streams end at once and the process exits quickly.
        """
        self.draining = False
        if threading.current_thread() is not threading.main_thread() or self._chained:
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)
            if not callable(previous) or previous is signal.default_int_handler:
                continue  # no server handler to chain to: leave the signal alone

            def handler(signum: int, frame: Any, previous: Any = previous) -> None:
                loop.call_soon_threadsafe(self.drain)
                previous(signum, frame)

            self._chained[sig] = previous
            signal.signal(sig, handler)

    def restore_exit_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig, previous in self._chained.items():
            signal.signal(sig, previous)
        self._chained = {}

    def wake(self, youth_ids: Iterable[int]) -> None:
        for youth_id in youth_ids:
            for subscription in self._by_youth.get(youth_id, ()):
                subscription.wake()

    def wake_all(self) -> None:
        for watchers in self._by_youth.values():
            for subscription in watchers:
                subscription.wake()

    def connected_here(self, user_id: int) -> bool:
        return self._users.get(user_id, 0) > 0

    @property
    def stream_count(self) -> int:
        return sum(self._users.values())

    # -- background tasks ------------------------------------------------------------
    def ensure_started(self, *, database_url: str, sessions: SessionFactory) -> None:
        """Start the listener (PostgreSQL) and the presence writer, once per event loop."""
        loop = asyncio.get_running_loop()
        if self._loop is loop and all(not task.done() for task in self._tasks):
            return
        self._cancel_tasks()
        self._loop = loop
        self._sessions = sessions
        self._tasks = [asyncio.create_task(self._write_presence(sessions), name="presence")]
        if database_url.startswith("postgresql"):
            self.listening.clear()
            self._tasks.append(asyncio.create_task(self._listen(database_url), name="listen"))
        else:
            self.listening.set()

    def _cancel_tasks(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []

    async def stop(self) -> None:
        """Stop the listener and presence writer (the app's shutdown)."""
        if self._loop is not asyncio.get_running_loop():
            self._tasks = []  # started on another loop (tests): nothing to wait for here
            return
        tasks = self._tasks
        self._cancel_tasks()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._sessions is not None:
            # Nobody is connected here any more: say so now, not when the rows go stale
            # (a recipient counted as connected gets no SMS about an unread message).
            try:
                await asyncio.wait_for(self._forget_presence(self._sessions), timeout=2)
            except Exception:
                log.warning("presence could not be cleared", extra={"event": "presence"})

    async def _forget_presence(self, sessions: SessionFactory) -> None:
        async with sessions() as db:
            await db.exec(  # type: ignore[call-overload]
                delete(RealtimePresence).where(
                    col(RealtimePresence.process_key) == self.process_key
                )
            )
            await db.commit()

    async def _listen(self, database_url: str) -> None:
        import asyncpg

        dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        delay = 0.5
        while True:
            connection: Any = None
            try:
                connection = await asyncpg.connect(dsn)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _conn, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._on_notify)
                await connection.add_listener(ENDS_CHANNEL, self._on_ends)
                self.listening.set()
                # Anything committed while we were not listening is in the event log:
                # let every stream look. A sign-out's ending, though, is only a NOTIFY:
                # each stream checks its session once.
                for subscription in self._all:
                    subscription.recheck_session = True
                self.wake_all()
                delay = 0.5
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), timeout=30)
                    if not lost.is_set():
                        await connection.execute("SELECT 1")  # notices a dead socket
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("message listener lost its connection", extra={"event": "listen"})
            finally:
                self.listening.clear()
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=2)
            await asyncio.sleep(delay)
            delay = min(delay * 2, LISTEN_RETRY_MAX_SECONDS)

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        ids = [int(part) for part in payload.split(",") if part.strip().isdigit()]
        self.wake(ids)

    def _on_ends(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        sessions, users = _parse_ends(payload)
        self.end_streams(session_ids=sessions, user_ids=users)

    async def _write_presence(self, sessions: SessionFactory) -> None:
        written: set[int] = set()
        refreshed = utcnow() - PRESENCE_REFRESH
        while True:
            await asyncio.sleep(PRESENCE_SYNC_SECONDS)
            try:
                written, refreshed = await self._sync_presence(sessions, written, refreshed)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("presence could not be written", extra={"event": "presence"})

    async def _sync_presence(
        self, sessions: SessionFactory, written: set[int], refreshed: Any
    ) -> tuple[set[int], Any]:
        now = utcnow()
        current = set(self._users)
        gone, new = written - current, current - written
        refresh = now - refreshed >= PRESENCE_REFRESH
        if not gone and not new and not refresh:
            return written, refreshed
        async with sessions() as db:
            mine = col(RealtimePresence.process_key) == self.process_key
            if gone:
                await db.exec(  # type: ignore[call-overload]
                    delete(RealtimePresence).where(mine, col(RealtimePresence.user_id).in_(gone))
                )
            if refresh:
                await db.exec(  # type: ignore[call-overload]
                    update(RealtimePresence).where(mine).values(seen_at=now)
                )
                await db.exec(  # type: ignore[call-overload]
                    delete(RealtimePresence).where(
                        col(RealtimePresence.seen_at) < now - PRESENCE_STALE * 60
                    )
                )
            for user_id in new:
                db.add(RealtimePresence(user_id=user_id, process_key=self.process_key, seen_at=now))
            await db.commit()
        return current, (now if refresh else refreshed)


hub = Hub()

_NOTIFY_ENDS = text("SELECT pg_notify(:channel, :payload)")


def _parse_ends(payload: str) -> tuple[list[str], list[int]]:
    """`s:<session id>` or `u:<user id>`, comma-separated."""
    sessions: list[str] = []
    users: list[int] = []
    for part in payload.split(","):
        kind, _, value = part.strip().partition(":")
        if kind == "s" and value:
            sessions.append(value)
        elif kind == "u" and value.isdigit():
            users.append(int(value))
    return sessions, users


async def end_streams(
    db: AsyncSession, *, session_id: str | None = None, user_id: int | None = None
) -> None:
    """End the live streams of a session (or of all a person's sessions) everywhere,
    once this transaction commits: here through the after-commit hook, on the other
    app processes through PostgreSQL's NOTIFY (delivered only if the commit happens)."""
    parts = ([f"s:{session_id}"] if session_id else []) + (
        [f"u:{user_id}"] if user_id is not None else []
    )
    if not parts:
        return
    payload = ",".join(parts)
    if db.get_bind().dialect.name == "postgresql":
        connection = await db.connection()
        await connection.execute(_NOTIFY_ENDS, {"channel": ENDS_CHANNEL, "payload": payload})
    db.sync_session.info.setdefault(PENDING_ENDS_KEY, []).append(payload)


_SESSION_OPEN = select(UserSession.id).where(
    col(UserSession.id) == bindparam("session_id"), col(UserSession.ended_at).is_(None)
)


async def session_is_open(sessions: SessionFactory, session_id: str) -> bool:
    """Whether a stream's session has not been ended (after endings may have been missed)."""
    if not session_id:
        return True
    async with sessions() as db:
        found = (await db.exec(_SESSION_OPEN, params={"session_id": session_id})).first()
        await db.rollback()
    return found is not None


def wake_after_commit(db: AsyncSession, youth_id: int) -> None:
    """Wake this process's streams for `youth_id` once the transaction commits."""
    db.sync_session.info.setdefault(PENDING_KEY, set()).add(youth_id)


@event.listens_for(Session, "after_commit")
def _wake_on_commit(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        hub.wake(pending)
    for payload in session.info.pop(PENDING_ENDS_KEY, ()):
        sessions, users = _parse_ends(payload)
        hub.end_streams(session_ids=sessions, user_ids=users)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
    session.info.pop(PENDING_ENDS_KEY, None)
