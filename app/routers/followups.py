"""Follow-ups after a start: the young person's answer, the guide's call list and starts."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from app.clock import copenhagen_today
from app.db import SessionDep
from app.models import (
    CallOutcome,
    CourseEndOutcome,
    EnrollmentKind,
    FollowUpAnswer,
    RiskState,
    Role,
)
from app.security.access import CurrentUser, Now, access
from app.services.client_keys import new_client_key
from app.services.followups import call_list, enrollments, prompts
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()

CHOICES = {
    "answers": list(FollowUpAnswer),
    "outcomes": list(CallOutcome),
    "risk_states": list(RiskState),
    "kinds": list(EnrollmentKind),
    "end_outcomes": list(CourseEndOutcome),
}


@router.get("/followups")
@access(Role.youth)
async def current_follow_up(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    prompt = await prompts.open_prompt(db, actor=user, now=now)
    return _answer_page(request, prompt, FormState())


@router.get("/followups/{follow_up_id}")
@access(Role.youth)
async def follow_up_page(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, follow_up_id: int
) -> Response:
    prompt = await prompts.prompt_for(db, actor=user, follow_up_id=follow_up_id, now=now)
    return _answer_page(request, prompt, FormState())


@router.post("/followups/{follow_up_id}")
@access(Role.youth)
async def answer_follow_up(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, follow_up_id: int
) -> Response:
    async def page(form: FormState) -> Response:
        prompt = await prompts.prompt_for(db, actor=user, follow_up_id=follow_up_id, now=now)
        return _answer_page(request, prompt, form, partial="home/_followup_card.html")

    return await handle_form(
        request,
        prompts.AnswerForm,
        save=lambda form: prompts.answer(
            db, actor=user, follow_up_id=follow_up_id, form=form, now=now
        ),
        then=f"/followups/{follow_up_id}",
        page=page,
    )


def _answer_page(
    request: Request,
    prompt: prompts.FollowUpPrompt | None,
    form: FormState,
    partial: str | None = None,
) -> Response:
    context = {"prompt": prompt, "errors": form.errors, "values": form.values}
    return render(request, "followups/answer.html", context, partial=partial)


async def _call_page(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, rows: dict[int, FormState]
) -> Response:
    """The call list; `rows` are the forms shown again, by young person."""
    calls = await call_list.call_list(db, actor=user, now=now)
    return render(request, "followups/calls.html", {"calls": calls, "row_errors": rows, **CHOICES})


@router.get("/guide/calls")
@access(Role.guide)
async def calls_page(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await _call_page(request, db, user, now, {})


@router.post("/guide/calls/{youth_id}")
@access(Role.guide)
async def record_call(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await handle_form(
        request,
        call_list.CallForm,
        save=lambda form: call_list.record_call(
            db, actor=user, youth_id=youth_id, form=form, now=now
        ),
        then=f"/guide/calls#call-{youth_id}",
        page=lambda form: _call_page(request, db, user, now, {youth_id: form}),
    )


async def _youth_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    **refused: FormState,
) -> Response:
    """The young person's follow-ups with its three forms (`start`, `schedule`, `end`); a
    form shown again keeps its fresh values where the refusal says nothing."""
    data = await enrollments.youth_followups(db, actor=user, youth_id=youth_id, now=now)
    fresh: dict[str, dict[str, Any]] = {
        "start": {
            **await enrollments.default_schedule(db),
            "kind": "education",
            "starts_on": copenhagen_today(now).isoformat(),
            "client_key": new_client_key(),
        },
        "schedule": await _schedule_values(db, data),
        "end": {"ended_on": copenhagen_today(now).isoformat()},
    }
    forms = {name: FormState(values=values) for name, values in fresh.items()}
    for name, form in refused.items():
        forms[name] = FormState(values={**fresh[name], **form.values}, errors=form.errors)
    return render(
        request,
        "followups/youth.html",
        {"data": data, "forms": forms, "today": copenhagen_today(now), "now": now, **CHOICES},
    )


async def _schedule_values(db: SessionDep, data: enrollments.YouthFollowUps) -> dict[str, Any]:
    if data.enrollment is None:
        return await enrollments.default_schedule(db)
    return {
        "first_gap_days": data.enrollment.first_gap_days,
        "interval_days": data.enrollment.interval_days,
        "length_months": data.enrollment.length_months,
    }


@router.get("/guide/youth/{youth_id}/followups")
@access(Role.guide)
async def youth_followups(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await _youth_page(request, db, user, now, youth_id)


@router.post("/guide/youth/{youth_id}/enrollments")
@access(Role.guide)
async def register_start(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await handle_form(
        request,
        enrollments.StartForm,
        save=lambda form: enrollments.register_start(
            db, actor=user, youth_id=youth_id, form=form, now=now
        ),
        then=f"/guide/youth/{youth_id}/followups",
        page=lambda form: _youth_page(request, db, user, now, youth_id, start=form),
    )


@router.post("/guide/youth/{youth_id}/schedule")
@access(Role.guide)
async def change_schedule(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await handle_form(
        request,
        enrollments.ScheduleForm,
        save=lambda form: enrollments.change_schedule(
            db, actor=user, youth_id=youth_id, form=form, now=now
        ),
        then=f"/guide/youth/{youth_id}/followups",
        page=lambda form: _youth_page(request, db, user, now, youth_id, schedule=form),
    )


@router.post("/guide/youth/{youth_id}/course-end")
@access(Role.guide)
async def end_course(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await handle_form(
        request,
        enrollments.CourseEndForm,
        save=lambda form: enrollments.end_course(
            db, actor=user, youth_id=youth_id, form=form, now=now
        ),
        then=f"/guide/youth/{youth_id}/followups",
        page=lambda form: _youth_page(request, db, user, now, youth_id, end=form),
    )
