"""Notes from the guide and the young person's replies: /notes for the young person,
/guide/youth/{id}/notes for the guide. HTTP only; the rules live in app/services/plan/notes.py."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.db import SessionDep
from app.errors import ValidationFailed
from app.forms import parse_form
from app.models import Role
from app.security.access import CurrentUser, Now, access
from app.services.plan import notes
from app.services.plan.notes import NoteInput, ReplyInput
from app.web.form_state import FormState, client_key_of
from app.web.htmx import redirect_after_post
from app.web.templating import render

router = APIRouter()
GUIDE = "/guide/youth/{youth_id}/notes"


@router.get("/notes")
@access(Role.youth)
async def my_notes(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    book = await notes.my_notes(db, actor=user)
    return render(
        request, "notes/youth.html", {"book": book, "reply": FormState(), "reply_for": None}
    )


@router.post("/notes/{note_id}/replies")
@access(Role.youth)
async def reply_to_note(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, note_id: int
) -> Response:
    form = await request.form()
    try:
        data = parse_form(ReplyInput, form)
    except ValidationFailed as exc:
        book = await notes.my_notes(db, actor=user)
        context = {"book": book, "reply": FormState.failed(exc, form), "reply_for": note_id}
        return render(request, "notes/youth.html", context, status_code=422)
    await notes.reply(
        db, actor=user, note_id=note_id, data=data, client_key=client_key_of(form), now=now
    )
    return redirect_after_post(request, f"/notes#note-{note_id}")


@router.get(GUIDE)
@access(Role.guide)
async def guide_notes(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    book = await notes.guide_notes(db, actor=user, youth_id=youth_id, now=now)
    context = {"book": book, "form": FormState(), "reply": FormState(), "reply_for": None}
    return render(request, "notes/guide.html", context)


@router.post(GUIDE)
@access(Role.guide)
async def guide_write_note(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    form = await request.form()
    try:
        data = parse_form(NoteInput, form)
    except ValidationFailed as exc:
        book = await notes.guide_notes(db, actor=user, youth_id=youth_id, now=now)
        context = {
            "book": book,
            "form": FormState.failed(exc, form),
            "reply": FormState(),
            "reply_for": None,
        }
        return render(request, "notes/guide.html", context, status_code=422)
    await notes.write_note(
        db, actor=user, youth_id=youth_id, data=data, client_key=client_key_of(form), now=now
    )
    return redirect_after_post(request, GUIDE.format(youth_id=youth_id))


@router.post(GUIDE + "/{note_id}/replies")
@access(Role.guide)
async def guide_reply(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, note_id: int
) -> Response:
    form = await request.form()
    try:
        data = parse_form(ReplyInput, form)
    except ValidationFailed as exc:
        book = await notes.guide_notes(db, actor=user, youth_id=youth_id, now=now)
        context = {
            "book": book,
            "form": FormState(),
            "reply": FormState.failed(exc, form),
            "reply_for": note_id,
        }
        return render(request, "notes/guide.html", context, status_code=422)
    await notes.reply(
        db,
        actor=user,
        note_id=note_id,
        data=data,
        client_key=client_key_of(form),
        now=now,
        youth_id=youth_id,
    )
    return redirect_after_post(request, GUIDE.format(youth_id=youth_id) + f"#note-{note_id}")
