"""The admin's privacy tools: what the retention job deletes next, and erasing one person.

HTTP only; the rules live in `app/services/admin/retention.py` and `erasure.py`. Admins
see counts and a young person's number, never a name or any content.
"""

from __future__ import annotations

from fastapi import Request, Response

from app.db import SessionDep
from app.i18n import gettext
from app.models import Role
from app.security.access import CurrentUser, Now, access
from app.services.admin import erasure, retention
from app.web.form_state import FormState
from app.web.form_views import handle_form
from app.web.routing import AreaRouter
from app.web.templating import render

router = AreaRouter()
ERASURE_PAGE = "admin/erasure.html"


@router.get("/admin/retention")
@access(Role.admin)
async def retention_page(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    preview = await retention.next_run(db, now=now)
    return render(request, "admin/retention.html", {"next": preview})


def _erasure_page(
    request: Request, form: FormState, found: erasure.Found | None = None
) -> Response:
    context = {
        "values": form.values,
        "errors": form.errors,
        "found": found,
        "reasons": [(r.value, gettext(label)) for r, label in erasure.REASON_LABELS.items()],
    }
    return render(request, ERASURE_PAGE, context)


@router.get("/admin/erasure")
@access(Role.admin)
async def erasure_page(request: Request, user: CurrentUser) -> Response:
    return _erasure_page(request, FormState(values={"reason": erasure.ErasureReason.request}))


@router.post("/admin/erasure")
@access(Role.admin)
async def erase(request: Request, db: SessionDep, user: CurrentUser, now: Now) -> Response:
    fields = await request.form()

    def then(done: erasure.Erasure) -> str | Response:
        if done.erased:
            return f"/admin/erasure?erased={done.found.youth_id}"
        # Found, not yet erased: the same form again, with what was found and a final yes.
        return _erasure_page(request, FormState.typed(fields), done.found)

    return await handle_form(
        request,
        erasure.ErasureForm,
        save=lambda form: erasure.erase_on_request(db, actor=user, form=form, now=now),
        then=then,
        page=lambda form: _erasure_page(request, form),
        data=fields,
    )
