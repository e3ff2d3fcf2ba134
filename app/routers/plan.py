"""The plan: the young person's steps (/plan) and the guide's plan editing for one young
person (/guide/youth/{id}/plan). HTTP only; the rules live in app/services/plan/ (steps.py,
goal.py and history.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response

from app.db import SessionDep
from app.errors import ValidationFailed
from app.forms import parse_form
from app.models import Role, StepStatus
from app.security.access import CurrentUser, Now, access
from app.services.plan import goal, history, steps
from app.services.plan.goal import DirectionInput
from app.services.plan.steps import Direction, StepChanged, StepInput
from app.web.form_state import FormState, client_key_of
from app.web.htmx import redirect_after_post
from app.web.templating import is_htmx, render

router = APIRouter()


# The young person ------------------------------------------------------------------


@router.get("/plan")
@access(Role.youth)
async def my_plan(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    data = await steps.my_plan(db, actor=user)
    return render(request, "plan/youth.html", _youth_context(request, data, FormState()))


@router.post("/plan/steps")
@access(Role.youth)
async def add_my_step(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    form = await request.form()
    youth = await steps.own_youth(db, actor=user)
    assert youth.id is not None
    try:
        data = parse_form(StepInput, form)
    except ValidationFailed as exc:
        context = _youth_context(
            request, await steps.my_plan(db, actor=user), FormState.failed(exc, form)
        )
        return render(request, "plan/youth.html", context, status_code=422)
    await steps.add_step(
        db, actor=user, youth_id=youth.id, data=data, client_key=client_key_of(form), now=now
    )
    return redirect_after_post(request, "/plan")


@router.post("/plan/steps/{step_id}/status")
@access(Role.youth)
async def set_my_step_status(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    step_id: int,
    status: Annotated[StepStatus, Form()],
    next: Annotated[str, Form()] = "/plan",
) -> Response:
    step = await steps.set_status(db, actor=user, step_id=step_id, status=status, now=now)
    if is_htmx(request):
        data = await steps.my_plan(db, actor=user)
        context = _youth_context(request, data, FormState(), just_done=step.id)
        return render(request, "plan/_youth_plan.html", context)
    target = next if next in ("/", "/plan") else "/plan"
    if status == StepStatus.done:
        target += f"?done={step.id}"
    return redirect_after_post(request, target)


def _youth_context(
    request: Request, data: steps.Plan, form: FormState, just_done: int | None = None
) -> dict[str, Any]:
    if just_done is None and request.query_params.get("done", "").isdigit():
        just_done = int(request.query_params["done"])
    return {"plan": data, "form": form, "just_done": just_done}


# The guide -------------------------------------------------------------------------

GUIDE_PLAN = "/guide/youth/{youth_id}/plan"


@router.get(GUIDE_PLAN)
@access(Role.guide)
async def guide_plan(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    page = await history.guide_plan_page(db, actor=user, youth_id=youth_id, now=now)
    deleted = request.query_params.get("deleted", "")
    context = {
        "page": page,
        "form": FormState(),
        "direction": FormState(),
        "deleted_step": int(deleted) if deleted.isdigit() else None,
    }
    return render(request, "plan/guide.html", context)


@router.post(GUIDE_PLAN + "/steps")
@access(Role.guide)
async def guide_add_step(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    form = await request.form()
    try:
        data = parse_form(StepInput, form)
    except ValidationFailed as exc:
        page = await history.guide_plan_page(
            db, actor=user, youth_id=youth_id, now=now, audit=False
        )
        context = {"page": page, "form": FormState.failed(exc, form), "direction": FormState()}
        return render(request, "plan/guide.html", context, status_code=422)
    await steps.add_step(
        db, actor=user, youth_id=youth_id, data=data, client_key=client_key_of(form), now=now
    )
    return redirect_after_post(request, GUIDE_PLAN.format(youth_id=youth_id))


@router.post(GUIDE_PLAN + "/direction")
@access(Role.guide)
async def guide_set_direction(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    form = await request.form()
    try:
        data = parse_form(DirectionInput, form)
    except ValidationFailed as exc:
        page = await history.guide_plan_page(
            db, actor=user, youth_id=youth_id, now=now, audit=False
        )
        context = {"page": page, "form": FormState(), "direction": FormState.failed(exc, form)}
        return render(request, "plan/guide.html", context, status_code=422)
    await goal.set_direction(db, actor=user, youth_id=youth_id, data=data, now=now)
    return redirect_after_post(request, GUIDE_PLAN.format(youth_id=youth_id))


@router.get(GUIDE_PLAN + "/steps/{step_id}/edit")
@access(Role.guide)
async def guide_edit_step_form(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, step_id: int
) -> Response:
    page = await steps.guide_step_page(db, actor=user, youth_id=youth_id, step_id=step_id, now=now)
    step = page.step
    values = {
        "title": step.title,
        "description": step.description or "",
        "due_on": step.due_on or "",
    }
    return render(request, "plan/edit_step.html", {"page": page, "form": FormState(values=values)})


@router.post(GUIDE_PLAN + "/steps/{step_id}")
@access(Role.guide)
async def guide_edit_step(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    step_id: int,
    version: Annotated[int, Form()],
) -> Response:
    form = await request.form()
    try:
        data = parse_form(StepInput, form)
        await steps.edit_step(
            db, actor=user, youth_id=youth_id, step_id=step_id, data=data, version=version, now=now
        )
    except ValidationFailed as exc:
        page = await steps.guide_step_page(
            db, actor=user, youth_id=youth_id, step_id=step_id, now=now, audit=False
        )
        context = {"page": page, "form": FormState.failed(exc, form), "version": version}
        return render(request, "plan/edit_step.html", context, status_code=422)
    except StepChanged:
        # Show the version that was saved first, and keep what this person typed beside it.
        page = await steps.guide_step_page(
            db, actor=user, youth_id=youth_id, step_id=step_id, now=now, audit=False
        )
        step = page.step
        values = {
            "title": step.title,
            "description": step.description or "",
            "due_on": step.due_on or "",
        }
        mine = {k: form.get(k, "") for k in ("title", "description", "due_on")}
        context = {"page": page, "form": FormState(values=values), "conflict": mine}
        return render(request, "plan/edit_step.html", context, status_code=409)
    return redirect_after_post(request, GUIDE_PLAN.format(youth_id=youth_id))


@router.post(GUIDE_PLAN + "/steps/{step_id}/status")
@access(Role.guide)
async def guide_set_status(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    step_id: int,
    status: Annotated[StepStatus, Form()],
) -> Response:
    await steps.set_status(
        db, actor=user, step_id=step_id, status=status, now=now, youth_id=youth_id
    )
    return await _guide_steps(request, db, user, now, youth_id, focus=step_id)


@router.post(GUIDE_PLAN + "/steps/{step_id}/move")
@access(Role.guide)
async def guide_move_step(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    step_id: int,
    direction: Annotated[Direction, Form()],
) -> Response:
    await steps.move_step(
        db, actor=user, youth_id=youth_id, step_id=step_id, direction=direction, now=now
    )
    return await _guide_steps(request, db, user, now, youth_id, focus=step_id, moved=direction)


@router.post(GUIDE_PLAN + "/steps/{step_id}/delete")
@access(Role.guide)
async def guide_delete_step(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, step_id: int
) -> Response:
    await steps.delete_step(db, actor=user, youth_id=youth_id, step_id=step_id, now=now)
    if not is_htmx(request):
        return redirect_after_post(
            request, GUIDE_PLAN.format(youth_id=youth_id) + f"?deleted={step_id}"
        )
    return await _guide_steps(request, db, user, now, youth_id, deleted=step_id)


@router.post(GUIDE_PLAN + "/steps/{step_id}/restore")
@access(Role.guide)
async def guide_restore_step(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, step_id: int
) -> Response:
    await steps.restore_step(db, actor=user, youth_id=youth_id, step_id=step_id, now=now)
    return await _guide_steps(request, db, user, now, youth_id, focus=step_id)


async def _guide_steps(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    *,
    focus: int | None = None,
    moved: Direction | None = None,
    deleted: int | None = None,
) -> Response:
    """htmx gets the step list again (no page reload); a plain form goes back to the page."""
    if not is_htmx(request):
        return redirect_after_post(request, GUIDE_PLAN.format(youth_id=youth_id))
    page = await history.guide_plan_page(db, actor=user, youth_id=youth_id, now=now, audit=False)
    context = {"page": page, "focus": focus, "moved": moved, "deleted_step": deleted}
    return render(request, "plan/_guide_steps.html", context)
