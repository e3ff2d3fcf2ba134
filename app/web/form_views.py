"""The one place where a posted form is saved or shown again (after NetBox's
`ObjectEditView.post`).

Valid: parse it, save it, and redirect (`HX-Location` for htmx, 303 otherwise). Refused:
the same page again with status 422, each message next to its field and what the person
typed kept, carried by one `FormState`. A router says only what differs:

    return await handle_form(
        request,
        TeamForm,
        save=lambda form: team_setup.create_team(db, actor=user, form=form, now=now),
        then="/admin/teams?created=1",
        page=lambda form: _teams_page(request, db, user, form),
    )
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

from fastapi import Request, Response
from pydantic import BaseModel

from app.errors import Conflict, ValidationFailed
from app.forms import parse_form, refuse_control_characters
from app.web.form_state import FormState
from app.web.htmx import redirect_after_post

Parsed = TypeVar("Parsed")
Saved = TypeVar("Saved")

FormData = Mapping[str, Any]
Page = Callable[[FormState], Response | Awaitable[Response]]


async def handle_form(
    request: Request,
    parse: type[Parsed] | Callable[[FormData], Parsed],
    save: Callable[[Parsed], Awaitable[Saved]],
    *,
    page: Page,
    then: str | Callable[[Saved], str | Response] | None = None,
    changed: Page | None = None,
    data: FormData | None = None,
    target: str = "#main",
    swap: str | None = None,
) -> Response:
    """Save the posted form and go on, or show its page again with the refusal (422).

    `parse` is a pydantic form model (read with `parse_form`) or a function that takes the
    fields apart itself; `save` calls the one service and may refuse with ValidationFailed.
    `then` is where to go after saving: a URL (redirected to, `target`/`swap` for htmx), or
    a function of what `save` returned giving a URL or the response itself; without it,
    what `save` returned is the response. `page` renders the form's page from a
    `FormState`. `changed`, when given, shows the page again with 409 when someone else
    saved first (Conflict). `data` replaces the posted form (a query string, or fields
    already gathered from multi-valued inputs).
    """
    fields = data if data is not None else await request.form()
    try:
        saved = await save(_parse(parse, fields))
    except ValidationFailed as refused:
        return await _again(page, FormState.refused(refused, fields), 422)
    except Conflict:
        if changed is None:
            raise
        return await _again(changed, FormState.typed(fields), 409)
    answer = then(saved) if callable(then) else then if then is not None else saved
    if isinstance(answer, str):
        return redirect_after_post(request, answer, target=target, swap=swap)
    assert isinstance(answer, Response), "without `then`, `save` must return the response"
    return answer


def _parse(parse: type[Parsed] | Callable[[FormData], Parsed], fields: FormData) -> Parsed:
    if isinstance(parse, type) and issubclass(parse, BaseModel):
        return cast(Parsed, parse_form(parse, fields))
    # A parser of its own still gets no control characters (parse_form refuses them too).
    refuse_control_characters(fields)
    return cast(Callable[[FormData], Parsed], parse)(fields)


async def _again(page: Page, form: FormState, status_code: int) -> Response:
    response = page(form)
    if inspect.isawaitable(response):
        response = await response
    response.status_code = status_code
    return response
