"""Structured logs: one JSON object a line in production, readable text in development.

Log lines never carry personal data: no names, phone numbers, e-mail addresses, message
or note text. Identify people by their numeric id, and requests by route template.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics

# Attributes every LogRecord has; anything else was passed through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
    "taskName",
}


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def format_exception_without_values(exc_info: ExcInfo) -> str:
    """Where an error happened and what kind it was, without its message.

    Exception messages quote the data that caused them: a database error quotes the row
    it could not write (a name, a phone number, a message's text), a parse error the
    input. The stack and the exception types are enough to find the fault.
    """
    _type, error, _tb = exc_info
    if error is None:
        return ""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        lines.append("".join(traceback.format_list(frames)).rstrip())
        lines.append(f"{type(current).__module__}.{type(current).__qualname__} (message withheld)")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("caused by or raised while handling:")
    return "Traceback (most recent call last):\n" + "\n".join(lines)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = format_exception_without_values(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD)
        line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}: "
        line += record.getMessage() + (f"  {extras}" if extras else "")
        if record.exc_info:
            line += "\n" + format_exception_without_values(record.exc_info)
        return line


def configure_logging(fmt: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log prints raw paths and query strings; ours prints route templates.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


class RequestLogMiddleware:
    """One line per request: method, route template, status, duration, user id.

    The same measurement feeds the Prometheus histogram (app/metrics.py), and responses
    that are event streams count as open streams while they last.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("trinvis.request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        streaming = False

        async def capture(message: Message) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = message["status"]
                streaming = any(
                    name.lower() == b"content-type" and value.startswith(b"text/event-stream")
                    for name, value in message.get("headers", [])
                )
                if streaming:
                    metrics.OPEN_STREAMS.inc()
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "<unmatched>")
            if streaming:
                metrics.OPEN_STREAMS.dec()
            else:  # a stream's length says nothing about how fast pages are
                metrics.REQUEST_DURATION.labels(
                    metrics.method_label(scope["method"]), route, metrics.status_class(status)
                ).observe(seconds)
            user = getattr(scope.get("state", {}).get("user"), "id", None)
            self.log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000, 1),
                    "user_id": user,
                },
            )
