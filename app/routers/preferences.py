"""The person's own choices: language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response

from app.db import SessionDep
from app.security.access import PUBLIC, MaybeUser, access
from app.security.cookies import set_host_cookie
from app.services.identity import accounts
from app.web.htmx import full_redirect, safe_local_path
from app.web.locale import LOCALE_COOKIE
from app.web.routing import AreaRouter

router = AreaRouter()
ONE_YEAR = 365 * 24 * 3600


@router.post("/language")
@access(PUBLIC)
async def choose_language(
    request: Request,
    db: SessionDep,
    user: MaybeUser,
    locale: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    chosen = await accounts.set_locale(db, actor=user, locale=locale)
    response = full_redirect(request, safe_local_path(next))
    set_host_cookie(response, request.app.state.settings, LOCALE_COOKIE, chosen, max_age=ONE_YEAR)
    return response
