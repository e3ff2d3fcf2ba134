"""The admin's access tools: staff, ending sessions, and the audit log export."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from app.db import SessionDep
from app.errors import ValidationFailed
from app.forms import parse_form
from app.models import Role, User
from app.security.access import CurrentUser, Now, access
from app.services.admin import staff_members
from app.web.htmx import redirect_after_post
from app.web.templating import render
from app.web.timefmt import local

router = APIRouter()


async def _staff_page(
    request: Request,
    db: SessionDep,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    staff = await staff_members.staff_list(db, actor=user)
    teams = await staff_members.teams(db)
    context = {
        "staff": staff,
        "team_options": [(t.id, t.name) for t in teams],
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "identity/admin_staff.html", context, status_code=status_code)


@router.get("/admin/staff")
@access(Role.admin)
async def staff_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return await _staff_page(request, db, user)


@router.post("/admin/staff")
@access(Role.admin)
async def add_staff(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    try:
        form = parse_form(staff_members.StaffForm, await request.form())
        await staff_members.add_staff(db, actor=user, form=form, now=now)
    except ValidationFailed as exc:
        return await _staff_page(
            request, db, user, errors=exc.errors, values=exc.values, status_code=422
        )
    return redirect_after_post(request, "/admin/staff?added=1")


@router.post("/admin/users/{user_id}/end-sessions")
@access(Role.admin)
async def end_sessions(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, user_id: int
) -> Response:
    await staff_members.end_sessions(db, actor=user, user_id=user_id, now=now)
    return redirect_after_post(request, "/admin/staff?ended=1")


@router.get("/admin/audit")
@access(Role.admin)
async def audit_page(request: Request, now: Now) -> Response:
    today = local(now).date()
    values = {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}
    return render(request, "identity/admin_audit.html", {"values": values, "errors": {}})


@router.get("/admin/audit.csv")
@access(Role.admin)
async def audit_csv(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    try:
        period = parse_form(staff_members.AuditPeriod, dict(request.query_params))
    except ValidationFailed as exc:
        context = {"values": exc.values, "errors": exc.errors}
        return render(request, "identity/admin_audit.html", context, status_code=422)
    text = await staff_members.audit_csv(db, actor=user, period=period)
    filename = f"trinvis-audit-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
