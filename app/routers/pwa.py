"""The installable-app pieces that must live at the site root."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse

from app.paths import STATIC_DIR
from app.security.access import PUBLIC, access
from app.web import static_assets
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


@router.get("/sw.js", include_in_schema=False)
@access(PUBLIC)
async def service_worker() -> FileResponse:
    # Served from the root so its scope covers the whole app; built with the hashed
    # names and a cache version derived from them (app/web/static_assets.py).
    return FileResponse(
        static_assets.current().service_worker,
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/manifest.webmanifest", include_in_schema=False)
@access(PUBLIC)
async def manifest() -> FileResponse:
    return FileResponse(STATIC_DIR / "manifest.webmanifest", media_type="application/manifest+json")


@router.get("/offline")
@access(PUBLIC)
async def offline(request: Request) -> HTMLResponse:
    return render(request, "pwa/offline.html")
