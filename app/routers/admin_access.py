"""The admin's access tools: staff, ending sessions, and the audit log export."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import Request, Response

from app.clock import in_copenhagen
from app.db import SessionDep
from app.models import Role, User
from app.security.access import CurrentUser, Now, access
from app.services.admin import staff_members
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.htmx import redirect_after_post
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


async def _staff_page(
    request: Request,
    db: SessionDep,
    user: User,
    form: FormState | None = None,
) -> Response:
    form = form or FormState()
    staff = await staff_members.staff_list(db, actor=user)
    teams = await staff_members.teams(db)
    context = {
        "staff": staff,
        "team_options": [(t.id, t.name) for t in teams],
        "errors": form.errors,
        "values": form.values,
    }
    return render(request, "identity/admin_staff.html", context)


@router.get("/admin/staff")
@access(Role.admin)
async def staff_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return await _staff_page(request, db, user)


@router.post("/admin/staff")
@access(Role.admin)
async def add_staff(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await handle_form(
        request,
        staff_members.StaffForm,
        save=lambda form: staff_members.add_staff(db, actor=user, form=form, now=now),
        then="/admin/staff?added=1",
        page=lambda form: _staff_page(request, db, user, form),
    )


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
    today = in_copenhagen(now).date()
    values = {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}
    return _audit_page(request, FormState(values=values))


def _audit_page(request: Request, form: FormState) -> Response:
    context = {"values": form.values, "errors": form.errors}
    return render(request, "identity/admin_audit.html", context)


@router.get("/admin/audit.csv")
@access(Role.admin)
async def audit_csv(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await handle_form(
        request,
        staff_members.AuditPeriod,
        save=lambda period: _audit_csv(db, user, period, now),
        page=lambda form: _audit_page(request, form),
        data=dict(request.query_params),
    )


async def _audit_csv(
    db: SessionDep, user: User, period: staff_members.AuditPeriod, now: datetime
) -> Response:
    text = await staff_members.audit_csv(db, actor=user, period=period, now=now)
    filename = f"trinvis-audit-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
