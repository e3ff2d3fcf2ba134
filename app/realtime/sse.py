"""One Server-Sent Events stream: replay from the event log, then live, until it ends.

The stream holds no database session while it waits: each batch opens a short session,
reads the events it has not sent yet, and closes it before anything is written to the
network. Event ids are event-log ids, so a browser that reconnects with `Last-Event-ID`
(or our script, with `?after=`) continues exactly where it stopped, on any process.

A stream ends early when its session ends (sign-out, on any replica) or its process
shuts down (`Hub.drain`: it then tells the browser to reconnect soon, elsewhere).
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from app.clock import utcnow
from app.realtime.hub import Hub, SessionFactory, session_is_open
from app.services.messages import event_log
from app.services.messages.pages import StreamBatch, StreamScope, stream_batch

HEARTBEAT_SECONDS = 20.0
# Streams end after a while and the browser reconnects (with Last-Event-ID): a changed
# caseload or an ended session takes effect, and no connection lives forever.
LIFETIME_SECONDS = 600.0
RETRY_MS = 2000
# A process that shuts down tells browsers to come back soon (to another replica), each
# after a random moment so they do not all arrive at once.
DRAIN_RETRY_MS = (200, 1500)

Renderer = Callable[[StreamScope, StreamBatch], str]


def frame(event: str, data: str, event_id: int | None = None) -> str:
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines += [f"data: {line}" for line in (data.splitlines() or [""])]
    return "\n".join(lines) + "\n\n"


async def stream(
    *,
    hub: Hub,
    sessions: SessionFactory,
    scope: StreamScope,
    after_id: int,
    render: Renderer,
    clock: Callable[[], datetime] = utcnow,
    heartbeat: float = HEARTBEAT_SECONDS,
    lifetime: float = LIFETIME_SECONDS,
    session_id: str = "",
) -> AsyncIterator[str]:
    assert scope.viewer.id is not None
    subscription = hub.subscribe(scope.viewer.id, scope.youth_ids, session_id)
    deadline = time.monotonic() + lifetime * random.uniform(0.8, 1.0)
    floor = cursor = after_id
    sent: set[int] = set()
    try:
        yield f"retry: {RETRY_MS}\n\n"
        news = True  # replay whatever happened since `after_id` first
        while time.monotonic() < deadline:
            if not news:
                news = await subscription.wait(min(heartbeat, deadline - time.monotonic()))
                if not news:
                    yield ": ping\n\n"
                    continue
            if subscription.ended:
                if hub.draining:
                    yield f"retry: {random.randint(*DRAIN_RETRY_MS)}\n\n"
                return
            if subscription.recheck_session:
                subscription.recheck_session = False
                if not await session_is_open(sessions, session_id):
                    return
            news = False
            low = cursor if not sent else max(floor, cursor - event_log.LOOKBACK_IDS)
            async with sessions() as db:
                batch = await stream_batch(db, scope=scope, after_id=low, skip=sent, now=clock())
                await db.rollback()  # read only; never keep a transaction open
            if not batch.still_allowed:
                return
            if batch.events:
                for item in batch.events:
                    sent.add(item.id)
                cursor = max(cursor, *sent)
                sent = {i for i in sent if i > cursor - 2 * event_log.LOOKBACK_IDS}
            yield render(scope, batch)
    finally:
        hub.unsubscribe(subscription)
