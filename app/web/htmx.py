"""What to answer after a successful POST: htmx follows a header, browsers a 303."""

from __future__ import annotations

import json

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from app.web.templating import is_htmx


def redirect_after_post(
    request: Request, url: str, *, target: str = "#main", swap: str | None = None
) -> Response:
    """htmx fetches `url` and puts its `target` element in place of ours: the element
    replaces the element (outerHTML), so a page's `<main id="main">` never lands inside
    the old one."""
    if is_htmx(request):
        spec = {"path": url, "target": target, "select": target, "swap": swap or "outerHTML"}
        return Response(status_code=204, headers={"HX-Location": json.dumps(spec)})
    return RedirectResponse(url, status_code=303)


def full_redirect(request: Request, url: str) -> Response:
    """Leave the page entirely (sign-in, sign-out): htmx reloads, browsers follow."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def safe_local_path(target: str | None) -> str:
    """Only a local path may be a redirect target: an open redirect would help phishing."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()  # CR/LF would split the Location header
    ):
        return target
    return "/"
