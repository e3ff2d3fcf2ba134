"""The guide's workspace and the leader's team: a young person's page, the printable
handover summary, handover, covers and bulk handover. HTTP only; the rules live in
app/services/workspace/youth_page.py, handover.py and team.py. (The caseload is the guide's
start page, served by app/routers/home.py from app/services/workspace/caseload.py.)"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from app.db import SessionDep
from app.models import Role, User
from app.security.access import CurrentUser, Now, access
from app.services.client_keys import new_client_key
from app.services.workspace import handover, team, youth_page
from app.services.workspace.handover import HandoverForm
from app.services.workspace.team import BulkForm, CoverForm
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.htmx import redirect_after_post
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


# The guide --------------------------------------------------------------------------


@router.get("/guide/youth/{youth_id}")
@access(Role.guide)
async def youth(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    page = await youth_page.youth_page(db, actor=user, youth_id=youth_id, now=now)
    return render(request, "workspace/youth.html", {"page": page, "now": now})


@router.get("/guide/youth/{youth_id}/summary")
@access(Role.guide)
async def summary(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    page = await youth_page.youth_page(
        db, actor=user, youth_id=youth_id, now=now, action="youth.summary"
    )
    return render(request, "workspace/summary.html", {"page": page, "now": now})


async def _handover_form(
    request: Request,
    db: SessionDep,
    user: User,
    now: Any,
    youth_id: int,
    form: FormState | None = None,
) -> Response:
    form = form or FormState()
    young, person = await handover.handover_form_youth(db, actor=user, youth_id=youth_id, now=now)
    context = {
        "youth": young,
        "person": person,
        "guide_options": [
            (g.id, g.name) for g in await handover.colleagues(db, actor=user, exclude=user.id)
        ],
        "errors": form.errors,
        "values": form.values or {"client_key": new_client_key()},
    }
    return render(request, "workspace/handover.html", context)


@router.get("/guide/youth/{youth_id}/handover")
@access(Role.guide)
async def handover_form(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await _handover_form(request, db, user, now, youth_id)


@router.post("/guide/youth/{youth_id}/handover")
@access(Role.guide)
async def hand_over(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await handle_form(
        request,
        HandoverForm,
        save=lambda form: handover.hand_over(db, actor=user, youth_id=youth_id, form=form, now=now),
        then="/?handed_over=1",
        page=lambda form: _handover_form(request, db, user, now, youth_id, form),
    )


# The leader -------------------------------------------------------------------------


async def _team(
    request: Request,
    db: SessionDep,
    user: User,
    now: Any,
    form: FormState | None = None,
) -> Response:
    form = form or FormState()
    context = {
        "team": await team.team_page(db, actor=user, now=now),
        "errors": form.errors,
        "values": form.values or {"client_key": new_client_key()},
        "now": now,
    }
    return render(request, "workspace/team.html", context)


@router.get("/leader/team")
@access(Role.leader)
async def team_page(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await _team(request, db, user, now)


@router.post("/leader/covers")
@access(Role.leader)
async def create_cover(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await handle_form(
        request,
        CoverForm,
        save=lambda form: team.create_cover(db, actor=user, form=form, now=now),
        then="/leader/team#covers",
        page=lambda form: _team(request, db, user, now, form),
    )


@router.post("/leader/covers/{cover_id}/end")
@access(Role.leader)
async def end_cover(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, cover_id: int
) -> Response:
    await team.end_cover(db, actor=user, cover_id=cover_id, now=now)
    return redirect_after_post(request, "/leader/team#covers")


async def _bulk(
    request: Request,
    db: SessionDep,
    user: User,
    guide_id: int,
    form: FormState | None = None,
) -> Response:
    form = form or FormState()
    bulk = await team.bulk_page(db, actor=user, guide_id=guide_id)
    values = form.values or {"client_key": new_client_key(), "distribution": "round_robin"}
    if not form.values and request.query_params.get("all") == "1":  # "Select all"
        values["youth_ids"] = [choice.youth_id for choice in bulk.young]
    context = {"bulk": bulk, "errors": form.errors, "values": values}
    return render(request, "workspace/bulk_handover.html", context)


@router.get("/leader/team/guides/{guide_id}/handover")
@access(Role.leader)
async def bulk_form(request: Request, db: SessionDep, user: CurrentUser, guide_id: int) -> Response:
    return await _bulk(request, db, user, guide_id)


@router.post("/leader/team/guides/{guide_id}/handover")
@access(Role.leader)
async def bulk_hand_over(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, guide_id: int
) -> Response:
    raw = BulkForm.from_form(await request.form())
    return await handle_form(
        request,
        BulkForm,
        save=lambda form: team.bulk_hand_over(
            db, actor=user, guide_id=guide_id, form=form, now=now
        ),
        then=lambda moved: f"/leader/team?moved={len(moved)}",
        # The form again as ticked: the refusal's values would be the parsed ids.
        page=lambda form: _bulk(
            request, db, user, guide_id, FormState(values=raw, errors=form.errors)
        ),
        data=raw,
    )
