"""The guide's working week (when young people can expect an answer)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.db import SessionDep
from app.errors import ValidationFailed
from app.models import Role
from app.security.access import CurrentUser, access
from app.services.messages import working_hours
from app.web.htmx import redirect_after_post
from app.web.templating import render

router = APIRouter()


@router.get("/guide/working-hours")
@access(Role.guide)
async def working_hours_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    days = await working_hours.own_week(db, actor=user)
    saved = request.query_params.get("saved") == "1"
    context: dict[str, object] = {"days": days, "errors": {}, "values": None, "saved": saved}
    return render(request, "messages/working_hours.html", context)


@router.post("/guide/working-hours")
@access(Role.guide)
async def save_working_hours(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    data = {key: str(value) for key, value in (await request.form()).items()}
    try:
        days = working_hours.parse_week(data)
    except ValidationFailed as failed:
        context = {
            "days": await working_hours.own_week(db, actor=user),
            "errors": failed.errors,
            "values": failed.values,
            "saved": False,
        }
        return render(request, "messages/working_hours.html", context, status_code=422)
    await working_hours.save_week(db, actor=user, days=days)
    return redirect_after_post(request, "/guide/working-hours?saved=1")
