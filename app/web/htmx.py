"""What to answer after a successful POST: htmx follows a header, browsers a 303."""

from __future__ import annotations

import json

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from app.web.templating import is_htmx


def redirect_after_post(
    request: Request, url: str, *, target: str = "#main", swap: str | None = None
) -> Response:
    """`swap="outerHTML"` when `target` is the partial's own outer element (a form)."""
    if is_htmx(request):
        spec = {"path": url, "target": target, "select": target}
        if swap is not None:
            spec["swap"] = swap
        return Response(status_code=204, headers={"HX-Location": json.dumps(spec)})
    return RedirectResponse(url, status_code=303)


def full_redirect(request: Request, url: str) -> Response:
    """Leave the page entirely (sign-in, sign-out): htmx reloads, browsers follow."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def safe_local_path(target: str | None) -> str:
    """Only a local path may be a redirect target: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
