"""Follow-ups after a start: the young person's answer, the guide's call list and starts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.db import SessionDep
from app.errors import ValidationFailed
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
from app.services.followups.schedule import local_today
from app.web.forms import parse_form
from app.web.htmx import redirect_after_post
from app.web.templating import render

router = APIRouter()

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
    return render(request, "followups/answer.html", {"prompt": prompt, "errors": {}, "values": {}})


@router.get("/followups/{follow_up_id}")
@access(Role.youth)
async def follow_up_page(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, follow_up_id: int
) -> Response:
    prompt = await prompts.prompt_for(db, actor=user, follow_up_id=follow_up_id, now=now)
    return render(request, "followups/answer.html", {"prompt": prompt, "errors": {}, "values": {}})


@router.post("/followups/{follow_up_id}")
@access(Role.youth)
async def answer_follow_up(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, follow_up_id: int
) -> Response:
    data = await request.form()
    try:
        form = parse_form(prompts.AnswerForm, data)
    except ValidationFailed as failed:
        prompt = await prompts.prompt_for(db, actor=user, follow_up_id=follow_up_id, now=now)
        return render(
            request,
            "followups/answer.html",
            {"prompt": prompt, "errors": failed.errors, "values": failed.values},
            partial="home/_followup_card.html",
            status_code=422,
        )
    await prompts.answer(db, actor=user, follow_up_id=follow_up_id, form=form, now=now)
    return redirect_after_post(request, f"/followups/{follow_up_id}")


def _call_page(
    request: Request, calls: call_list.CallList, errors: dict[int, Any], status_code: int = 200
) -> Response:
    return render(
        request,
        "followups/calls.html",
        {"calls": calls, "row_errors": errors, **CHOICES},
        status_code=status_code,
    )


@router.get("/guide/calls")
@access(Role.guide)
async def calls_page(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    calls = await call_list.call_list(db, actor=user, now=now)
    return _call_page(request, calls, {})


@router.post("/guide/calls/{youth_id}")
@access(Role.guide)
async def record_call(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    data = await request.form()
    try:
        form = parse_form(call_list.CallForm, data)
    except ValidationFailed as failed:
        calls = await call_list.call_list(db, actor=user, now=now)
        errors = {youth_id: {"errors": failed.errors, "values": failed.values}}
        return _call_page(request, calls, errors, status_code=422)
    await call_list.record_call(db, actor=user, youth_id=youth_id, form=form, now=now)
    return redirect_after_post(request, f"/guide/calls#call-{youth_id}")


async def _youth_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    *,
    failed: tuple[str, ValidationFailed] | None = None,
) -> Response:
    data = await enrollments.youth_followups(db, actor=user, youth_id=youth_id, now=now)
    forms: dict[str, dict[str, Any]] = {
        "start": {
            "errors": {},
            "values": {
                **await enrollments.default_schedule(db),
                "kind": "education",
                "starts_on": local_today(now).isoformat(),
                "client_key": new_client_key(),
            },
        },
        "schedule": {"errors": {}, "values": await _schedule_values(db, data)},
        "end": {"errors": {}, "values": {"ended_on": local_today(now).isoformat()}},
    }
    if failed is not None:
        name, error = failed
        forms[name] = {"errors": error.errors, "values": {**forms[name]["values"], **error.values}}
    return render(
        request,
        "followups/youth.html",
        {"data": data, "forms": forms, "today": local_today(now), "now": now, **CHOICES},
        status_code=422 if failed else 200,
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
    try:
        form = parse_form(enrollments.StartForm, await request.form())
    except ValidationFailed as failed:
        return await _youth_page(request, db, user, now, youth_id, failed=("start", failed))
    await enrollments.register_start(db, actor=user, youth_id=youth_id, form=form, now=now)
    return redirect_after_post(request, f"/guide/youth/{youth_id}/followups")


@router.post("/guide/youth/{youth_id}/schedule")
@access(Role.guide)
async def change_schedule(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    try:
        form = parse_form(enrollments.ScheduleForm, await request.form())
    except ValidationFailed as failed:
        return await _youth_page(request, db, user, now, youth_id, failed=("schedule", failed))
    await enrollments.change_schedule(db, actor=user, youth_id=youth_id, form=form, now=now)
    return redirect_after_post(request, f"/guide/youth/{youth_id}/followups")


@router.post("/guide/youth/{youth_id}/course-end")
@access(Role.guide)
async def end_course(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    try:
        form = parse_form(enrollments.CourseEndForm, await request.form())
        await enrollments.end_course(db, actor=user, youth_id=youth_id, form=form, now=now)
    except ValidationFailed as failed:
        return await _youth_page(request, db, user, now, youth_id, failed=("end", failed))
    return redirect_after_post(request, f"/guide/youth/{youth_id}/followups")
