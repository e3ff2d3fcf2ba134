"""The admin's pages: staff members, teams, the municipality's settings, the change log.

Adding staff, ending sessions and the audit export live in `admin_access.py`.
Admins reach no young person's content: these pages show staff, teams and counts only.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from app.db import SessionDep
from app.models import Role, User
from app.security.access import CurrentUser, Now, access
from app.services.admin import changes, municipal_settings, staff_members, team_setup
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.htmx import redirect_after_post
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


async def _member_page(
    request: Request,
    db: SessionDep,
    user: User,
    user_id: int,
    form: FormState | None = None,
) -> Response:
    member = await staff_members.staff_member(db, actor=user, user_id=user_id)
    teams = await staff_members.teams(db)
    values: dict[str, Any] = {
        "name": member.user.name,
        "role": str(member.user.role),
        "team_id": member.user.team_id or "",
    }
    context = {
        "member": member,
        "team_options": [(t.id, t.name) for t in teams],
        "errors": form.errors if form else {},
        "values": {**values, **(form.values if form else {})},
        "is_self": member.user.id == user.id,
    }
    return render(request, "admin/staff_member.html", context)


@router.get("/admin/staff/{user_id}")
@access(Role.admin)
async def staff_member(
    request: Request, db: SessionDep, user: CurrentUser, user_id: int
) -> Response:
    return await _member_page(request, db, user, user_id)


@router.post("/admin/staff/{user_id}")
@access(Role.admin)
async def edit_staff(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, user_id: int
) -> Response:
    return await handle_form(
        request,
        staff_members.StaffEditForm,
        save=lambda form: staff_members.edit_staff(
            db, actor=user, user_id=user_id, form=form, now=now
        ),
        then=f"/admin/staff/{user_id}?saved=1",
        page=lambda form: _member_page(request, db, user, user_id, form),
    )


@router.post("/admin/staff/{user_id}/deactivate")
@access(Role.admin)
async def deactivate_staff(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, user_id: int
) -> Response:
    await staff_members.deactivate(db, actor=user, user_id=user_id, now=now)
    return redirect_after_post(request, f"/admin/staff/{user_id}?deactivated=1")


@router.post("/admin/staff/{user_id}/reactivate")
@access(Role.admin)
async def reactivate_staff(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, user_id: int
) -> Response:
    await staff_members.reactivate(db, actor=user, user_id=user_id, now=now)
    return redirect_after_post(request, f"/admin/staff/{user_id}?reactivated=1")


async def _teams_page(
    request: Request, db: SessionDep, user: User, form: FormState | None = None
) -> Response:
    form = form or FormState()
    context = {
        "teams": await team_setup.teams(db, actor=user),
        "errors": form.errors,
        "values": form.values,
    }
    return render(request, "admin/teams.html", context)


@router.get("/admin/teams")
@access(Role.admin)
async def teams_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return await _teams_page(request, db, user)


@router.post("/admin/teams")
@access(Role.admin)
async def create_team(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await handle_form(
        request,
        team_setup.TeamForm,
        save=lambda form: team_setup.create_team(db, actor=user, form=form, now=now),
        then="/admin/teams?created=1",
        page=lambda form: _teams_page(request, db, user, form),
    )


async def _team_page(
    request: Request,
    db: SessionDep,
    user: User,
    team_id: int,
    form: FormState | None = None,
) -> Response:
    team = await team_setup.team(db, actor=user, team_id=team_id)
    context = {
        "team": team,
        "errors": form.errors if form else {},
        "values": form.values if form else {"name": team.name},
    }
    return render(request, "admin/team.html", context)


@router.get("/admin/teams/{team_id}")
@access(Role.admin)
async def team_page(request: Request, db: SessionDep, user: CurrentUser, team_id: int) -> Response:
    return await _team_page(request, db, user, team_id)


@router.post("/admin/teams/{team_id}")
@access(Role.admin)
async def rename_team(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, team_id: int
) -> Response:
    return await handle_form(
        request,
        team_setup.TeamForm,
        save=lambda form: team_setup.rename_team(
            db, actor=user, team_id=team_id, form=form, now=now
        ),
        then="/admin/teams?renamed=1",
        page=lambda form: _team_page(request, db, user, team_id, form),
    )


def _settings_response(request: Request, form: FormState) -> Response:
    context = {
        "values": form.values,
        "errors": form.errors,
        "defaults": municipal_settings.DEFAULTS,
    }
    return render(request, "admin/settings.html", context, partial="admin/_settings_form.html")


@router.get("/admin/settings")
@access(Role.admin)
async def settings_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    current = await municipal_settings.current(db)
    return _settings_response(request, FormState(values=current.model_dump()))


@router.post("/admin/settings")
@access(Role.admin)
async def save_settings(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await handle_form(
        request,
        municipal_settings.MunicipalSettings,
        save=lambda form: municipal_settings.update(db, actor=user, form=form, now=now),
        then="/admin/settings?saved=1",
        page=lambda form: _settings_response(request, form),
        target="#settings-form",
        swap="outerHTML",
    )


@router.get("/admin/changes")
@access(Role.admin)
async def changes_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    lines = await changes.recent(db, actor=user)
    return render(
        request,
        "admin/changes.html",
        {"lines": lines, "setting_labels": municipal_settings.LABELS},
    )
