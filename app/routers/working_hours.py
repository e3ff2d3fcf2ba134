"""The guide's working week (when young people can expect an answer)."""

from __future__ import annotations

from fastapi import Request, Response

from app.db import SessionDep
from app.models import Role
from app.security.access import CurrentUser, access
from app.services.messages import working_hours
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


@router.get("/guide/working-hours")
@access(Role.guide)
async def working_hours_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return await _week_page(request, db, user, saved=request.query_params.get("saved") == "1")


async def _week_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    form: FormState | None = None,
    *,
    saved: bool = False,
) -> Response:
    """The week as saved, or as typed when the form comes back with errors."""
    context = {
        "days": await working_hours.own_week(db, actor=user),
        "errors": form.errors if form else {},
        "values": form.values if form else None,
        "saved": saved,
    }
    return render(request, "messages/working_hours.html", context)


@router.post("/guide/working-hours")
@access(Role.guide)
async def save_working_hours(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return await handle_form(
        request,
        working_hours.parse_week,
        save=lambda days: working_hours.save_week(db, actor=user, days=days),
        then="/guide/working-hours?saved=1",
        page=lambda form: _week_page(request, db, user, form),
        data={key: str(value) for key, value in (await request.form()).items()},
    )
