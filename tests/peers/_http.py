"""Shared plumbing for the small HTTP peers (SMS gateway, push service).

Why threads and ``http.server``: the peers must be real servers on a real socket (the project's
"no HTTP mocks" rule), yet start in milliseconds and work both from sync tests and from tests
running inside any event loop. A ``ThreadingHTTPServer`` bound to ``127.0.0.1:0`` in a daemon
thread does that with nothing but the standard library.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class JsonHandler(BaseHTTPRequestHandler):
    """Request handler that hands each request to ``server.peer.handle(request)``.

    ``handle`` returns ``(status, headers, body)``; a dict/list body is sent as JSON.
    """

    protocol_version = "HTTP/1.1"
    server: _PeerServer

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, headers, payload = self.server.peer.handle(
                self.command, self.path, self.headers, body
            )
        except Exception as exc:  # a bug in a peer must show up as a 500, not a hang
            status, headers, payload = 500, {}, {"error": f"peer crashed: {exc!r}"}
        if isinstance(payload, dict | list):
            data = json.dumps(payload).encode()
            headers = {"Content-Type": "application/json", **headers}
        else:
            data = payload or b""
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, str(value))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # client gave up (e.g. its timeout)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch


class _PeerServer(ThreadingHTTPServer):
    daemon_threads = True
    peer: BackgroundHTTPServer


class BackgroundHTTPServer:
    """Base class: a real HTTP server on 127.0.0.1 with start()/stop() and ``with`` support.

    Subclasses implement ``handle(method, path, headers, body) -> (status, headers, body)``
    and keep their records under ``self._lock``.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: _PeerServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BackgroundHTTPServer:
        self._server = _PeerServer(("127.0.0.1", 0), JsonHandler)
        self._server.peer = self
        self.port = self._server.server_address[1]
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that were told to hang
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, dict, Any]:
        raise NotImplementedError

    def sleep(self, seconds: float) -> None:
        """Sleep inside a handler, but return early when the server stops."""
        self._stopping.wait(seconds)

    def notify(self) -> None:
        """Call with the lock held after recording something, to wake ``wait_until``."""
        self._changed.notify_all()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until ``predicate()`` (evaluated under the lock) is true; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True
