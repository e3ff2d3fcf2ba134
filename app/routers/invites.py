"""A guide invites a young person; the young person opens the link once to get in."""

from __future__ import annotations

from fastapi import Request, Response

from app.db import SessionDep
from app.models import ReadinessGroup, Role
from app.security.access import PUBLIC, CurrentUser, Now, access
from app.security.sessions import sign_in_cookie
from app.services.client_keys import new_client_key, valid_client_key
from app.services.identity import invites
from app.services.privacy import notices
from app.web.client import client_ip, device_label
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.htmx import full_redirect
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


def _form_page(request: Request, form: FormState) -> Response:
    """The invite form; one shown again keeps the key it was sent with (or gets one)."""
    key = form.values.get("client_key") or new_client_key()
    context = {
        "errors": form.errors,
        "values": {**form.values, "client_key": key},
        "groups": list(ReadinessGroup),
    }
    return render(request, "identity/invite_form.html", context)


@router.get("/guide/invite")
@access(Role.guide)
async def invite_form(request: Request) -> Response:
    return _form_page(request, FormState())


@router.post("/guide/invite")
@access(Role.guide)
async def send_invite(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    settings = request.app.state.settings
    return await handle_form(
        request,
        invites.InviteForm,
        save=lambda form: invites.invite_youth(
            db,
            actor=user,
            form=form,
            base_url=settings.public_base_url,
            now=now,
            link_secret=settings.secret_key,
        ),
        then=lambda invite: f"/guide/invite/sent?key={invite.client_key}",
        page=lambda form: _form_page(request, form),
    )


@router.get("/guide/invite/sent")
@access(Role.guide)
async def invite_sent(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, key: str = ""
) -> Response:
    """ "Invitation sent", with the link to pass on in person while it can be used."""
    settings = request.app.state.settings
    client_key = valid_client_key(key)
    link = (
        await invites.sent_link(
            db,
            actor=user,
            client_key=client_key,
            secret=settings.secret_key,
            base_url=settings.public_base_url,
            now=now,
        )
        if client_key
        else None
    )
    return render(request, "identity/invite_sent.html", {"link": link})


@router.get("/invite/{token}")
@access(PUBLIC)
async def invite_page(request: Request, db: SessionDep, now: Now, token: str) -> Response:
    _invite, person = await invites.usable_invite(db, token=token, now=now)
    notice = await notices.notice(db, settings=request.app.state.settings)
    context = {"first_name": person.first_name, "token": token, "notice": notice}
    return render(request, "identity/invite.html", context)


@router.post("/invite/{token}")
@access(PUBLIC)
async def accept_invite(request: Request, db: SessionDep, now: Now, token: str) -> Response:
    person, session_token = await invites.accept_invite(
        db, token=token, ip=client_ip(request), device_label=device_label(request), now=now
    )
    response = full_redirect(request, "/me/welcome")
    await sign_in_cookie(
        db,
        request,
        response,
        request.app.state.settings,
        token=session_token,
        role=person.role,
        now=now,
    )
    return response
