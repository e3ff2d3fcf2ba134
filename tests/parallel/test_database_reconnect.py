"""PostgreSQL restarted under the app: the next requests are answered, none fails.

The pool no longer pings before each request (three round trips with asyncpg); a
connection the server ended is noticed by its closed socket and replaced at checkout.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from tests.factories.people import make_youth, user_of
from tests.parallel.conftest import committed, http_client


@pytest.mark.postgres_only
async def test_requests_after_the_server_ended_every_connection_are_answered(
    real_app, real_engine, parallel_database_url
):
    if not parallel_database_url.startswith("postgresql"):
        pytest.skip("ending the server's connections is a PostgreSQL test")
    async with committed(real_engine) as db:
        person = await user_of(db, await make_youth(db))
    async with http_client(real_app, person) as http:
        before = [(await http.get("/")).status_code for _ in range(3)]  # the pool is warm
        async with real_engine.connect() as connection:
            ended = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        await asyncio.sleep(0.3)  # the server's goodbye reaches the app's sockets
        after = [(await http.get("/")).status_code for _ in range(5)]
    assert ended and ended >= 1  # the app's own connections were among them
    assert before == [200] * 3
    assert after == [200] * 5
