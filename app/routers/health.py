"""Probes for the load balancer and the orchestrator."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from app.db import SessionDep
from app.security.access import PUBLIC, access
from app.services import health
from app.web.routing import AreaRouter

router = AreaRouter()


@router.get("/healthz")
@access(PUBLIC)
async def healthz() -> JSONResponse:
    """The process is up."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
@access(PUBLIC)
async def readyz(db: SessionDep) -> JSONResponse:
    """The database answers and its schema is at the newest migration."""
    report = await health.check(db)
    return JSONResponse(report.as_dict(), status_code=200 if report.ready else 503)
