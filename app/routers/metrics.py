"""`/metrics` for Prometheus: on this machine outside production, else a bearer token."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response

from app import metrics
from app.db import SessionDep
from app.security.access import PUBLIC, Now, access
from app.services.operations import gauges
from app.settings import Settings
from app.web.client import client_ip
from app.web.routing import AreaRouter
from app.worker import JOBS

router = AreaRouter()


def may_scrape(request: Request, settings: Settings) -> bool:
    """Production: only with the token. Development, test and demo: this machine too."""
    token = settings.metrics_token
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(sent, token):
        return True
    if settings.is_production:
        return False
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


@router.get("/metrics", include_in_schema=False)
@access(PUBLIC)  # machines, not people: the token or the address decides (above)
async def scrape(request: Request, db: SessionDep, now: Now) -> Response:
    if not may_scrape(request, request.app.state.settings):
        return PlainTextResponse(
            "metrics need the bearer token", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    latest = await gauges.read(db, now=now)
    body = metrics.render(
        latest,
        pool=metrics.pool_usage(db.get_bind().engine.pool),
        jobs={job.name: job.every.total_seconds() for job in JOBS},
    )
    return Response(body, media_type=metrics.CONTENT_TYPE)
