"""Jinja2 rendering: the full page for a normal request, the partial for htmx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.i18n import (
    LOCALE_NAMES,
    LOCALES,
    current_locale,
    template_gettext,
    template_ngettext,
)
from app.web import timefmt
from app.web.linkify import linkify
from app.web.static_assets import static_url

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def _build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process (a changed template shows after a restart):
        # checking every template file on disk on every render cost each page its stats.
        auto_reload=False,
    )
    env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = timefmt.format_date
    env.filters["datetime"] = timefmt.format_datetime
    env.filters["time"] = timefmt.format_time
    env.filters["weekday_in_sentence"] = timefmt.weekday_in_sentence
    env.filters["last_whole_day"] = timefmt.last_whole_day
    env.filters["linkify"] = linkify
    env.globals["current_locale"] = current_locale
    env.globals["LOCALES"] = LOCALES
    env.globals["LOCALE_NAMES"] = LOCALE_NAMES
    # Every static reference goes through this: hashed names, cached for good.
    env.globals["static_url"] = static_url
    return env


environment = _build_environment()


def is_htmx(request: Request) -> bool:
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render `template`, or `partial` when htmx asked for a fragment."""
    name = partial if partial and is_htmx(request) else template
    body = environment.get_template(name).render(page_context(request, context or {}))
    return HTMLResponse(body, status_code=status_code, headers=headers)


def render_fragment(template: str, request: Request, context: dict[str, Any]) -> str:
    return environment.get_template(template).render(page_context(request, context))


def page_context(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    state = request.state
    base = {
        "request": request,
        "user": getattr(state, "user", None),
        "csrf_token": getattr(state, "csrf_token", ""),
        "locale": current_locale(),
        "demo_mode": request.app.state.settings.demo_mode,
        "nav": getattr(state, "nav", None),
    }
    base.update(context)
    return base
