"""Signing out ends that session's live streams at once, on every app process.

Before, a stream opened before `POST /logout` went on delivering messages until its
ten-minute lifetime ran out. Now the sign-out's transaction sends the ending the way
messages travel between replicas (PostgreSQL NOTIFY, and this process's after-commit
hook), so the stream on the *other* process ends at once (the test allows 2 s on a
busy machine). On SQLite one process serves everything and the after-commit hook ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import utcnow
from app.db import make_engine
from app.models import User, Youth
from app.security.sessions import start_session
from tests.live.processes import start_all, start_all_async
from tests.live.test_message_stream import AppProcess, Stream, youth_sends


@contextlib.contextmanager
def two_replicas(database_url: str, tmp_path: Path) -> Iterator[tuple[AppProcess, AppProcess]]:
    """Two processes on PostgreSQL; on SQLite the same one twice."""
    first = AppProcess(database_url, tmp_path / "first.log")
    second = AppProcess(database_url, tmp_path / "second.log")
    try:
        if database_url.startswith("postgresql"):
            start_all(first, second)
            yield first, second
        else:
            start_all(first)
            yield first, first
    finally:
        first.kill()
        second.kill()


async def post_signed_in(base_url: str, token: str, path: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, cookies={"trinvis_session": token}) as http:
        await http.get("/offline")
        return await http.post(path, headers={"X-CSRF-Token": http.cookies["trinvis_csrf"]})


async def ended_within(stream: Stream, seconds: float) -> bool:
    assert stream.task is not None
    done, _ = await asyncio.wait({stream.task}, timeout=seconds)
    return bool(done) and stream.task.exception() is None


async def another_session_of_the_youth(database_url: str, youth_id: int) -> str:
    engine = make_engine(database_url)
    async with AsyncSession(engine, expire_on_commit=False) as db:
        youth = await db.get(Youth, youth_id)
        assert youth is not None
        person = await db.get(User, youth.user_id)
        assert person is not None
        token = await start_session(db, user=person, now=utcnow(), device_label="tablet")
        await db.commit()
    await engine.dispose()
    return token


async def test_logout_ends_the_sessions_stream_on_the_other_replica(world, tmp_path):
    with two_replicas(world.database_url, tmp_path) as (here, there):
        stream = Stream(there.url, world.youth_token, "/messages/events")
        guide = Stream(there.url, world.guide_token, f"/messages/events?youth={world.youth_id}")
        await stream.open()
        await guide.open()
        try:
            await youth_sends(here.url, world.youth_token, "Inden jeg logger ud")
            await stream.wait_for("message", "Inden jeg logger ud", within=2.0)

            response = await post_signed_in(here.url, world.youth_token, "/logout")
            assert response.status_code in (200, 303), response.text
            assert await ended_within(stream, 2.0), "the stream outlived the sign-out"
            # The guide's own stream (another person, another session) goes on.
            assert guide.task is not None and not guide.task.done()

            # The ended session cannot open a new stream either.
            async with httpx.AsyncClient(
                base_url=there.url, cookies={"trinvis_session": world.youth_token}
            ) as http:
                refused = await http.get("/messages/events", follow_redirects=False)
            assert refused.status_code != 200
        finally:
            await stream.close()
            await guide.close()


async def test_sign_out_everywhere_ends_every_device_stream_on_every_replica(world, tmp_path):
    tablet = await another_session_of_the_youth(world.database_url, world.youth_id)
    with two_replicas(world.database_url, tmp_path) as (here, there):
        phone_stream = Stream(here.url, world.youth_token, "/messages/events")
        tablet_stream = Stream(there.url, tablet, "/messages/events")
        await phone_stream.open()
        await tablet_stream.open()
        try:
            response = await post_signed_in(here.url, world.youth_token, "/me/sign-out-everywhere")
            assert response.status_code in (200, 303), response.text
            assert await ended_within(phone_stream, 2.0)
            assert await ended_within(tablet_stream, 2.0), "the other device's stream lives on"
        finally:
            await phone_stream.close()
            await tablet_stream.close()


def test_a_stream_of_an_unknown_session_is_not_ended_by_an_ending_of_another():
    from app.realtime.hub import Hub, _parse_ends

    hub = Hub()
    mine = hub.subscribe(1, [10], "a" * 64)
    other = hub.subscribe(2, [10], "b" * 64)
    sessions, users = _parse_ends(f"s:{'a' * 64},u:3,x:junk,u:notanumber")
    assert hub.end_streams(session_ids=sessions, user_ids=users) == 1
    assert mine.ended and not other.ended
    assert hub.end_streams(user_ids=[2]) == 1 and other.ended


@pytest.mark.postgres_only
async def test_an_ending_missed_while_the_listener_was_away_is_caught_on_reconnect(world, tmp_path):
    if not world.database_url.startswith("postgresql"):
        pytest.skip("the listener (LISTEN/NOTIFY) is PostgreSQL's")
    app = AppProcess(world.database_url, tmp_path / "app.log")
    try:
        await start_all_async(app)
        stream = Stream(app.url, world.youth_token, "/messages/events")
        await stream.open()
        try:
            await listener_is_up(world.database_url)
            # The session ends without a NOTIFY reaching the process: a missed ending.
            await run_sql(
                world.database_url,
                "UPDATE user_session SET ended_at = created_at WHERE ended_at IS NULL",
            )
            assert not await ended_within(stream, 0.5)
            # The process's listener loses its connection and comes back: it cannot know
            # what it missed, so every stream checks its session once.
            await run_sql(
                world.database_url,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            assert await ended_within(stream, 5.0), "the ended session's stream lives on"
        finally:
            await stream.close()
    finally:
        app.kill()


async def listener_is_up(database_url: str) -> None:
    """Wait until the app process LISTENs (it starts with the first stream)."""
    engine = make_engine(database_url)
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND query ILIKE '%LISTEN%trinvis_stream_ends%'"
    )
    try:
        for _ in range(100):
            async with engine.connect() as connection:
                if (await connection.execute(query)).scalar_one():
                    await asyncio.sleep(1.0)  # and its first look at the streams is done
                    return
            await asyncio.sleep(0.1)
        raise AssertionError("the app process never listened")
    finally:
        await engine.dispose()


async def run_sql(database_url: str, statement: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()
