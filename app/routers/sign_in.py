"""Signing in: staff through OpenID Connect, young people with a code or a passkey."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from app.db import SessionDep
from app.errors import AppError, NotFound, ValidationFailed
from app.i18n import N_, gettext
from app.routers.auth import login_context
from app.security import challenges, cookies, oidc
from app.security.access import PUBLIC, Now, access
from app.security.sessions import sign_in_cookie
from app.services.identity import oidc_sign_in, one_time_codes, passkeys
from app.services.privacy import welcome
from app.web.client import client_ip, device_label
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.htmx import full_redirect, safe_local_path
from app.web.routing import AreaRouter
from app.web.sign_in_forms import AddressForm, CodeForm
from app.web.templating import render

router = AreaRouter()

CODE_TO_COOKIE = "trinvis_code_to"
OIDC_FLOW = "oidc"
PASSKEY_FLOW = "passkey"


class IdpUnreachable(AppError):
    status_code = 502
    message = N_("The sign-in service did not answer. Please try again in a moment.")


@router.post("/login/code")
@access(PUBLIC)
async def request_code(request: Request, db: SessionDep, now: Now) -> Response:
    return await handle_form(
        request,
        AddressForm,
        save=lambda form: _send_code(request, db, now, form),
        page=lambda form: _login_page(request, db, form),
    )


async def _login_page(request: Request, db: SessionDep, form: FormState) -> Response:
    return render(request, "auth/login.html", await login_context(request, db, form=form))


async def _send_code(request: Request, db: SessionDep, now: Now, form: AddressForm) -> Response:
    """The code is on its way: the next page remembers where to (a short, strict cookie)."""
    settings = request.app.state.settings
    address = one_time_codes.parse_address(form.address)
    assert address is not None
    await one_time_codes.request_sign_in_code(
        db, secret=settings.secret_key, address=address, ip=client_ip(request), now=now
    )
    response = full_redirect(request, "/login/code")
    ttl = one_time_codes.CODE_TTL
    # Sealed: whoever sees the browser's cookies does not read the number or e-mail in it.
    sealed = cookies.seal(settings, CODE_TO_COOKIE, address.value, now=now, ttl=ttl)
    cookies.set_host_cookie(
        response,
        settings,
        CODE_TO_COOKIE,
        sealed,
        max_age=int(ttl.total_seconds()),
        samesite="strict",
    )
    return response


@router.get("/login/code")
@access(PUBLIC)
async def code_page(request: Request, now: Now) -> Response:
    settings = request.app.state.settings
    sealed = cookies.read_host_cookie(request, settings, CODE_TO_COOKIE)
    address = cookies.unseal(settings, CODE_TO_COOKIE, sealed, now=now)
    if not address:
        return RedirectResponse("/login", status_code=303)
    return _code_page(request, FormState(values={"address": address}))


def _code_page(request: Request, form: FormState) -> Response:
    context = {"values": form.values, "errors": form.errors}
    return render(request, "identity/code.html", context)


@router.post("/login/code/verify")
@access(PUBLIC)
async def verify_code(request: Request, db: SessionDep, now: Now) -> Response:
    return await handle_form(
        request,
        CodeForm,
        save=lambda form: _sign_in_with_code(request, db, now, form),
        page=lambda form: _code_page(request, form),
    )


async def _sign_in_with_code(
    request: Request, db: SessionDep, now: Now, form: CodeForm
) -> Response:
    settings = request.app.state.settings
    address = one_time_codes.parse_address(form.address)
    assert address is not None
    result = await one_time_codes.sign_in_with_code(
        db,
        secret=settings.secret_key,
        address=address,
        code=form.code,
        ip=client_ip(request),
        device_label=device_label(request),
        now=now,
    )
    if result.user is None or result.token is None:
        # Returned, not raised, by the service so the tries it counted are committed.
        error = {"code": gettext(one_time_codes.WRONG_CODE)}
        raise ValidationFailed(error, {"address": form.address})
    # A young person's very first sign-in (no invite link used) lands on the welcome too.
    first = await welcome.first_sign_in(db, user=result.user)
    response = full_redirect(request, "/me/welcome" if first else "/")
    await sign_in_cookie(
        db, request, response, settings, token=result.token, role=result.user.role, now=now
    )
    cookies.clear_host_cookie(response, settings, CODE_TO_COOKIE)
    return response


async def _start(request: Request, db: SessionDep, now: Now, provider: str) -> Response:
    settings = request.app.state.settings
    client = oidc_sign_in.client_for(settings, provider)
    if client is None:
        raise NotFound()
    form = await request.form()
    next_path = safe_local_path(str(form.get("next") or "/"))
    try:
        token, url = await oidc_sign_in.begin(db, client=client, next_path=next_path, now=now)
    except oidc.OidcError as exc:
        raise IdpUnreachable() from exc
    response = RedirectResponse(url, status_code=303)
    challenges.set_flow_cookie(response, settings, OIDC_FLOW, token)
    return response


@router.post("/auth/oidc/start")
@access(PUBLIC)
async def start_staff_sign_in(request: Request, db: SessionDep, now: Now) -> Response:
    return await _start(request, db, now, oidc_sign_in.STAFF)


@router.post("/auth/citizen/start")
@access(PUBLIC)
async def start_citizen_sign_in(request: Request, db: SessionDep, now: Now) -> Response:
    return await _start(request, db, now, oidc_sign_in.CITIZEN)


@router.get("/auth/oidc/callback")
@access(PUBLIC)
async def oidc_callback(request: Request, db: SessionDep, now: Now) -> Response:
    settings = request.app.state.settings
    outcome = await oidc_sign_in.complete(
        db,
        settings=settings,
        flow_token=challenges.flow_cookie(request, settings, OIDC_FLOW),
        params=dict(request.query_params),
        now=now,
        ip=client_ip(request),
        device_label=device_label(request),
    )
    if outcome.refusal is not None or outcome.user is None or outcome.token is None:
        assert outcome.refusal is not None
        response: Response = render(
            request,
            "identity/refused.html",
            {"reason": outcome.refusal.message},
            status_code=outcome.refusal.status_code,
        )
    else:
        response = RedirectResponse(safe_local_path(outcome.next_path), status_code=303)
        await sign_in_cookie(
            db, request, response, settings, token=outcome.token, role=outcome.user.role, now=now
        )
    challenges.clear_flow_cookie(response, settings, OIDC_FLOW)
    return response


@router.post("/login/passkey/options")
@access(PUBLIC)
async def passkey_sign_in_options(request: Request, db: SessionDep, now: Now) -> Response:
    settings = request.app.state.settings
    token, options = await passkeys.sign_in_options(
        db, settings=settings, ip=client_ip(request), now=now
    )
    response = JSONResponse(options)
    challenges.set_flow_cookie(response, settings, PASSKEY_FLOW, token)
    return response


@router.post("/login/passkey")
@access(PUBLIC)
async def passkey_sign_in(
    request: Request, db: SessionDep, now: Now, credential: Annotated[dict[str, Any], Body()]
) -> Response:
    settings = request.app.state.settings
    user, token = await passkeys.sign_in(
        db,
        settings=settings,
        flow_token=challenges.flow_cookie(request, settings, PASSKEY_FLOW),
        credential=credential,
        ip=client_ip(request),
        device_label=device_label(request),
        now=now,
    )
    response = JSONResponse({"redirect": "/"})
    await sign_in_cookie(db, request, response, settings, token=token, role=user.role, now=now)
    challenges.clear_flow_cookie(response, settings, PASSKEY_FLOW)
    return response
