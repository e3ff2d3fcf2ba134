"""Builds the app: middleware, routers, static files, and the in-process worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from sqlalchemy.exc import SQLAlchemyError

from app.db import dispose_engine, get_engine
from app.observability import RequestLogMiddleware, configure_logging
from app.realtime.hub import hub
from app.routers import ROUTERS
from app.security.access import enforce_access
from app.security.csrf import CSRFMiddleware
from app.security.headers import SecurityHeadersMiddleware
from app.security.sessions import SlidingCookieMiddleware
from app.settings import Settings, get_settings
from app.web import error_pages, static_assets
from app.web.locale import LocaleMiddleware
from app.web.request_input import refuse_hostile_input
from app.worker import run_worker

log = logging.getLogger("trinvis")


async def load_instruments() -> None:
    """Load app/instruments/*.json (idempotent): changed wording becomes a new version."""
    from app.services.checkins.instruments import sync_instruments

    try:
        async with get_engine().begin() as connection:
            await connection.run_sync(sync_instruments)
    except SQLAlchemyError:
        # Not migrated yet: /readyz says "behind" until `trinvis migrate` has run.
        log.warning("instruments not loaded", extra={"event": "instruments_not_loaded"})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.apply_clock()
    configure_logging(settings.effective_log_format, settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await load_instruments()
        hub.drain_on_exit_signals()  # SIGTERM ends live streams at once (app/realtime/hub.py)
        stop = asyncio.Event()
        worker = None
        if settings.run_worker_in_process:
            worker = asyncio.create_task(run_worker(stop), name="trinvis-worker")
        log.info("started", extra={"env": settings.env, "demo": settings.demo_mode})
        try:
            yield
        finally:
            hub.restore_exit_signals()
            await hub.stop()
            stop.set()
            if worker is not None:
                with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                    await asyncio.wait_for(worker, timeout=10)
            await dispose_engine()

    app = FastAPI(
        title="Trinvis",
        lifespan=lifespan,
        dependencies=[Depends(enforce_access), Depends(refuse_hostile_input)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    for router in ROUTERS:
        app.include_router(router)
    # Hashed, compressed, immutable; built from static/ here when its content changed.
    app.mount("/static", static_assets.static_app(static_assets.current()), name="static")
    error_pages.install(app)
    # Added last = outermost: logging sees every request, CSRF runs before any handler.
    app.add_middleware(SlidingCookieMiddleware, settings=settings)
    app.add_middleware(LocaleMiddleware, settings=settings)
    app.add_middleware(CSRFMiddleware, settings=settings)
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    app.add_middleware(RequestLogMiddleware)
    return app
