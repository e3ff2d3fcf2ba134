"""Notification settings for everyone, failed notifications for admins, the demo outbox."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from app.db import SessionDep
from app.forms import parse_form
from app.i18n import current_locale
from app.models import Role
from app.security.access import CurrentUser, Now, access
from app.services import notifications
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.htmx import redirect_after_post
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()
EVERYONE = (Role.youth, Role.guide, Role.leader, Role.admin)


async def _settings_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    form: FormState | None = None,
) -> Response:
    """The choices as saved, or as ticked in a form shown again."""
    view = await notifications.settings_for(db, actor=user, settings=request.app.state.settings)
    if form is None:
        prefs = view.preferences
        ticked = {"push": prefs.push, "sms": prefs.sms, "email": prefs.email}
    else:
        ticked = {key: form.values.get(key) == "on" for key in ("push", "sms", "email")}
    return render(
        request,
        "notifications/settings.html",
        {
            "view": view,
            "errors": form.errors if form else {},
            "values": ticked,
            "saved": request.query_params.get("saved") == "1",
        },
        partial="notifications/_preferences.html",
    )


@router.get("/me/notifications")
@access(*EVERYONE)
async def settings_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return await _settings_page(request, db, user)


@router.post("/me/notifications")
@access(*EVERYONE)
async def save_preferences(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    return await handle_form(
        request,
        notifications.PreferencesForm,
        save=lambda form: notifications.save_preferences(db, actor=user, form=form, now=now),
        then="/me/notifications?saved=1",
        page=lambda form: _settings_page(request, db, user, form),
    )


@router.post("/me/notifications/push-subscription")
@access(*EVERYONE)
async def save_push_subscription(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    body = await _json_object(request)
    raw_keys = body.get("keys")
    keys: dict[str, Any] = raw_keys if isinstance(raw_keys, dict) else {}
    subscription = parse_form(
        notifications.PushSubscriptionForm,
        {"endpoint": body.get("endpoint"), "p256dh": keys.get("p256dh"), "auth": keys.get("auth")},
    )
    await notifications.save_push_subscription(
        db,
        actor=user,
        subscription=subscription,
        settings=request.app.state.settings,
        now=now,
    )
    return JSONResponse({"ok": True}, status_code=201)


@router.post("/me/notifications/push-subscription/delete")
@access(*EVERYONE)
async def remove_push_subscription(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    endpoint = (await _json_object(request)).get("endpoint")
    removed = await notifications.remove_push_subscription(
        db, actor=user, endpoint=str(endpoint or "")
    )
    return JSONResponse({"removed": removed})


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


@router.get("/admin/notifications")
@access(Role.admin)
async def failed_list(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    rows = await notifications.failed_notifications(db, actor=user)
    return render(request, "notifications/admin_failed.html", {"rows": rows})


@router.post("/admin/notifications/{notification_id}/retry")
@access(Role.admin)
async def retry(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, notification_id: int
) -> Response:
    await notifications.retry_notification(db, actor=user, notification_id=notification_id, now=now)
    return redirect_after_post(request, "/admin/notifications?retried=1")


@router.get("/demo/outbox")
@access(*EVERYONE)
async def demo_outbox(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    rows = await notifications.demo_outbox(
        db, actor=user, settings=request.app.state.settings, locale=current_locale()
    )
    return render(request, "notifications/demo_outbox.html", {"rows": rows})
