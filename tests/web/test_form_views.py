"""The one form helper: a valid form is saved and redirected (HX-Location for htmx, 303
otherwise); a refused one comes back with 422, its messages and what was typed; a form
someone else saved first comes back with 409."""

from __future__ import annotations

import json

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.errors import Conflict, ValidationFailed
from app.web.form_state import FormState
from app.web.form_views import handle_form


class NameForm(BaseModel):
    name: str = Field(min_length=1, max_length=20)


def _shown(form: FormState) -> Response:
    return JSONResponse({"errors": form.errors, "values": form.values})


def _app() -> FastAPI:
    app = FastAPI()

    async def save(form: NameForm) -> str:
        if form.name == "taken":
            raise ValidationFailed({"name": "Already taken."})
        if form.name == "tidied":
            raise ValidationFailed({"name": "Tidied."}, {"name": "TIDIED"})
        if form.name == "late":
            raise Conflict()
        return form.name

    @app.post("/names")
    async def names(request: Request) -> Response:
        return await handle_form(
            request,
            NameForm,
            save=save,
            then=lambda name: f"/names/{name}",
            page=_shown,
            changed=lambda form: JSONResponse({"changed": form.values}),
        )

    return app


async def _post(data: dict[str, str], headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post("/names", data=data, headers=headers or {})


async def test_a_valid_form_is_saved_and_the_browser_follows_a_303():
    response = await _post({"name": " Ada ", "csrf_token": "x"})
    assert response.status_code == 303
    assert response.headers["location"] == "/names/Ada"


async def test_htmx_is_told_where_to_go_with_hx_location():
    response = await _post({"name": "Ada"}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    location = json.loads(response.headers["HX-Location"])
    assert location == {
        "path": "/names/Ada",
        "target": "#main",
        "select": "#main",
        "swap": "outerHTML",  # the new main replaces the old, never nests inside it
    }


async def test_a_refused_form_comes_back_with_422_and_what_was_typed():
    response = await _post({"name": "", "note": "kept", "csrf_token": "x"})
    assert response.status_code == 422
    shown = response.json()
    assert set(shown["errors"]) == {"name"}
    assert shown["values"] == {"name": "", "note": "kept"}


async def test_a_service_refusal_keeps_what_was_typed_unless_it_says_otherwise():
    plain = (await _post({"name": "taken", "csrf_token": "x"})).json()
    assert plain == {"errors": {"name": "Already taken."}, "values": {"name": "taken"}}
    tidied = await _post({"name": "tidied"})
    assert tidied.status_code == 422
    assert tidied.json()["values"] == {"name": "TIDIED"}


async def test_someone_saving_first_shows_the_form_again_with_409():
    response = await _post({"name": "late", "csrf_token": "x"})
    assert response.status_code == 409
    assert response.json() == {"changed": {"name": "late"}}
