"""Delivery receipts from the SMS provider (`app/notifications/receipts.py`).

No cookie and no CSRF (`/webhooks/sms/` is exempt): the provider proves itself on every
request, GatewayAPI with its signed JWT, CPSMS with the secret in the address we gave
it. Every answer to a receipt we understood is 200, also for a repeat, so the provider
stops resending it.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from app.db import SessionDep
from app.notifications import receipts
from app.notifications.channels.sms_gatewayapi import SIGNATURE_HEADER
from app.security.access import PUBLIC, Now, access
from app.web.routing import AreaRouter

router = AreaRouter()


@router.post("/webhooks/sms/gatewayapi")
@access(PUBLIC)  # authenticated by the provider's JWT, checked in the service
async def gatewayapi(request: Request, db: SessionDep, now: Now) -> JSONResponse:
    receipt = receipts.gatewayapi_receipt(
        request.app.state.settings, signature=request.headers.get(SIGNATURE_HEADER)
    )
    changed = await receipts.record(db, receipt, now=now)
    return JSONResponse({"ok": True, "changed": changed})


# CPSMS sends its delivery report as a GET (its API's design); the secret in the path
# authenticates it, and a repeat changes nothing.
@router.get("/webhooks/sms/cpsms/{secret}")
@access(PUBLIC)  # authenticated by the secret in the address, checked in the service
async def cpsms(request: Request, db: SessionDep, now: Now, secret: str) -> JSONResponse:
    receipt = receipts.cpsms_receipt(
        request.app.state.settings, secret=secret, query=dict(request.query_params)
    )
    changed = await receipts.record(db, receipt, now=now)
    return JSONResponse({"ok": True, "changed": changed})
