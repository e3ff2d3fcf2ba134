"""A person's own account: devices and passkeys, my data, my contact. Who has seen my data
and the record itself are in `app/routers/privacy.py`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import gettext
from app.models import Role
from app.security import challenges
from app.security.access import CurrentUser, Now, access
from app.security.sessions import clear_session_cookie
from app.services.identity import my_data, one_time_codes, passkeys
from app.services.privacy import notices
from app.web.client import client_ip, device_label
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.htmx import full_redirect, redirect_after_post
from app.web.routing import AreaRouter
from app.web.sign_in_forms import AddressForm, ConfirmForm
from app.web.templating import render

router = AreaRouter()
ALL_ROLES = (Role.youth, Role.guide, Role.leader, Role.admin)
PASSKEY_FLOW = "passkey"


@router.get("/me/devices")
@access(*ALL_ROLES)
async def my_devices(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    if request.query_params.get("welcome"):
        # Where an invite once landed: the welcome is its own page now.
        return RedirectResponse("/me/welcome", status_code=303)
    current = getattr(request.state, "session_id", None)
    devices = await my_data.devices(db, actor=user, current_session_id=current, now=now)
    keys = await passkeys.my_passkeys(db, actor=user)
    return render(request, "identity/devices.html", {"devices": devices, "passkeys": keys})


@router.post("/me/devices/sign-out")
@access(*ALL_ROLES)
async def sign_out_device(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    session_id: Annotated[str, Form(max_length=64)],
) -> Response:
    await my_data.sign_out_device(db, actor=user, session_id=session_id, now=now)
    if session_id == getattr(request.state, "session_id", None):
        response = full_redirect(request, "/login")
        clear_session_cookie(response, request.app.state.settings)
        return response
    return redirect_after_post(request, "/me/devices")


@router.post("/me/sign-out-everywhere")
@access(*ALL_ROLES)
async def sign_out_everywhere(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    await my_data.sign_out_everywhere(db, actor=user, now=now)
    response = full_redirect(request, "/login")
    clear_session_cookie(response, request.app.state.settings)
    return response


@router.post("/me/passkeys/options")
@access(Role.youth)
async def passkey_options(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    settings = request.app.state.settings
    token, options = await passkeys.registration_options(db, actor=user, settings=settings, now=now)
    response = JSONResponse(options)
    challenges.set_flow_cookie(response, settings, PASSKEY_FLOW, token)
    return response


@router.post("/me/passkeys")
@access(Role.youth)
async def add_passkey(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    credential: Annotated[dict[str, Any], Body()],
) -> Response:
    settings = request.app.state.settings
    await passkeys.register(
        db,
        actor=user,
        settings=settings,
        flow_token=challenges.flow_cookie(request, settings, PASSKEY_FLOW),
        credential=credential,
        label=device_label(request),
        now=now,
    )
    response = JSONResponse({"redirect": "/me/devices"})
    challenges.clear_flow_cookie(response, settings, PASSKEY_FLOW)
    return response


@router.post("/me/passkeys/{passkey_id}/delete")
@access(Role.youth)
async def remove_passkey(
    request: Request, db: SessionDep, user: CurrentUser, passkey_id: int
) -> Response:
    await passkeys.remove(db, actor=user, passkey_id=passkey_id)
    return redirect_after_post(request, "/me/devices")


@router.get("/me/data")
@access(Role.youth)
async def my_data_page(request: Request, db: SessionDep) -> Response:
    notice = await notices.notice(db, settings=request.app.state.settings)
    return render(request, "identity/my_data.html", {"notice": notice})


async def _contact_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    form: FormState | None = None,
) -> Response:
    form = form or FormState()
    pending = await one_time_codes.pending_contact_change(db, actor=user, now=now)
    context = {"me": user, "pending": pending, "errors": form.errors, "values": form.values}
    return render(request, "identity/contact.html", context)


@router.get("/me/contact")
@access(Role.youth)
async def contact_page(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await _contact_page(request, db, user, now)


@router.post("/me/contact")
@access(Role.youth)
async def change_contact(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await handle_form(
        request,
        AddressForm,
        save=lambda form: _ask_contact_change(request, db, user, now, form),
        then="/me/contact",
        page=lambda form: _contact_page(request, db, user, now, form),
    )


async def _ask_contact_change(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, form: AddressForm
) -> None:
    address = one_time_codes.parse_address(form.address)
    assert address is not None
    await one_time_codes.request_contact_change(
        db,
        actor=user,
        secret=request.app.state.settings.secret_key,
        new=address,
        ip=client_ip(request),
        now=now,
    )


@router.post("/me/contact/confirm")
@access(Role.youth)
async def confirm_contact(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    return await handle_form(
        request,
        ConfirmForm,
        save=lambda form: _confirm_contact_change(request, db, user, now, form),
        then="/me/contact?changed=1",
        page=lambda form: _contact_page(request, db, user, now, form),
    )


async def _confirm_contact_change(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, form: ConfirmForm
) -> None:
    changed = await one_time_codes.confirm_contact_change(
        db, actor=user, secret=request.app.state.settings.secret_key, code=form.code, now=now
    )
    if not changed:
        # The service returns a wrong code rather than raising it, so the tries it counted
        # are committed whoever calls it. The wrong code is cleared to be typed again.
        raise ValidationFailed({"code": gettext(one_time_codes.WRONG_CODE)}, {"code": ""})
