"""Appointments, the young person's agenda and their calendar: /appointments for the
young person, /guide/youth/{id}/appointments for the guide, and the public calendar feed.
HTTP only; the rules live in app/services/plan/appointments.py, agenda.py and calendar.py."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response

from app.db import SessionDep
from app.errors import Conflict, NotFound, ValidationFailed
from app.forms import parse_form
from app.models import Role
from app.security.access import PUBLIC, CurrentUser, Now, access
from app.services.plan import agenda, appointments, calendar
from app.services.plan.agenda import AgendaInput
from app.services.plan.appointments import AnswerInput, AppointmentInput, WhenInput
from app.web.form_state import FormState, client_key_of
from app.web.htmx import redirect_after_post
from app.web.templating import render

router = APIRouter()
ICS = "text/calendar; charset=utf-8"


def _host(request: Request) -> str:
    return urlsplit(request.app.state.settings.public_base_url).hostname or "trinvis"


# The young person ------------------------------------------------------------------


@router.get("/appointments")
@access(Role.youth)
async def my_appointments(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    return render(request, "appointments/youth.html", await _youth_context(db, user, now))


@router.post("/appointments/{appointment_id}/answer")
@access(Role.youth)
async def answer_appointment(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, appointment_id: int
) -> Response:
    form = await request.form()
    try:
        data = parse_form(AnswerInput, form)
    except ValidationFailed as exc:
        context = await _youth_context(db, user, now, answer=FormState.failed(exc, form))
        context["answer_for"] = appointment_id
        return render(request, "appointments/youth.html", context, status_code=422)
    await appointments.answer(db, actor=user, appointment_id=appointment_id, data=data, now=now)
    return redirect_after_post(request, "/appointments")


@router.get("/appointments/{appointment_id}.ics")
@access(Role.youth)
async def appointment_ics(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, appointment_id: int
) -> Response:
    body = await calendar.appointment_file(
        db, actor=user, appointment_id=appointment_id, host=_host(request), now=now
    )
    disposition = f'attachment; filename="trinvis-{appointment_id}.ics"'
    return Response(body, media_type=ICS, headers={"Content-Disposition": disposition})


@router.post("/agenda")
@access(Role.youth)
async def add_agenda_item(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    form = await request.form()
    try:
        data = parse_form(AgendaInput, form)
    except ValidationFailed as exc:
        context = await _youth_context(db, user, now, agenda_form=FormState.failed(exc, form))
        return render(request, "appointments/youth.html", context, status_code=422)
    await agenda.add_item(db, actor=user, data=data, client_key=client_key_of(form), now=now)
    return redirect_after_post(request, "/appointments#agenda")


@router.post("/agenda/{item_id}/remove")
@access(Role.youth)
async def remove_agenda_item(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, item_id: int
) -> Response:
    await agenda.remove_item(db, actor=user, item_id=item_id, now=now)
    return redirect_after_post(request, "/appointments#agenda")


@router.post("/calendar-feed")
@access(Role.youth)
async def new_calendar_feed(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    token = await calendar.new_feed(db, actor=user, now=now)
    base = request.app.state.settings.public_base_url.rstrip("/")
    context = await _youth_context(db, user, now)
    # The secret is shown this once: only its hash is stored.
    context["feed_url"] = f"{base}/calendar/{token}.ics"
    return render(request, "appointments/youth.html", context)


@router.post("/calendar-feed/revoke")
@access(Role.youth)
async def revoke_calendar_feed(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    await calendar.revoke_feed(db, actor=user, now=now)
    return redirect_after_post(request, "/appointments#calendar")


@router.get("/calendar/{token}.ics")
@access(PUBLIC)
async def calendar_feed(request: Request, db: SessionDep, now: Now, token: str) -> Response:
    """Public, so calendar apps can fetch it; answers only for a valid, unrevoked secret."""
    if len(token) > 128:
        raise NotFound()
    body = await calendar.feed_file(db, token=token, host=_host(request), now=now)
    return Response(body, media_type=ICS)


async def _youth_context(
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    *,
    answer: FormState | None = None,
    agenda_form: FormState | None = None,
) -> dict[str, Any]:
    return {
        "schedule": await appointments.my_schedule(db, actor=user, now=now),
        "feed": await calendar.active_feed(db, actor=user),
        "feed_url": None,
        "answer": answer or FormState(),
        "answer_for": None,
        "agenda_form": agenda_form or FormState(),
        "now": now,
    }


# The guide -------------------------------------------------------------------------

GUIDE = "/guide/youth/{youth_id}/appointments"


@router.get(GUIDE)
@access(Role.guide)
async def guide_appointments(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    schedule = await appointments.guide_schedule(db, actor=user, youth_id=youth_id, now=now)
    return render(request, "appointments/guide.html", {"schedule": schedule, "form": FormState()})


@router.post(GUIDE)
@access(Role.guide)
async def guide_create_appointment(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    form = await request.form()
    try:
        data = parse_form(AppointmentInput, form)
        await appointments.create(
            db, actor=user, youth_id=youth_id, data=data, client_key=client_key_of(form), now=now
        )
    except ValidationFailed as exc:
        schedule = await appointments.guide_schedule(db, actor=user, youth_id=youth_id, now=now)
        context = {"schedule": schedule, "form": FormState.failed(exc, form)}
        return render(request, "appointments/guide.html", context, status_code=422)
    return redirect_after_post(request, GUIDE.format(youth_id=youth_id))


@router.get(GUIDE + "/{appointment_id}/move")
@access(Role.guide)
async def guide_move_form(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    appointment_id: int,
) -> Response:
    schedule = await appointments.guide_schedule(db, actor=user, youth_id=youth_id, now=now)
    appointment = _one(schedule, appointment_id)
    local = appointment.starts_at.astimezone(appointments.LOCAL_TZ)
    values = {"on": local.date().isoformat(), "at": local.strftime("%H:%M")}
    context = {"schedule": schedule, "appointment": appointment, "form": FormState(values=values)}
    return render(request, "appointments/move.html", context)


@router.post(GUIDE + "/{appointment_id}/move")
@access(Role.guide)
async def guide_move(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    appointment_id: int,
    version: Annotated[int, Form()],
) -> Response:
    form = await request.form()
    try:
        data = parse_form(WhenInput, form)
        await appointments.move(
            db,
            actor=user,
            youth_id=youth_id,
            appointment_id=appointment_id,
            data=data,
            version=version,
            now=now,
        )
    except (ValidationFailed, Conflict) as exc:
        schedule = await appointments.guide_schedule(db, actor=user, youth_id=youth_id, now=now)
        appointment = _one(schedule, appointment_id)
        state = (
            FormState.failed(exc, form)
            if isinstance(exc, ValidationFailed)
            else FormState(values=dict(form))
        )
        context = {
            "schedule": schedule,
            "appointment": appointment,
            "form": state,
            "changed": isinstance(exc, Conflict),
            "version": version if isinstance(exc, ValidationFailed) else appointment.version,
        }
        return render(request, "appointments/move.html", context, status_code=exc.status_code)
    return redirect_after_post(request, GUIDE.format(youth_id=youth_id))


@router.post(GUIDE + "/{appointment_id}/cancel")
@access(Role.guide)
async def guide_cancel(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    appointment_id: int,
) -> Response:
    await appointments.cancel(
        db, actor=user, youth_id=youth_id, appointment_id=appointment_id, now=now
    )
    return redirect_after_post(request, GUIDE.format(youth_id=youth_id))


@router.post("/guide/youth/{youth_id}/agenda/{item_id}/discussed")
@access(Role.guide)
async def guide_agenda_discussed(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, item_id: int
) -> Response:
    await agenda.mark_discussed(db, actor=user, youth_id=youth_id, item_id=item_id, now=now)
    return redirect_after_post(request, GUIDE.format(youth_id=youth_id))


def _one(schedule: appointments.Schedule, appointment_id: int) -> Any:
    for appointment in schedule.upcoming + schedule.past:
        if appointment.id == appointment_id:
            return appointment
    raise NotFound()
