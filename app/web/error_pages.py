"""Errors are for people: a toast for htmx, a page otherwise, never a stack trace."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import AppError, NotFound, RateLimited, SignInRequired, ValidationFailed
from app.i18n import N_, gettext
from app.web.templating import is_htmx, render

log = logging.getLogger("trinvis.errors")


def _message(error: AppError) -> str:
    text = gettext(error.message)
    return text % error.params if error.params else text


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") or is_htmx(request)


def _is_scim(request: Request) -> bool:
    return request.url.path.startswith("/scim/")


def _scim_error(status: int, detail: str) -> Response:
    """RFC 7644 §3.12: SCIM clients read errors in SCIM's error schema."""
    from fastapi.responses import JSONResponse

    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": str(status),
        "detail": detail,
    }
    headers = {"WWW-Authenticate": 'Bearer realm="trinvis-scim"'} if status == 401 else {}
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/scim+json"
    )


async def app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if _is_scim(request):
        return _scim_error(exc.status_code, _message(exc))
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, SignInRequired) and request.method == "GET":
        target = "/login?next=" + quote(request.url.path)
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": target})
        if _wants_html(request) or "text/html" in request.headers.get("accept", "*/*"):
            return RedirectResponse(target, status_code=303)
    if not _wants_html(request):
        body = {"error": _message(exc)}
        if isinstance(exc, ValidationFailed):
            body["fields"] = exc.errors  # type: ignore[assignment]
        from fastapi.responses import JSONResponse

        return JSONResponse(body, status_code=exc.status_code, headers=headers)
    if is_htmx(request):
        headers.update({"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"})
        return render(
            request,
            "partials/_toast.html",
            {"kind": "error", "text": _message(exc)},
            status_code=exc.status_code,
            headers=headers,
        )
    return render(
        request,
        "errors/error.html",
        {"status": exc.status_code, "text": _message(exc)},
        status_code=exc.status_code,
        headers=headers,
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return await app_error(request, NotFound())
    if exc.status_code == 405:
        error = AppError(N_("This action is not available here."))
        error.status_code = 405
        return await app_error(request, error)
    generic = AppError()
    generic.status_code = exc.status_code
    return await app_error(request, generic)


async def request_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    error = AppError(N_("The request was not understood. Please reload the page and try again."))
    error.status_code = 422
    return await app_error(request, error)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error", extra={"event": "unhandled"})
    if _is_scim(request):
        return _scim_error(500, "Internal server error")
    text = gettext("Something went wrong on our side. Please try again in a moment.")
    if is_htmx(request):
        return render(
            request,
            "partials/_toast.html",
            {"kind": "error", "text": text},
            status_code=500,
            headers={"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"},
        )
    try:
        return render(request, "errors/error.html", {"status": 500, "text": text}, status_code=500)
    except Exception:  # the error page itself failed: plain text, still no trace
        return HTMLResponse(text, status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.add_exception_handler(Exception, unexpected_error)
