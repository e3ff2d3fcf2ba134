"""The plan: the young person's steps (/plan) and the guide's plan editing for one young
person (/guide/youth/{id}/plan). HTTP only; the rules live in app/services/plan/ (steps.py,
goal.py and history.py)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import Form, Request, Response

from app.db import SessionDep
from app.models import PlanStep, Role, StepStatus
from app.security.access import CurrentUser, Now, access
from app.services.plan import goal, history, steps
from app.services.plan.goal import DirectionForm
from app.services.plan.steps import Direction, StepForm
from app.web.form_state import FormState, client_key_of
from app.web.form_views import handle_form
from app.web.htmx import redirect_after_post
from app.web.request_input import query_id
from app.web.routing import AreaRouter
from app.web.templating import is_htmx, render

router = AreaRouter()


# The young person ------------------------------------------------------------------


@router.get("/plan")
@access(Role.youth)
async def my_plan(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    data = await steps.my_plan(db, actor=user)
    return render(request, "plan/youth.html", _youth_context(request, data, FormState()))


@router.post("/plan/steps")
@access(Role.youth)
async def add_my_step(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    youth = await steps.own_youth(db, actor=user)
    youth_id = youth.id
    assert youth_id is not None
    key = client_key_of(await request.form())

    async def page(form: FormState) -> Response:
        context = _youth_context(request, await steps.my_plan(db, actor=user), form)
        return render(request, "plan/youth.html", context)

    return await handle_form(
        request,
        StepForm,
        save=lambda data: steps.add_step(
            db, actor=user, youth_id=youth_id, data=data, client_key=key, now=now
        ),
        then="/plan",
        page=page,
    )


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
    if just_done is None:
        just_done = query_id(request, "done")
    return {"plan": data, "form": form, "just_done": just_done}


# The guide -------------------------------------------------------------------------

GUIDE_PLAN = "/guide/youth/{youth_id}/plan"


@router.get(GUIDE_PLAN)
@access(Role.guide)
async def guide_plan(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    page = await history.guide_plan_page(db, actor=user, youth_id=youth_id, now=now)
    context = {
        "page": page,
        "form": FormState(),
        "direction": FormState(),
        "deleted_step": query_id(request, "deleted"),
    }
    return render(request, "plan/guide.html", context)


async def _guide_page_again(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    *,
    form: FormState | None = None,
    direction: FormState | None = None,
) -> Response:
    """The plan page with one of its forms shown again; the view was audited already."""
    page = await history.guide_plan_page(db, actor=user, youth_id=youth_id, now=now, audit=False)
    context = {"page": page, "form": form or FormState(), "direction": direction or FormState()}
    return render(request, "plan/guide.html", context)


@router.post(GUIDE_PLAN + "/steps")
@access(Role.guide)
async def guide_add_step(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    key = client_key_of(await request.form())
    return await handle_form(
        request,
        StepForm,
        save=lambda data: steps.add_step(
            db, actor=user, youth_id=youth_id, data=data, client_key=key, now=now
        ),
        then=GUIDE_PLAN.format(youth_id=youth_id),
        page=lambda form: _guide_page_again(request, db, user, now, youth_id, form=form),
    )


@router.post(GUIDE_PLAN + "/direction")
@access(Role.guide)
async def guide_set_direction(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await handle_form(
        request,
        DirectionForm,
        save=lambda data: goal.set_direction(db, actor=user, youth_id=youth_id, data=data, now=now),
        then=GUIDE_PLAN.format(youth_id=youth_id) + "?goal_saved=1",
        page=lambda form: _guide_page_again(request, db, user, now, youth_id, direction=form),
    )


@router.get(GUIDE_PLAN + "/steps/{step_id}/edit")
@access(Role.guide)
async def guide_edit_step_form(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, step_id: int
) -> Response:
    page = await steps.guide_step_page(db, actor=user, youth_id=youth_id, step_id=step_id, now=now)
    return _edit_page(request, page, FormState(values=_step_values(page.step)))


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
    def again(form: FormState, **shown: Any) -> Awaitable[Response]:
        return _edit_again(request, db, user, now, youth_id, step_id, form, **shown)

    return await handle_form(
        request,
        StepForm,
        save=lambda data: steps.edit_step(
            db, actor=user, youth_id=youth_id, step_id=step_id, data=data, version=version, now=now
        ),
        then=GUIDE_PLAN.format(youth_id=youth_id),
        page=lambda form: again(form, version=version),
        changed=lambda form: again(form, conflict=True),
    )


async def _edit_again(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    step_id: int,
    form: FormState,
    *,
    conflict: bool = False,
    version: int | None = None,
) -> Response:
    """The refused form again; or, when someone saved first, the step as it was saved with
    what this person typed shown beside it."""
    page = await steps.guide_step_page(
        db, actor=user, youth_id=youth_id, step_id=step_id, now=now, audit=False
    )
    if conflict:
        mine = {k: form.values.get(k, "") for k in ("title", "description", "due_on")}
        return _edit_page(request, page, FormState(values=_step_values(page.step)), conflict=mine)
    return _edit_page(request, page, form, version=version)


def _edit_page(request: Request, page: steps.StepPage, form: FormState, **shown: Any) -> Response:
    return render(request, "plan/edit_step.html", {"page": page, "form": form, **shown})


def _step_values(step: PlanStep) -> dict[str, Any]:
    return {"title": step.title, "description": step.description or "", "due_on": step.due_on or ""}


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
