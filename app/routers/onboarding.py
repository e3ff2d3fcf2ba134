"""Bringing young people in: the admin imports the case system's file, then an admin or
a leader invites everyone not yet invited. The rules live in `app/services/onboarding/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request, Response
from starlette.datastructures import UploadFile

from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import gettext
from app.models import ImportStatus, Role, User
from app.security.access import CurrentUser, Now, access
from app.services.onboarding import bulk_invites, youth_import
from app.services.onboarding.csv_file import COLUMN_LABELS, MAX_BYTES
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.htmx import redirect_after_post
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()


def _upload_page(request: Request, form: FormState) -> Response:
    context = {"errors": form.errors, "columns": COLUMN_LABELS}
    return render(request, "admin/import.html", context)


def _the_file(fields: Mapping[str, Any]) -> UploadFile:
    upload = fields.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed({"file": gettext("Please choose the file to import.")})
    return upload


@router.get("/admin/import")
@access(Role.admin)
async def import_form(request: Request) -> Response:
    return _upload_page(request, FormState())


@router.post("/admin/import")
@access(Role.admin)
async def upload(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    async def save(file: UploadFile) -> Any:
        content = await file.read(MAX_BYTES + 1)
        return await youth_import.preview(db, actor=user, content=content, now=now)

    return await handle_form(
        request,
        _the_file,
        save=save,
        then=lambda batch: f"/admin/import/{batch.id}",
        page=lambda form: _upload_page(request, form),
    )


@router.get("/admin/import/{import_id}")
@access(Role.admin)
async def import_page(
    request: Request, db: SessionDep, user: CurrentUser, import_id: int
) -> Response:
    """The preview before the confirm; afterwards the progress and the result."""
    batch = await youth_import.get_import(db, actor=user, import_id=import_id)
    context = {
        "batch": batch,
        "lines": youth_import.lines(batch),
        "counts": youth_import.counts(batch),
        "applying": batch.status == ImportStatus.applying,
    }
    return render(request, "admin/import_result.html", context, partial="admin/_import_rows.html")


@router.post("/admin/import/{import_id}/confirm")
@access(Role.admin)
async def confirm(
    request: Request, db: SessionDep, user: CurrentUser, now: Now, import_id: int
) -> Response:
    fields = await request.form()
    await youth_import.confirm(
        db,
        actor=user,
        import_id=import_id,
        file_sha256=str(fields.get("file_sha256", "")),
        now=now,
    )
    return redirect_after_post(request, f"/admin/import/{import_id}")


async def _invites_page(request: Request, db: SessionDep, user: User, now: Now) -> Response:
    admin = user.role == Role.admin
    context = {
        "waiting": await bulk_invites.not_invited_count(db, actor=user, now=now),
        "counts": await bulk_invites.invite_counts(db, actor=user, now=now),
        "lines": await bulk_invites.invite_lines(db, actor=user, now=now) if admin else [],
        "action": request.url.path,
        "invited": request.query_params.get("invited"),
    }
    return render(request, "admin/invites.html", context)


@router.get("/admin/invites")
@access(Role.admin)
async def admin_invites(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await _invites_page(request, db, user, now)


@router.get("/leader/invites")
@access(Role.leader)
async def leader_invites(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    return await _invites_page(request, db, user, now)


async def _invite_all(request: Request, db: SessionDep, user: User, now: Now) -> Response:
    invited = await bulk_invites.invite_all(
        db, actor=user, base_url=request.app.state.settings.public_base_url, now=now
    )
    return redirect_after_post(request, f"{request.url.path}?invited={invited}")


@router.post("/admin/invites")
@access(Role.admin)
async def admin_invite_all(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    return await _invite_all(request, db, user, now)


@router.post("/leader/invites")
@access(Role.leader)
async def leader_invite_all(
    request: Request, db: SessionDep, user: CurrentUser, now: Now
) -> Response:
    return await _invite_all(request, db, user, now)
