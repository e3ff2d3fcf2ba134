"""The admin's SCIM page: IdP connections, their tokens (shown once) and group mappings."""

from __future__ import annotations

from fastapi import Request, Response

from app.db import SessionDep
from app.models import Role, User
from app.security.access import CurrentUser, Now, access
from app.services.admin import staff_members
from app.services.scim import connections
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.htmx import redirect_after_post
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()
PAGE = "/admin/scim"


async def _page(
    request: Request,
    db: SessionDep,
    user: User,
    *,
    form: FormState | None = None,
    mapping_form: FormState | None = None,
    new_token: connections.NewToken | None = None,
) -> Response:
    teams = await staff_members.teams(db)
    settings = request.app.state.settings
    views = await connections.connections(db, actor=user)
    context = {
        "views": views,
        "connection_options": [(v.connection.id, v.connection.name) for v in views],
        "scim_url": settings.public_base_url.rstrip("/") + "/scim/v2",
        "team_options": [("", "–"), *((t.id, t.name) for t in teams)],
        "errors": form.errors if form else {},
        "values": form.values if form else {"default_role": "guide"},
        "mapping_errors": mapping_form.errors if mapping_form else {},
        "mapping_values": mapping_form.values if mapping_form else {},
        "new_token": new_token,
    }
    response = render(request, "scim/admin.html", context)
    if new_token is not None:
        # The token is on this page only: no cache keeps a copy.
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get(PAGE)
@access(Role.admin)
async def page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return await _page(request, db, user)


@router.post(PAGE)
@access(Role.admin)
async def create(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    async def save(form: connections.ConnectionForm) -> Response:
        made = await connections.create_connection(db, actor=user, form=form, now=now)
        # The token is shown on this answer only: it is not stored, so no redirect.
        return await _page(request, db, user, new_token=made)

    return await handle_form(
        request,
        connections.ConnectionForm,
        save=save,
        page=lambda form: _page(request, db, user, form=form),
    )


@router.post(PAGE + "/{connection_id}/token")
@access(Role.admin)
async def new_token(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, connection_id: int
) -> Response:
    made = await connections.new_connection_token(
        db, actor=user, connection_id=connection_id, now=now
    )
    return await _page(request, db, user, new_token=made)


@router.post(PAGE + "/{connection_id}/revoke")
@access(Role.admin)
async def revoke(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, connection_id: int
) -> Response:
    await connections.revoke_connection(db, actor=user, connection_id=connection_id, now=now)
    return redirect_after_post(request, PAGE + "?revoked=1")


@router.post(PAGE + "/mappings")
@access(Role.admin)
async def add_mapping(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await handle_form(
        request,
        connections.MappingForm,
        save=lambda form: connections.add_mapping(db, actor=user, form=form, now=now),
        then=PAGE + "?mapped=1",
        page=lambda form: _page(request, db, user, mapping_form=form),
    )


@router.post(PAGE + "/mappings/{mapping_id}/delete")
@access(Role.admin)
async def remove_mapping(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, mapping_id: int
) -> Response:
    await connections.remove_mapping(db, actor=user, mapping_id=mapping_id, now=now)
    return redirect_after_post(request, PAGE + "?unmapped=1")
