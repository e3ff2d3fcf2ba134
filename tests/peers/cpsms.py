"""A real local HTTP server that answers like CPSMS's REST API v2, and builds its
delivery reports.

Following https://api.cpsms.dk/documentation/index.html ("Authentication", "SMS → Send"):

    POST /v2/send
    Authorization: Basic base64(username:apikey)      -> 401 {"error": {"code": 401, ...}}
    {"to": "4520000001", "message": str, "from": str,
     "reference": str, "dlr_url": str}                -> 400 {"error": {"code": ..., ...}}
    200 {"success": [{"to": "4520000001", "cost": 1}]}

Delivery report: CPSMS calls the `dlr_url` of the message with GET and query
parameters (`status`, `receiver`, `reference`, `timestamp`); `receipt()` builds that
request from the dlr_url the app sent, and the test sends it to the app.

Scripted failures: ``fail_next(500)``, ``fail_next(429, retry_after=7)``, ``hang_next(3)``;
``error_in_200_next(code, message)``: CPSMS also answers some refusals with status 200
and an ``error`` object in the body.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from tests.peers._scripted import ScriptedPeer

USERNAME = "trinvis-kommune"
API_KEY = "cpsms-test-api-key"


def _error(code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class CpsmsPeer(ScriptedPeer):
    def __init__(self, username: str = USERNAME, api_key: str = API_KEY) -> None:
        super().__init__()
        self.credentials = "Basic " + base64.b64encode(f"{username}:{api_key}".encode()).decode()
        self.received: list[dict[str, Any]] = []
        self.attempts: list[dict[str, Any]] = []
        self._errors_in_200: list[dict[str, Any]] = []

    def error_in_200_next(self, code: int, message: str) -> None:
        with self._lock:
            self._errors_in_200.append(_error(code, message))

    @property
    def send_url(self) -> str:
        return f"{self.url}/v2/send"

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, dict, Any]:
        if (method, path.split("?")[0]) != ("POST", "/v2/send"):
            return 404, {}, _error(404, "Not found")
        scripted = self.next_scripted()
        status, extra, answer = self._answer(scripted, headers, body)
        with self._lock:
            self.attempts.append({"status": status, "body": body.decode(errors="replace")})
            self.notify()
        return status, extra, answer

    def _answer(self, scripted: Any, headers: Any, body: bytes) -> tuple[int, dict, Any]:
        if scripted.status != 200:
            extra = {"Retry-After": scripted.retry_after} if scripted.retry_after else {}
            return scripted.status, extra, _error(scripted.status, "scripted")
        if headers.get("Authorization") != self.credentials:
            return 401, {}, _error(401, "Unauthorized")
        with self._lock:
            error_in_200 = self._errors_in_200.pop(0) if self._errors_in_200 else None
        if error_in_200 is not None:
            return 200, {}, error_in_200
        try:
            data = json.loads(body)
        except ValueError:
            return 400, {}, _error(400, "Data must be a JSON object")
        if not isinstance(data, dict):
            return 400, {}, _error(400, "Data must be a JSON object")
        to, message = data.get("to"), data.get("message")
        if not (isinstance(to, str) and to.isdigit()):
            return 400, {}, _error(400, "Invalid recipient")
        if not (isinstance(message, str) and message):
            return 400, {}, _error(400, "Message is required")
        with self._lock:
            self.received.append(
                {
                    "to": to,
                    "message": message,
                    "from": data.get("from"),
                    "reference": data.get("reference"),
                    "dlr_url": data.get("dlr_url"),
                }
            )
            self.notify()
        return 200, {}, {"success": [{"to": to, "cost": 1}]}

    def receipt(
        self, sms: dict[str, Any], status: int = 1, *, url: str | None = None
    ) -> httpx.Request:
        """The delivery report CPSMS sends for a received SMS (1 delivered, 2 not)."""
        params = {
            "status": str(status),
            "receiver": sms["to"],
            "reference": sms["reference"] or "",
            "timestamp": "1767225600",
        }
        return httpx.Request("GET", url or sms["dlr_url"], params=params)
