"""Check-ins: the young person answers under /checkins, the guide follows under /guide."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.db import SessionDep
from app.errors import ValidationFailed
from app.models import Role
from app.security.access import CurrentUser, Now, access
from app.services.checkins import answering, guide_side, history
from app.services.checkins.guide_side import AcknowledgeForm, CadenceForm
from app.services.client_keys import new_client_key
from app.web.forms import parse_form
from app.web.htmx import redirect_after_post
from app.web.templating import render

router = APIRouter()


def _form_context(
    instrument: answering.InstrumentVersion,
    *,
    action: str,
    back: str,
    client_key: str,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    together_with: str | None = None,
) -> dict[str, Any]:
    return {
        "instrument": instrument,
        "definition": instrument.definition,
        "action": action,
        "back": back,
        "client_key": client_key,
        "errors": errors or {},
        "values": values or {},
        "together_with": together_with,
    }


# The young person --------------------------------------------------------------------


@router.get("/checkins")
@access(Role.youth)
async def overview(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    data = await history.youth_overview(db, actor=user, now=now)
    return render(request, "checkins/overview.html", {"overview": data, "now": now})


@router.get("/checkins/new/{code}")
@access(Role.youth)
async def answer_form(request: Request, db: SessionDep, user: CurrentUser, code: str) -> Response:
    instrument = await answering.current_instrument(db, code)
    context = _form_context(
        instrument, action="/checkins", back="/checkins", client_key=new_client_key()
    )
    return render(request, "checkins/form.html", context)


@router.post("/checkins")
@access(Role.youth)
async def submit(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    form = await request.form()
    code = str(form.get("instrument", ""))
    client_key = str(form.get("client_key", ""))
    try:
        checkin = await answering.submit(
            db,
            actor=user,
            youth_id=None,
            code=code,
            answers=answering.answers_from_form(form),
            client_key=client_key,
            now=now,
        )
    except ValidationFailed as failed:
        instrument = await answering.current_instrument(db, code)
        context = _form_context(
            instrument,
            action="/checkins",
            back="/checkins",
            client_key=client_key,
            errors=failed.errors,
            values=failed.values,
        )
        return render(request, "checkins/form.html", context, status_code=422)
    return redirect_after_post(request, f"/checkins/{checkin.id}")


@router.get("/checkins/{checkin_id:int}")
@access(Role.youth)
async def result(request: Request, db: SessionDep, user: CurrentUser, checkin_id: int) -> Response:
    data = await answering.own_result(db, actor=user, checkin_id=checkin_id)
    return render(request, "checkins/result.html", {"result": data})


# The guide ---------------------------------------------------------------------------


@router.get("/guide/checkins")
@access(Role.guide)
async def caseload(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    rows = await guide_side.caseload_overview(db, actor=user, now=now)
    return render(request, "checkins/guide_caseload.html", {"rows": rows})


def _guide_url(youth_id: int) -> str:
    return f"/guide/youth/{youth_id}/checkins"


@router.get("/guide/youth/{youth_id}/checkins")
@access(Role.guide)
async def guide_youth(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    view = await guide_side.guide_view(db, actor=user, youth_id=youth_id, now=now)
    return render(request, "checkins/guide_youth.html", {"view": view, "now": now})


@router.get("/guide/youth/{youth_id}/checkins/new/{code}")
@access(Role.guide)
async def together_form(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, code: str
) -> Response:
    person, instrument = await guide_side.together_form(
        db, actor=user, youth_id=youth_id, code=code, now=now
    )
    context = _form_context(
        instrument,
        action=_guide_url(youth_id),
        back=_guide_url(youth_id),
        client_key=new_client_key(),
        together_with=person.name,
    )
    return render(request, "checkins/form.html", context)


@router.post("/guide/youth/{youth_id}/checkins")
@access(Role.guide)
async def submit_together(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    form = await request.form()
    code = str(form.get("instrument", ""))
    client_key = str(form.get("client_key", ""))
    try:
        await answering.submit(
            db,
            actor=user,
            youth_id=youth_id,
            code=code,
            answers=answering.answers_from_form(form),
            client_key=client_key,
            now=now,
        )
    except ValidationFailed as failed:
        person, instrument = await guide_side.together_form(
            db, actor=user, youth_id=youth_id, code=code, now=now
        )
        context = _form_context(
            instrument,
            action=_guide_url(youth_id),
            back=_guide_url(youth_id),
            client_key=client_key,
            errors=failed.errors,
            values=failed.values,
            together_with=person.name,
        )
        return render(request, "checkins/form.html", context, status_code=422)
    return redirect_after_post(request, _guide_url(youth_id))


async def _guide_page_with_errors(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, **errors: Any
) -> Response:
    view = await guide_side.guide_view(db, actor=user, youth_id=youth_id, now=now)
    context = {"view": view, "now": now, **errors}
    return render(request, "checkins/guide_youth.html", context, status_code=422)


@router.post("/guide/youth/{youth_id}/checkins/alerts/{alert_id}/acknowledge")
@access(Role.guide)
async def acknowledge(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, alert_id: int
) -> Response:
    try:
        form = parse_form(AcknowledgeForm, await request.form())
    except ValidationFailed as failed:
        await guide_side.alert_of(db, actor=user, youth_id=youth_id, alert_id=alert_id, now=now)
        return await _guide_page_with_errors(
            request,
            db,
            user,
            now,
            youth_id,
            ack_alert_id=alert_id,
            ack_errors=failed.errors,
            ack_values=failed.values,
        )
    await guide_side.acknowledge(
        db, actor=user, youth_id=youth_id, alert_id=alert_id, form=form, now=now
    )
    return redirect_after_post(request, _guide_url(youth_id))


@router.post("/guide/youth/{youth_id}/checkins/cadence")
@access(Role.guide)
async def cadence(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    try:
        form = parse_form(CadenceForm, await request.form())
    except ValidationFailed as failed:
        return await _guide_page_with_errors(
            request,
            db,
            user,
            now,
            youth_id,
            cadence_errors=failed.errors,
            cadence_values=failed.values,
        )
    await guide_side.set_cadence(db, actor=user, youth_id=youth_id, form=form, now=now)
    return redirect_after_post(request, _guide_url(youth_id))
