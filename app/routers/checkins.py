"""Check-ins: the young person answers under /checkins, the guide follows under /guide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response

from app.db import SessionDep
from app.errors import NotFound
from app.forms import CONTROL
from app.models import CheckIn, Role
from app.security.access import CurrentUser, Now, access
from app.services.checkins import answering, guide_side, history
from app.services.checkins.guide_side import AcknowledgeForm, CadenceForm
from app.services.client_keys import new_client_key
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


async def _form_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int | None,
    code: str,
    client_key: str,
    form: FormState | None = None,
) -> Response:
    """The check-in form: the young person's own, or with `youth_id` the guide's to fill in
    together. It posts back to where "back" goes; a form shown again keeps its key."""
    together_with = None
    if youth_id is None:
        instrument, action = await answering.current_instrument(db, code), "/checkins"
    else:
        person, instrument = await guide_side.together_form(
            db, actor=user, youth_id=youth_id, code=code, now=now
        )
        action, together_with = _guide_url(youth_id), person.name
    form = form or FormState()
    context = {
        "instrument": instrument,
        "definition": instrument.definition,
        "action": action,
        "back": action,
        "client_key": client_key,
        "errors": form.errors,
        "values": form.values,
        "together_with": together_with,
    }
    return render(request, "checkins/form.html", context)


async def _submit(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int | None,
    then: str | Callable[[CheckIn], str],
) -> Response:
    """One check-in answered; refused answers come back marked, under the key they came with."""
    posted = await request.form()
    code, client_key = str(posted.get("instrument", "")), str(posted.get("client_key", ""))
    if CONTROL.search(code):
        raise NotFound()  # no instrument is called that; the page again would look it up
    return await handle_form(
        request,
        answering.answers_from_form,
        save=lambda answers: answering.submit(
            db,
            actor=user,
            youth_id=youth_id,
            code=code,
            answers=answers,
            client_key=client_key,
            now=now,
        ),
        then=then,
        page=lambda form: _form_page(request, db, user, now, youth_id, code, client_key, form),
    )


# The young person --------------------------------------------------------------------


@router.get("/checkins")
@access(Role.youth)
async def overview(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    data = await history.youth_overview(db, actor=user, now=now)
    return render(request, "checkins/overview.html", {"overview": data, "now": now})


@router.get("/checkins/new/{code}")
@access(Role.youth)
async def answer_form(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, code: str
) -> Response:
    return await _form_page(request, db, user, now, None, code, new_client_key())


@router.post("/checkins")
@access(Role.youth)
async def submit(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await _submit(request, db, user, now, None, lambda checkin: f"/checkins/{checkin.id}")


@router.get("/checkins/{checkin_id:int}")
@access(Role.youth)
async def result(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, checkin_id: int
) -> Response:
    data = await answering.own_result(db, actor=user, checkin_id=checkin_id, now=now)
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
    return await _guide_page(request, db, user, now, youth_id)


@router.get("/guide/youth/{youth_id}/checkins/new/{code}")
@access(Role.guide)
async def together_form(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, code: str
) -> Response:
    return await _form_page(request, db, user, now, youth_id, code, new_client_key())


@router.post("/guide/youth/{youth_id}/checkins")
@access(Role.guide)
async def submit_together(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await _submit(request, db, user, now, youth_id, _guide_url(youth_id))


async def _guide_page(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, **forms: Any
) -> Response:
    """The guide's page with one of its forms shown again (`ack_*` or `cadence_*`)."""
    view = await guide_side.guide_view(db, actor=user, youth_id=youth_id, now=now)
    context = {"view": view, "now": now, **forms}
    return render(request, "checkins/guide_youth.html", context)


@router.post("/guide/youth/{youth_id}/checkins/alerts/{alert_id}/acknowledge")
@access(Role.guide)
async def acknowledge(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, alert_id: int
) -> Response:
    async def page(form: FormState) -> Response:
        await guide_side.alert_of(db, actor=user, youth_id=youth_id, alert_id=alert_id, now=now)
        return await _guide_page(
            request,
            db,
            user,
            now,
            youth_id,
            ack_alert_id=alert_id,
            ack_errors=form.errors,
            ack_values=form.values,
        )

    return await handle_form(
        request,
        AcknowledgeForm,
        save=lambda form: guide_side.acknowledge(
            db, actor=user, youth_id=youth_id, alert_id=alert_id, form=form, now=now
        ),
        then=_guide_url(youth_id),
        page=page,
    )


@router.post("/guide/youth/{youth_id}/checkins/cadence")
@access(Role.guide)
async def cadence(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await handle_form(
        request,
        CadenceForm,
        save=lambda form: guide_side.set_cadence(
            db, actor=user, youth_id=youth_id, form=form, now=now
        ),
        then=_guide_url(youth_id),
        page=lambda form: _guide_page(
            request, db, user, now, youth_id, cadence_errors=form.errors, cadence_values=form.values
        ),
    )
