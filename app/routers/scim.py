"""SCIM 2.0 for the municipality's IdP: `/scim/v2/...` (Users, Groups, discovery).

No cookies and no CSRF: every request carries the bearer token of one IdP connection
(`@access(SCIM_TOKEN)`). The protocol is `app/services/scim/protocol.py`.
"""

from __future__ import annotations

from fastapi import Request, Response
from scim2_server.requests import ScimRequest

from app.db import SessionDep
from app.security.access import SCIM_TOKEN, Now, access
from app.services.scim import protocol
from app.web.routing import AreaRouter

router = AreaRouter()
PREFIX = "/scim/v2"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
MAX_BODY_BYTES = 1_048_576


@router.api_route(PREFIX + "/{path:path}", methods=METHODS)
@access(SCIM_TOKEN)
async def scim(request: Request, db: SessionDep, now: Now, path: str) -> Response:
    body = await request.body()
    base_url = request.app.state.settings.public_base_url.rstrip("/") + PREFIX
    scim_request = ScimRequest(
        method=request.method,
        base_url=base_url,
        path="/" + path,
        query=dict(request.query_params),
        headers=list(request.headers.items()),
        body=body[: MAX_BODY_BYTES + 1],
    )
    response, succeeded = await protocol.serve(
        db, connection=request.state.scim_connection, request=scim_request, now=now
    )
    if not succeeded:
        await db.rollback()
    content = None if response.body is None else protocol.json_bytes(response.body)
    return Response(
        content=content,
        status_code=int(response.status),
        headers=response.headers,
        media_type=response.headers.get("Content-Type"),
    )
