"""Messages between a young person and their guide: pages, sending, read receipts, live stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.db import SessionDep, read_only_sessionmaker, sessionmaker
from app.models import Role
from app.realtime import sse
from app.realtime.hub import SessionFactory, hub
from app.security.access import CurrentUser, Now, access
from app.services.client_keys import ClientKey, new_client_key
from app.services.messages import conversation, inbox, pages, snippets
from app.services.messages.conversation import MessageView
from app.services.messages.pages import StreamBatch, StreamScope
from app.web.form_state import FormState
from app.web.form_views import Page, handle_form
from app.web.htmx import redirect_after_post
from app.web.routing import AreaRouter
from app.web.templating import is_htmx, render, render_fragment

router = AreaRouter()

BodyField = Annotated[str | None, Form()]
KeyField = Annotated[ClientKey | None, Form()]
COMPOSER = "messages/_composer.html"


def stream_sessions() -> SessionFactory:
    """Where streams open their short, read-only sessions; tests point this elsewhere."""
    return read_only_sessionmaker()


StreamSessions = Annotated[SessionFactory, Depends(stream_sessions)]


# -- the young person ----------------------------------------------------------------


@router.get("/messages")
@access(Role.youth)
async def youth_conversation(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, before: int | None = None
) -> Response:
    page = await pages.youth_page(db, actor=user, now=now, before_id=before)
    return render(
        request,
        "messages/youth.html",
        {"page": page, "errors": {}, "values": {}, "client_key": new_client_key()},
    )


@router.post("/messages")
@access(Role.youth)
async def youth_send(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    body: BodyField = None,
    client_key: KeyField = None,
) -> Response:
    youth = await conversation.youth_of(db, user)
    assert youth.id is not None

    async def page(form: FormState) -> Response:
        page = await pages.youth_page(db, actor=user, now=now)
        return _conversation(request, "messages/youth.html", page, form, partial=COMPOSER)

    return await _send(request, db, user, now, youth.id, body, client_key, "/messages", page)


@router.post("/messages/read")
@access(Role.youth)
async def youth_read(
    db: SessionDep, user: CurrentUser, now: Now, up_to: Annotated[int, Form()]
) -> Response:
    youth = await conversation.youth_of(db, user)
    assert youth.id is not None
    await conversation.read_up_to(db, actor=user, youth_id=youth.id, up_to_id=up_to, now=now)
    return Response(status_code=204)


@router.get("/messages/badge")
@access(Role.youth, Role.guide)
async def badge(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    if user.role == Role.youth:
        count = await conversation.own_unread(db, actor=user)
    else:
        count = await inbox.guide_unread(db, actor=user, now=now)
    return render(request, "messages/_badge.html", {"count": count})


# -- the live stream (both roles) ----------------------------------------------------


@router.get("/messages/events")
@access(Role.youth, Role.guide)
async def events(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    sessions: StreamSessions,
    youth: int | None = None,
    after: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    scope = await pages.stream_scope(db, actor=user, youth_id=youth, now=now)
    last_event_id = request.headers.get("last-event-id", "")
    cursor = int(last_event_id) if last_event_id.isdigit() else after
    hub.ensure_started(
        database_url=request.app.state.settings.database_url, sessions=sessionmaker()
    )

    def render_batch(stream_scope: StreamScope, batch: StreamBatch) -> str:
        return _frames(request, stream_scope, batch)

    body = sse.stream(
        hub=hub,
        sessions=sessions,
        scope=scope,
        after_id=cursor,
        render=render_batch,
        session_id=getattr(request.state, "session_id", ""),  # sign-out ends the stream
    )
    # The request's session closes when this handler returns: the stream holds none.
    return StreamingResponse(
        body,
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no", "Cache-Control": "no-store"},
    )


def _frames(request: Request, scope: StreamScope, batch: StreamBatch) -> str:
    out: list[str] = []
    if scope.conversation is None:
        if batch.events:
            last = batch.events[-1].id
            out.append(sse.frame("inbox", str(last), last))
    else:
        for item in batch.events:
            html = "".join(
                render_fragment("messages/_message.html", request, {"m": m}) for m in item.added
            )
            html += "".join(
                render_fragment("messages/_receipt.html", request, {"m": m, "oob": True})
                for m in item.receipts
            )
            out.append(sse.frame("message" if item.added else "receipt", html, item.id))
    badge_html = render_fragment(
        "messages/_badge.html", request, {"count": batch.badge, "oob": True}
    )
    out.append(sse.frame("badge", badge_html))
    return "".join(out)


# -- the guide -----------------------------------------------------------------------


@router.get("/guide/inbox")
@access(Role.guide)
async def guide_inbox(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    data = await inbox.guide_inbox(db, actor=user, now=now)
    return render(
        request, "messages/inbox.html", {"inbox": data}, partial="messages/_inbox_list.html"
    )


@router.get("/guide/youth/{youth_id}/messages")
@access(Role.guide)
async def guide_conversation(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    before: int | None = None,
) -> Response:
    page = await pages.guide_page(db, actor=user, youth_id=youth_id, now=now, before_id=before)
    context = {
        "page": page,
        "errors": {},
        "values": {},
        "client_key": new_client_key(),
    }
    return render(
        request, "messages/guide.html", context, partial="messages/_guide_conversation.html"
    )


@router.post("/guide/youth/{youth_id}/messages")
@access(Role.guide)
async def guide_send(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    body: BodyField = None,
    client_key: KeyField = None,
) -> Response:
    async def page(form: FormState) -> Response:
        page = await pages.guide_page(db, actor=user, youth_id=youth_id, now=now)
        return _conversation(request, "messages/guide.html", page, form, partial=COMPOSER)

    url = f"/guide/youth/{youth_id}/messages"
    return await _send(request, db, user, now, youth_id, body, client_key, url, page)


@router.post("/guide/youth/{youth_id}/messages/read")
@access(Role.guide)
async def guide_read(
    db: SessionDep, user: CurrentUser, now: Now, youth_id: int, up_to: Annotated[int, Form()]
) -> Response:
    await conversation.read_up_to(db, actor=user, youth_id=youth_id, up_to_id=up_to, now=now)
    return Response(status_code=204)


async def _send(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    now: Now,
    youth_id: int,
    body: str | None,
    client_key: str | None,
    url: str,
    page: Page,
) -> Response:
    """One message sent; `conversation.reply` checks the body and key as they were posted."""
    return await handle_form(
        request,
        lambda fields: fields,
        save=lambda _: conversation.reply(
            db, actor=user, youth_id=youth_id, body=body, client_key=client_key, now=now
        ),
        then=lambda sent: _sent(request, sent, url),
        page=page,
    )


def _conversation(
    request: Request, template: str, page: object, form: FormState, *, partial: str
) -> Response:
    """The conversation; its composer keeps a refused message, always under a fresh key."""
    context = {
        "page": page,
        "errors": form.errors,
        "values": form.values,
        "client_key": new_client_key(),
    }
    return render(request, template, context, partial=partial)


def _sent(request: Request, sent: MessageView, url: str) -> Response:
    """Our script gets the stored message to show; a plain form goes back to the page."""
    if is_htmx(request):
        return render(request, "messages/_message.html", {"m": sent})
    return redirect_after_post(request, f"{url}#msg-{sent.id}")


# -- reply snippets ------------------------------------------------------------------


@router.get("/guide/snippets")
@access(Role.guide)
async def snippet_list(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return await _snippet_page(request, db, user, FormState())


@router.post("/guide/snippets")
@access(Role.guide)
async def snippet_create(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await handle_form(
        request,
        snippets.SnippetForm,
        save=lambda form: snippets.create(db, actor=user, form=form, now=now),
        then="/guide/snippets",
        page=lambda form: _snippet_page(request, db, user, form),
    )


async def _snippet_page(
    request: Request, db: SessionDep, user: CurrentUser, form: FormState
) -> Response:
    own = await snippets.list_own(db, actor=user)
    context = {
        "snippets": own,
        "errors": form.errors,
        "values": form.values,
        "client_key": new_client_key(),
    }
    return render(request, "messages/snippets.html", context)


@router.post("/guide/snippets/{snippet_id}/delete")
@access(Role.guide)
async def snippet_delete(
    request: Request, db: SessionDep, user: CurrentUser, snippet_id: int
) -> Response:
    await snippets.delete(db, actor=user, snippet_id=snippet_id)
    return redirect_after_post(request, "/guide/snippets")


# -- the leader ----------------------------------------------------------------------


@router.get("/leader/unanswered")
@access(Role.leader)
async def leader_unanswered(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    rows = await inbox.overdue_for_leader(db, actor=user, now=now)
    return render(request, "messages/leader.html", {"rows": rows})
