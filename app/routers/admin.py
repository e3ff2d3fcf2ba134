"""The admin's pages: staff members, teams, the municipality's settings, the change log.

Adding staff, ending sessions and the audit export live in `admin_access.py`.
Admins reach no young person's content: these pages show staff, teams and counts only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.db import SessionDep
from app.errors import ValidationFailed
from app.forms import parse_form
from app.models import Role, User
from app.security.access import CurrentUser, Now, access
from app.services.admin import changes, municipal_settings, staff_members, team_setup
from app.web.htmx import redirect_after_post
from app.web.templating import render

router = APIRouter()


async def _member_page(
    request: Request,
    db: SessionDep,
    user: User,
    user_id: int,
    *,
    failed: ValidationFailed | None = None,
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
        "errors": failed.errors if failed else {},
        "values": {**values, **(failed.values if failed else {})},
        "is_self": member.user.id == user.id,
    }
    status = 422 if failed else 200
    return render(request, "admin/staff_member.html", context, status_code=status)


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
    try:
        form = parse_form(staff_members.StaffEditForm, await request.form())
        await staff_members.edit_staff(db, actor=user, user_id=user_id, form=form, now=now)
    except ValidationFailed as failed:
        return await _member_page(request, db, user, user_id, failed=failed)
    return redirect_after_post(request, f"/admin/staff/{user_id}?saved=1")


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
    request: Request, db: SessionDep, user: User, *, failed: ValidationFailed | None = None
) -> Response:
    context = {
        "teams": await team_setup.teams(db, actor=user),
        "errors": failed.errors if failed else {},
        "values": failed.values if failed else {},
    }
    return render(request, "admin/teams.html", context, status_code=422 if failed else 200)


@router.get("/admin/teams")
@access(Role.admin)
async def teams_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return await _teams_page(request, db, user)


@router.post("/admin/teams")
@access(Role.admin)
async def create_team(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    try:
        form = parse_form(team_setup.TeamForm, await request.form())
        await team_setup.create_team(db, actor=user, form=form, now=now)
    except ValidationFailed as failed:
        return await _teams_page(request, db, user, failed=failed)
    return redirect_after_post(request, "/admin/teams?created=1")


async def _team_page(
    request: Request,
    db: SessionDep,
    user: User,
    team_id: int,
    *,
    failed: ValidationFailed | None = None,
) -> Response:
    team = await team_setup.team(db, actor=user, team_id=team_id)
    context = {
        "team": team,
        "errors": failed.errors if failed else {},
        "values": failed.values if failed else {"name": team.name},
    }
    return render(request, "admin/team.html", context, status_code=422 if failed else 200)


@router.get("/admin/teams/{team_id}")
@access(Role.admin)
async def team_page(request: Request, db: SessionDep, user: CurrentUser, team_id: int) -> Response:
    return await _team_page(request, db, user, team_id)


@router.post("/admin/teams/{team_id}")
@access(Role.admin)
async def rename_team(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, team_id: int
) -> Response:
    try:
        form = parse_form(team_setup.TeamForm, await request.form())
        await team_setup.rename_team(db, actor=user, team_id=team_id, form=form, now=now)
    except ValidationFailed as failed:
        return await _team_page(request, db, user, team_id, failed=failed)
    return redirect_after_post(request, "/admin/teams?renamed=1")


def _settings_response(
    request: Request,
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "defaults": municipal_settings.DEFAULTS,
    }
    return render(
        request,
        "admin/settings.html",
        context,
        partial="admin/_settings_form.html",
        status_code=status_code,
    )


@router.get("/admin/settings")
@access(Role.admin)
async def settings_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    current = await municipal_settings.current(db)
    return _settings_response(request, current.model_dump())


@router.post("/admin/settings")
@access(Role.admin)
async def save_settings(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    try:
        form = parse_form(municipal_settings.MunicipalSettings, await request.form())
    except ValidationFailed as failed:
        return _settings_response(request, failed.values, errors=failed.errors, status_code=422)
    await municipal_settings.update(db, actor=user, form=form, now=now)
    return redirect_after_post(
        request, "/admin/settings?saved=1", target="#settings-form", swap="outerHTML"
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
