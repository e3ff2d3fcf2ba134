"""Notes from the guide and the young person's replies: /notes for the young person,
/guide/youth/{id}/notes for the guide. HTTP only; the rules live in app/services/plan/notes.py."""

from __future__ import annotations

from fastapi import Request, Response

from app.db import SessionDep
from app.models import Role
from app.security.access import CurrentUser, Now, access
from app.services.plan import notes
from app.services.plan.notes import NoteForm, NoteReplyForm
from app.web.form_state import FormState, client_key_of
from app.web.form_views import handle_form
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()
GUIDE = "/guide/youth/{youth_id}/notes"


@router.get("/notes")
@access(Role.youth)
async def my_notes(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return await _youth_page(request, db, user)


async def _youth_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    reply: FormState | None = None,
    reply_for: int | None = None,
) -> Response:
    book = await notes.my_notes(db, actor=user)
    context = {"book": book, "reply": reply or FormState(), "reply_for": reply_for}
    return render(request, "notes/youth.html", context)


@router.post("/notes/{note_id}/replies")
@access(Role.youth)
async def reply_to_note(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, note_id: int
) -> Response:
    key = client_key_of(await request.form())
    return await handle_form(
        request,
        NoteReplyForm,
        save=lambda data: notes.reply(
            db, actor=user, note_id=note_id, data=data, client_key=key, now=now
        ),
        then=f"/notes#note-{note_id}",
        page=lambda form: _youth_page(request, db, user, reply=form, reply_for=note_id),
    )


@router.get(GUIDE)
@access(Role.guide)
async def guide_notes(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    return await _guide_page(request, db, user, now, youth_id)


async def _guide_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    *,
    form: FormState | None = None,
    reply: FormState | None = None,
    reply_for: int | None = None,
) -> Response:
    book = await notes.guide_notes(db, actor=user, youth_id=youth_id, now=now)
    context = {
        "book": book,
        "form": form or FormState(),
        "reply": reply or FormState(),
        "reply_for": reply_for,
    }
    return render(request, "notes/guide.html", context)


@router.post(GUIDE)
@access(Role.guide)
async def guide_write_note(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int
) -> Response:
    key = client_key_of(await request.form())
    return await handle_form(
        request,
        NoteForm,
        save=lambda data: notes.write_note(
            db, actor=user, youth_id=youth_id, data=data, client_key=key, now=now
        ),
        then=GUIDE.format(youth_id=youth_id),
        page=lambda form: _guide_page(request, db, user, now, youth_id, form=form),
    )


@router.post(GUIDE + "/{note_id}/replies")
@access(Role.guide)
async def guide_reply(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, youth_id: int, note_id: int
) -> Response:
    key = client_key_of(await request.form())
    return await handle_form(
        request,
        NoteReplyForm,
        save=lambda data: notes.reply(
            db, actor=user, note_id=note_id, data=data, client_key=key, now=now, youth_id=youth_id
        ),
        then=GUIDE.format(youth_id=youth_id) + f"#note-{note_id}",
        page=lambda form: _guide_page(
            request, db, user, now, youth_id, reply=form, reply_for=note_id
        ),
    )
