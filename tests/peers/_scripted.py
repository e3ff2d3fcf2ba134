"""Scripted answers for the SMS provider peers: the next requests fail, hang or pass.

Each scripted answer is used by one request, in order; 200 means "answer normally".
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from tests.peers._http import BackgroundHTTPServer


@dataclass
class Scripted:
    status: int
    retry_after: int | None = None
    hang: float = 0.0


class ScriptedPeer(BackgroundHTTPServer):
    def __init__(self) -> None:
        super().__init__()
        self._script: deque[Scripted] = deque()

    def respond_next(
        self, status: int, times: int = 1, *, retry_after: int | None = None, hang: float = 0.0
    ) -> None:
        with self._lock:
            self._script.extend(Scripted(status, retry_after, hang) for _ in range(times))

    def fail_next(self, status: int, times: int = 1, *, retry_after: int | None = None) -> None:
        if status == 429 and retry_after is None:
            retry_after = 1
        self.respond_next(status, times, retry_after=retry_after)

    def hang_next(self, seconds: float, times: int = 1) -> None:
        self.respond_next(200, times, hang=seconds)

    def next_scripted(self) -> Scripted:
        with self._lock:
            scripted = self._script.popleft() if self._script else Scripted(200)
        if scripted.hang:
            self.sleep(scripted.hang)
        return scripted
