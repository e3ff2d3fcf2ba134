"""`scim2-tester`, the SCIM compliance checker, against Trinvis's `/scim/v2`.

scim2-tester drives a synchronous SCIM client; the app runs in the test's event loop on
the test database. The client below hands each request to the app through httpx's ASGI
transport on that loop, so the checker talks HTTP to the real app (routing, access,
CSRF middleware, transaction per request) while it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any
from wsgiref.headers import Headers

import httpx
from scim2_client import BaseSyncSCIMClient
from scim2_client.engines.inprocess import (
    InProcessResponse,
    _prepare_request,
    _stays_under_base_url,
)
from scim2_tester import Status, check_server

from app.models import Role
from app.services.scim.connections import ConnectionForm, create_connection
from tests.conftest import BASE_URL
from tests.factories.people import make_user

SCIM_URL = f"{BASE_URL}/scim/v2"
FAILED = {Status.ERROR, Status.CRITICAL}


class LoopClient(BaseSyncSCIMClient):
    """A sync SCIM client whose requests run on the app's event loop."""

    def __init__(self, http: httpx.AsyncClient, loop: asyncio.AbstractEventLoop, token: str):
        super().__init__()
        self.http, self.loop = http, loop
        self.headers = [("Authorization", f"Bearer {token}")]

    def _stays_under_base_url(self, endpoint: str) -> bool:
        return _stays_under_base_url(SCIM_URL, endpoint)

    def _parse_json(self, response: Any) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> InProcessResponse:
        prepared = _prepare_request(SCIM_URL, self.headers, method, url, **kwargs)
        target = prepared.url.geturl()
        future = asyncio.run_coroutine_threadsafe(
            self.http.request(
                prepared.method, target, headers=prepared.headers, content=prepared.body
            ),
            self.loop,
        )
        response = future.result(timeout=30)
        return InProcessResponse(
            status_code=response.status_code,
            headers=Headers(list(response.headers.multi_items())),
            content=response.content,
        )


async def test_scim2_tester_finds_no_error(client, db, frozen_clock):
    admin = await make_user(db, Role.admin)
    made = await create_connection(
        db, actor=admin, form=ConnectionForm(name="Entra ID"), now=frozen_clock.now
    )
    await db.commit()
    scim = LoopClient(client, asyncio.get_running_loop(), made.token)
    results = await asyncio.to_thread(check_server, scim)
    summary = Counter(result.status.name for result in results)
    print(f"scim2-tester: {len(results)} checks, {dict(summary)}")
    failures = [f"{r.title}: {r.reason}" for r in results if r.status in FAILED]
    assert not failures, "\n".join(failures)
    assert summary["SUCCESS"] > 20
