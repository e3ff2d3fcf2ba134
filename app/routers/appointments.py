"""Appointments, the young person's agenda and their calendar: /appointments for the
young person, /guide/youth/{id}/appointments for the guide, and the public calendar feed.
HTTP only; the rules live in app/services/plan/appointments.py, agenda.py and calendar.py."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Form, Request, Response

from app.clock import in_copenhagen
from app.db import SessionDep
from app.errors import NotFound
from app.models import Role
from app.security.access import PUBLIC, CurrentUser, Now, access
from app.services.plan import agenda, appointments, calendar
from app.services.plan.agenda import AgendaForm
from app.services.plan.appointments import AppointmentAnswerForm, AppointmentForm, WhenForm
from app.web.form_state import FormState, client_key_of
from app.web.form_views import handle_form
from app.web.htmx import redirect_after_post
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()
ICS = "text/calendar; charset=utf-8"


def _host(request: Request) -> str:
    return urlsplit(request.app.state.settings.public_base_url).hostname or "trinvis"


# The young person ------------------------------------------------------------------


@router.get("/appointments")
@access(Role.youth)
async def my_appointments(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    return await _youth_page(request, db, user, now)


@router.post("/appointments/{appointment_id}/answer")
@access(Role.youth)
async def answer_appointment(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, appointment_id: int
) -> Response:
    return await handle_form(
        request,
        AppointmentAnswerForm,
        save=lambda data: appointments.answer(
            db, actor=user, appointment_id=appointment_id, data=data, now=now
        ),
        then="/appointments",
        page=lambda form: _youth_page(
            request, db, user, now, answer=form, answer_for=appointment_id
        ),
    )


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
    key = client_key_of(await request.form())
    return await handle_form(
        request,
        AgendaForm,
        save=lambda data: agenda.add_item(db, actor=user, data=data, client_key=key, now=now),
        then="/appointments#agenda",
        page=lambda form: _youth_page(request, db, user, now, agenda_form=form),
    )


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
    answer_for: int | None = None,
    agenda_form: FormState | None = None,
) -> dict[str, Any]:
    return {
        "schedule": await appointments.my_schedule(db, actor=user, now=now),
        "feed": await calendar.active_feed(db, actor=user),
        "feed_url": None,
        "answer": answer or FormState(),
        "answer_for": answer_for,
        "agenda_form": agenda_form or FormState(),
        "now": now,
    }


async def _youth_page(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, **forms: Any
) -> Response:
    context = await _youth_context(db, user, now, **forms)
    return render(request, "appointments/youth.html", context)


# The guide -------------------------------------------------------------------------

GUIDE = "/guide/youth/{youth_id}/appointments"


@router.get(GUIDE)
@access(Role.guide)
async def guide_appointments(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await _guide_page(request, db, user, now, youth_id, FormState())


async def _guide_page(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, form: FormState
) -> Response:
    schedule = await appointments.guide_schedule(db, actor=user, youth_id=youth_id, now=now)
    return render(request, "appointments/guide.html", {"schedule": schedule, "form": form})


@router.post(GUIDE)
@access(Role.guide)
async def guide_create_appointment(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    key = client_key_of(await request.form())
    return await handle_form(
        request,
        AppointmentForm,
        save=lambda data: appointments.create(
            db, actor=user, youth_id=youth_id, data=data, client_key=key, now=now
        ),
        then=GUIDE.format(youth_id=youth_id),
        page=lambda form: _guide_page(request, db, user, now, youth_id, form),
    )


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
    return await _move_page(request, db, user, now, youth_id, appointment_id)


async def _move_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    appointment_id: int,
    form: FormState | None = None,
    **shown: Any,
) -> Response:
    schedule = await appointments.guide_schedule(db, actor=user, youth_id=youth_id, now=now)
    appointment = _one(schedule, appointment_id)
    if form is None:
        local = in_copenhagen(appointment.starts_at)
        form = FormState(values={"on": local.date().isoformat(), "at": local.strftime("%H:%M")})
    context = {"schedule": schedule, "appointment": appointment, "form": form, **shown}
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
    def page(form: FormState, **shown: Any) -> Awaitable[Response]:
        return _move_page(request, db, user, now, youth_id, appointment_id, form, **shown)

    return await handle_form(
        request,
        WhenForm,
        save=lambda data: appointments.move(
            db,
            actor=user,
            youth_id=youth_id,
            appointment_id=appointment_id,
            data=data,
            version=version,
            now=now,
        ),
        then=GUIDE.format(youth_id=youth_id),
        page=lambda form: page(form, changed=False, version=version),
        # Someone moved it first: the appointment as it is now, with its current version.
        changed=lambda form: page(form, changed=True),
    )


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
