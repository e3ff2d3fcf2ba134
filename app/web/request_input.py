"""The bounds every route's address and declared fields keep, checked before its handler runs.

One rule for every route, so a route added tomorrow is safe without anyone remembering
it (`create_app` runs `refuse_hostile_input` on every request, after the access check):

- a path id (a path parameter declared `int`) is a plain number from 1 to `MAX_INT`, or
  the page does not exist (404): `/plan/steps/99999999999999999999` is as unknown as
  `/plan/steps/7` of someone else;
- no path, query or declared `Form()` value holds a control character (NUL, CR, ...), and
  a declared integer stays within `MAX_NUMBER`; else 422 "the request was not understood".

Forms that go through `handle_form` are checked field by field by `app.forms` instead, so
the page comes back with the message next to the field and what was typed kept.
`query_id` reads an id a handler takes from the query by hand (`?done=12`).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.params import Form

from app.errors import AppError, NotFound
from app.forms import CONTROL, MAX_INT, MAX_NUMBER, plain_type
from app.i18n import N_


class NotUnderstood(AppError):
    status_code = 422
    message = N_("The request was not understood. Please reload the page and try again.")


async def refuse_hostile_input(request: Request) -> None:
    """404 for a path id out of bounds, 422 for a control character or a huge number."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    for param in dependant.path_params:
        raw = str(request.path_params.get(param.name, ""))
        if CONTROL.search(raw) or (_is_int(param) and _bounded_id(raw) is None):
            raise NotFound()
    _check(
        request.query_params.multi_items(), {p.name for p in dependant.query_params if _is_int(p)}
    )
    form_params = [p for p in dependant.body_params if isinstance(p.field_info, Form)]
    if form_params:
        form = await request.form()  # parsed once: FastAPI has read it already
        names = {p.name for p in form_params}
        _check(
            [(k, v) for k, v in form.multi_items() if k in names],
            {p.name for p in form_params if _is_int(p)},
        )


def query_id(request: Request, name: str) -> int | None:
    """An id from the query string (`?done=12`), or None when it is not a plain id."""
    return _bounded_id(request.query_params.get(name, ""))


def _check(items: list[tuple[str, Any]], integers: set[str]) -> None:
    for name, value in items:
        if not isinstance(value, str):
            continue
        if CONTROL.search(value):
            raise NotUnderstood()
        number = value.strip().removeprefix("-")
        if name in integers and number.isascii() and number.isdigit():
            if len(number) > len(str(MAX_NUMBER)) or int(number) > MAX_NUMBER:
                raise NotUnderstood()


def _bounded_id(raw: str) -> int | None:
    if (
        raw.isascii()
        and raw.isdigit()
        and len(raw) <= len(str(MAX_INT))
        and 0 < int(raw) <= MAX_INT
    ):
        return int(raw)
    return None


def _is_int(param: Any) -> bool:
    return plain_type(param.field_info.annotation) is int
