"""A real local HTTP server that answers like GatewayAPI's REST API, and signs delivery
status webhooks the way GatewayAPI does.

Following https://gatewayapi.com/docs/apis/rest/ ("Sending SMS Messages"; the statuses
listed there: 400 invalid arguments, 401 invalid API key, 422 invalid JSON body, 500):

    POST /rest/mtsms
    Authorization: Token <API token>            -> 401 {"code": "0x0213", "message": ...}
    {"message": str, "sender": str, "userref": str,
     "recipients": [{"msisdn": int}]}           -> 400 {"code": "0x0211", ...} if malformed
    body not JSON                               -> 422
    200 {"ids": [1000001], "usage": {"countries": {"DK": 1}, "currency": "DKK", ...}}

Delivery status ("Delivery Status Notification", "Authentication token"): a POST with
the status as JSON to the webhook URL set up in GatewayAPI's dashboard, with
`X-Gwapi-Signature`, a JWT (HS256) of the same fields signed with the webhook's
authentication token. `receipt()` builds that request; the test sends it to the app.

Scripted failures: ``fail_next(500)``, ``fail_next(429, retry_after=7)``, ``hang_next(3)``.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import OctKey

from tests.peers._scripted import ScriptedPeer

DEFAULT_TOKEN = "gatewayapi-test-token"
WEBHOOK_SECRET = "gatewayapi-webhook-secret-for-tests"


def _error(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "variables": [], "incident_uuid": None}


class GatewayApiPeer(ScriptedPeer):
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        webhook_url: str = "http://127.0.0.1:8000/webhooks/sms/gatewayapi",
        webhook_secret: str = WEBHOOK_SECRET,
    ) -> None:
        super().__init__()
        self.token = token
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self._ids = itertools.count(1000001)
        self.received: list[dict[str, Any]] = []
        self.attempts: list[dict[str, Any]] = []

    @property
    def messages_url(self) -> str:
        return f"{self.url}/rest/mtsms"

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, dict, Any]:
        if (method, path.split("?")[0]) != ("POST", "/rest/mtsms"):
            return 404, {}, _error("0x0001", "Not found")
        scripted = self.next_scripted()
        status, extra, answer = self._answer(scripted, headers, body)
        with self._lock:
            self.attempts.append({"status": status, "body": body.decode(errors="replace")})
            self.notify()
        return status, extra, answer

    def _answer(self, scripted: Any, headers: Any, body: bytes) -> tuple[int, dict, Any]:
        if scripted.status != 200:
            extra = {"Retry-After": scripted.retry_after} if scripted.retry_after else {}
            return scripted.status, extra, _error("0x0000", f"scripted {scripted.status}")
        if headers.get("Authorization") != f"Token {self.token}":
            return 401, {}, _error("0x0213", "Unauthorized: wrong API token")
        try:
            data = json.loads(body)
        except ValueError:
            return 422, {}, _error("0x0210", "Invalid JSON request body")
        recipients = data.get("recipients") if isinstance(data, dict) else None
        message = data.get("message") if isinstance(data, dict) else None
        if (
            not isinstance(message, str)
            or not message
            or not isinstance(recipients, list)
            or not recipients
            or not all(isinstance(r, dict) and isinstance(r.get("msisdn"), int) for r in recipients)
        ):
            return 400, {}, _error("0x0211", "message and recipients[].msisdn are required")
        ids = [next(self._ids) for _ in recipients]
        with self._lock:
            for sms_id, recipient in zip(ids, recipients, strict=True):
                self.received.append(
                    {
                        "id": sms_id,
                        "msisdn": recipient["msisdn"],
                        "message": message,
                        "sender": data.get("sender"),
                        "userref": data.get("userref"),
                    }
                )
            self.notify()
        usage = {"countries": {"DK": len(ids)}, "currency": "DKK", "total_cost": 0.16 * len(ids)}
        return 200, {}, {"ids": ids, "usage": usage}

    def receipt(
        self, sms: dict[str, Any], status: str = "DELIVERED", *, secret: str | None = None
    ) -> httpx.Request:
        """The delivery status webhook GatewayAPI sends for a received SMS."""
        payload = {
            "id": sms["id"],
            "msisdn": sms["msisdn"],
            "time": 1767225600,
            "status": status,
            "error": None if status == "DELIVERED" else "Not delivered",
            "code": None if status == "DELIVERED" else "0x0600",
            "userref": sms["userref"],
            "country_code": "DK",
            "country_prefix": 45,
            "charge_status": "CAPTURED",
        }
        key = OctKey.import_key(secret or self.webhook_secret)
        signature = jwt.encode({"alg": "HS256", "typ": "JWT"}, payload, key)
        return httpx.Request(
            "POST",
            self.webhook_url,
            json=payload,
            headers={"X-Gwapi-Signature": signature},
        )
