"""Privacy: the notice and the accessibility statement (Danish and English paths, the
page in the person's language), the young person's whole record, who has seen it, the
welcome after an invite, and the admin's form for the municipality's part."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse

from app.db import SessionDep
from app.models import Role
from app.security.access import PUBLIC, CurrentUser, Now, access
from app.services.admin import municipal_settings
from app.services.privacy import notices, readable, record, seen, welcome
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


async def _notice(request: Request, db: SessionDep) -> notices.Notice:
    return await notices.notice(db, settings=request.app.state.settings)


@router.get("/privatliv")
@access(PUBLIC)
async def privacy_notice_da(request: Request, db: SessionDep) -> Response:
    return render(request, "privacy/notice.html", {"notice": await _notice(request, db)})


@router.get("/privacy")
@access(PUBLIC)
async def privacy_notice_en(request: Request, db: SessionDep) -> Response:
    return render(request, "privacy/notice.html", {"notice": await _notice(request, db)})


def _statement(request: Request, notice: notices.Notice) -> Response:
    context = {
        "notice": notice,
        "prepared_on": notices.STATEMENT_PREPARED_ON,
        "enforcer": notices.DIGITALISERINGSSTYRELSEN,
    }
    return render(request, "privacy/accessibility.html", context)


@router.get("/tilgaengelighed")
@access(PUBLIC)
async def accessibility_da(request: Request, db: SessionDep) -> Response:
    return _statement(request, await _notice(request, db))


@router.get("/accessibility")
@access(PUBLIC)
async def accessibility_en(request: Request, db: SessionDep) -> Response:
    return _statement(request, await _notice(request, db))


@router.get("/me/welcome")
@access(Role.youth)
async def welcome_page(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    context = {
        "welcome": await welcome.welcome(db, actor=user),
        "notice": await _notice(request, db),
    }
    return render(request, "privacy/welcome.html", context)


@router.get("/me/data/all")
@access(Role.youth)
async def my_record_page(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    found = await record.take(db, actor=user, action="privacy.record", now=now)
    context = {"sections": readable.readable(found), "exported_at": now}
    return render(request, "privacy/record.html", context)


@router.get("/me/export.json")
@access(Role.youth)
async def export_my_data(db: SessionDep, user: CurrentUser, now: Now) -> JSONResponse:
    document = await record.export(db, actor=user, now=now)
    return JSONResponse(
        document,
        headers={"Content-Disposition": 'attachment; filename="trinvis-mine-data.json"'},
    )


@router.get("/me/audit")
@access(Role.youth)
async def who_has_seen(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    result = await seen.who_has_seen(db, actor=user, page=page)
    return render(request, "privacy/seen.html", {"seen": result})


def _notice_settings_page(request: Request, form: FormState) -> Response:
    values = {key: "" if value is None else value for key, value in form.values.items()}
    return render(request, "privacy/admin_notices.html", {"values": values, "errors": form.errors})


@router.get("/admin/settings/notices")
@access(Role.admin)
async def notice_settings(request: Request, db: SessionDep) -> Response:
    current = await municipal_settings.notice_settings(db)
    return _notice_settings_page(request, FormState(values=current.model_dump(mode="json")))


@router.post("/admin/settings/notices")
@access(Role.admin)
async def save_notice_settings(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    return await handle_form(
        request,
        municipal_settings.NoticeSettings,
        save=lambda form: municipal_settings.update_notice(db, actor=user, form=form, now=now),
        then="/admin/settings/notices?saved=1",
        page=lambda form: _notice_settings_page(request, form),
    )
