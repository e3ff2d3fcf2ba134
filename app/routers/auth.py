"""Sign-in page, demo sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request, Response

from app.db import SessionDep
from app.security.access import PUBLIC, MaybeUser, Now, access
from app.security.sessions import clear_session_cookie, sign_in_cookie
from app.services.identity import accounts, oidc_sign_in
from app.web.client import device_label
from app.web.form_state import FormState
from app.web.htmx import full_redirect, safe_local_path
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


@router.get("/login")
@access(PUBLIC)
async def login_page(
    request: Request, db: SessionDep, user: MaybeUser, next: str | None = None
) -> Response:
    if user is not None:
        return full_redirect(request, safe_local_path(next))
    context = await login_context(request, db, next_path=safe_local_path(next))
    return render(request, "auth/login.html", context)


async def login_context(
    request: Request,
    db: SessionDep,
    *,
    next_path: str = "/",
    form: FormState | None = None,
) -> dict[str, Any]:
    """What the login page shows: the code form always, staff and demo sign-in when on."""
    settings = request.app.state.settings
    demo = await accounts.demo_accounts(db) if settings.demo_mode else []
    return {
        "demo_accounts": demo,
        "next": next_path,
        "staff_oidc": settings.staff_oidc_enabled,
        "citizen_oidc": settings.citizen_oidc_enabled,
        "errors": form.errors if form else {},
        "values": form.values if form else {},
    }


@router.post("/demo/sign-in")
@access(PUBLIC)
async def demo_sign_in(
    request: Request,
    db: SessionDep,
    now: Now,
    user_id: Annotated[int, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = request.app.state.settings
    user, token = await accounts.demo_sign_in(
        db,
        demo_mode=settings.demo_mode,
        user_id=user_id,
        now=now,
        device_label=device_label(request),
    )
    response = full_redirect(request, safe_local_path(next))
    await sign_in_cookie(db, request, response, settings, token=token, role=user.role, now=now)
    return response


@router.post("/logout")
@access(PUBLIC)
async def logout(request: Request, db: SessionDep, now: Now) -> Response:
    settings = request.app.state.settings
    idp_logout = await oidc_sign_in.sign_out(
        db, settings=settings, session_id=getattr(request.state, "session_id", None), now=now
    )
    # Signed in at an IdP: sign out there too (RP-initiated logout), which returns to "/".
    response = full_redirect(request, idp_logout or "/login")
    clear_session_cookie(response, settings)
    return response
