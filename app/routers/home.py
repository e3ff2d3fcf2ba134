"""The start page: each role lands on what it needs first."""

from __future__ import annotations

from fastapi import Request, Response

from app.db import SessionDep
from app.models import Role
from app.security.access import CurrentUser, Now, access
from app.services import overview
from app.services.workspace import caseload
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


@router.get("/")
@access(Role.youth, Role.guide, Role.leader, Role.admin)
async def home(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    if user.role == Role.youth:
        data = await overview.youth_home(db, actor=user, now=now)
        return render(request, "home/youth.html", {"home": data})
    if user.role == Role.guide:
        filters = caseload.CaseloadFilters.from_query(request.query_params)
        load = await caseload.guide_caseload(db, actor=user, now=now, filters=filters)
        context = {"caseload": load, "now": now}
        return render(request, "home/guide.html", context, partial="workspace/_caseload.html")
    if user.role == Role.leader:
        loads = await overview.caseload_sizes(db)
        without = await overview.without_guide(db, actor=user)
        return render(request, "home/leader.html", {"loads": loads, "without_guide": without})
    staff = await overview.staff_directory(db)
    return render(request, "home/admin.html", {"staff": staff})
