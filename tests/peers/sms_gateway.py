"""A real local HTTP server standing in for the SMS gateway.

Why: SMS sending must be tested against a real socket (timeouts, retries, idempotency and error
statuses behave differently from a mocked client), yet without a paid external service.

API it serves (what the app's SMS client is expected to speak)::

    POST /messages
    Authorization: Bearer <token>          -> 401 if missing/wrong
    Idempotency-Key: <unique per message>  -> 400 if missing (require_idempotency_key=True)
    {"to": "+4512345678", "text": "..."}   -> 400 if not two non-empty strings

    200 {"id": "msg-1", "status": "accepted"}                    new message, recorded
    200 {"id": "msg-1", "status": "accepted", "duplicate": true} same Idempotency-Key again:
                                                                 not recorded twice, counted

Failure scripting (each scripted answer is used by one request, in order)::

    gw.fail_next(500)                     # next request: 500, message not recorded
    gw.fail_next(429, times=2, retry_after=7)
    gw.fail_next(400)
    gw.hang_next(3.0)                     # sleep 3 s, then answer normally (and record!) --
                                          # the "client timed out but SMS was sent" case
    gw.respond_next(200)                  # explicit normal answer (a no-op placeholder)

Reading back (thread-safe copies): ``gw.received`` (accepted messages), ``gw.attempts`` (every
request incl. rejected and duplicates), ``gw.duplicates`` (count), ``gw.wait_for(n)``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from dataclasses import dataclass
from typing import Any

from tests.peers._http import BackgroundHTTPServer

DEFAULT_TOKEN = "test-sms-token"


@dataclass
class _Scripted:
    status: int
    retry_after: int | None = None
    hang: float = 0.0


class SmsGateway(BackgroundHTTPServer):
    """Fake-free SMS gateway: a real HTTP server with scripted failures and full recording."""

    def __init__(self, token: str = DEFAULT_TOKEN, require_idempotency_key: bool = True) -> None:
        super().__init__()
        self.token = token
        self.require_idempotency_key = require_idempotency_key
        self._received: list[dict[str, Any]] = []
        self._attempts: list[dict[str, Any]] = []
        self._by_key: dict[str, dict[str, Any]] = {}
        self._script: deque[_Scripted] = deque()
        self._duplicates = 0
        self._ids = itertools.count(1)

    # -- controls ----------------------------------------------------------------------------
    @property
    def messages_url(self) -> str:
        return f"{self.url}/messages"

    def respond_next(
        self, status: int, times: int = 1, *, retry_after: int | None = None, hang: float = 0.0
    ) -> None:
        """Queue ``times`` scripted answers; 200 means "handle normally" (after ``hang``)."""
        with self._lock:
            self._script.extend(_Scripted(status, retry_after, hang) for _ in range(times))

    def fail_next(self, status: int, times: int = 1, *, retry_after: int | None = None) -> None:
        if status == 429 and retry_after is None:
            retry_after = 1
        self.respond_next(status, times, retry_after=retry_after)

    def hang_next(self, seconds: float, times: int = 1) -> None:
        self.respond_next(200, times, hang=seconds)

    def reset(self) -> None:
        with self._lock:
            self._received.clear()
            self._attempts.clear()
            self._by_key.clear()
            self._script.clear()
            self._duplicates = 0

    # -- reading back ------------------------------------------------------------------------
    @property
    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._received]

    @property
    def attempts(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(a) for a in self._attempts]

    @property
    def duplicates(self) -> int:
        with self._lock:
            return self._duplicates

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until ``count`` messages were accepted; returns them (AssertionError if not)."""
        if not self.wait_until(lambda: len(self._received) >= count, timeout):
            raise AssertionError(
                f"expected {count} SMS, got {len(self._received)}: attempts={self.attempts}"
            )
        return self.received

    async def wait_for_async(self, count: int = 1, within: float = 5.0) -> list[dict[str, Any]]:
        """``wait_for`` for async tests: waits in a thread so the app's tasks keep running."""
        return await asyncio.to_thread(self.wait_for, count, within)

    # -- serving -----------------------------------------------------------------------------
    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, dict, Any]:
        if (method, path.split("?")[0]) != ("POST", "/messages"):
            return 404, {}, {"error": "not_found"}
        with self._lock:
            scripted = self._script.popleft() if self._script else _Scripted(200)
        if scripted.hang:
            self.sleep(scripted.hang)
        key = headers.get("Idempotency-Key")
        attempt: dict[str, Any] = {
            "idempotency_key": key,
            "authorization": headers.get("Authorization"),
            "body": body.decode(errors="replace"),
        }
        status, extra, answer = self._answer(scripted, headers, key, body)
        attempt["status"] = status
        with self._lock:
            self._attempts.append(attempt)
            self.notify()
        return status, extra, answer

    def _answer(
        self, scripted: _Scripted, headers: Any, key: str | None, body: bytes
    ) -> tuple[int, dict, Any]:
        if scripted.status != 200:
            extra = {"Retry-After": scripted.retry_after} if scripted.retry_after else {}
            return scripted.status, extra, {"error": f"scripted {scripted.status}"}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"WWW-Authenticate": "Bearer"}, {"error": "unauthorized"}
        if key is None and self.require_idempotency_key:
            return 400, {}, {"error": "missing Idempotency-Key"}
        try:
            data = json.loads(body)
        except ValueError:
            return 400, {}, {"error": "body is not JSON"}
        to, text = (data.get("to"), data.get("text")) if isinstance(data, dict) else (None, None)
        if not (isinstance(to, str) and to and isinstance(text, str) and text):
            return 400, {}, {"error": "to and text must be non-empty strings"}
        with self._lock:
            if key is not None and key in self._by_key:
                self._duplicates += 1
                return (
                    200,
                    {},
                    {"id": self._by_key[key]["id"], "status": "accepted", "duplicate": True},
                )
            message = {
                "id": f"msg-{next(self._ids)}",
                "to": to,
                "text": text,
                "idempotency_key": key,
                "json": data,
            }
            self._received.append(message)
            if key is not None:
                self._by_key[key] = message
            self.notify()
        return 200, {}, {"id": message["id"], "status": "accepted"}
