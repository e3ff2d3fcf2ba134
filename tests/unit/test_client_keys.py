"""One rule for client keys: every key our clients make passes it, nothing else does, every
form takes it the same way, and a retried create stores one row."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest
from pydantic import BaseModel, TypeAdapter
from sqlmodel import SQLModel, func, select

import app.services
from app.errors import Conflict, ValidationFailed
from app.forms import parse_form
from app.models import (
    Cover,
    CoverKey,
    Enrollment,
    Invite,
    NoteReply,
    ReadinessGroup,
    ReplySnippet,
    Role,
)
from app.services.client_keys import (
    BadClientKey,
    ClientKey,
    checked_client_key,
    new_client_key,
    valid_client_key,
)
from app.services.followups.enrollments import register_start
from app.services.identity.invites import InviteForm, invite_youth
from app.services.messages import snippets
from app.services.plan import notes
from app.services.plan.notes import NoteReplyForm
from app.services.workspace import team
from tests.factories.followups import start_form
from tests.factories.people import T0, make_team, make_user, make_youth
from tests.factories.plan import make_course

OUR_CLIENTS_KEYS = [
    # The generated key gets a fixed id: pytest-xdist workers must collect the same names.
    pytest.param(new_client_key(), id="new_client_key"),  # every server-rendered form
    "3b241101-e2bb-4255-8caf-4136c566a962",  # messages.js: crypto.randomUUID()
    "0f8e2c4b9a7d6e5f4a3b2c1d0e9f8a7b",  # messages.js: its 32-hex fallback
    "k-0123456789abcdef",  # the shape of the tests' own keys
    "x" * 64,
]
NO_CLIENTS_KEYS = [
    None,
    "",
    "short",
    "x" * 15,
    "x" * 65,
    "spaces are not allowed",
    "æøå-0123456789abcdef",
    "followup:1234567890",  # the server's own keys for its rows never come from a client
    "0123456789abcdef\n",
    1234567890123456,
]


async def _count(db, model) -> int:
    return (await db.exec(select(func.count()).select_from(model))).one()


async def sent_twice(create, *args, **kwargs):
    """The same create, as a double tap or a retried request sends it."""
    return await create(*args, **kwargs), await create(*args, **kwargs)


@pytest.mark.parametrize("key", OUR_CLIENTS_KEYS)
def test_every_key_our_clients_make_follows_the_rule(key):
    assert valid_client_key(key) == key
    assert checked_client_key(key) == key
    assert TypeAdapter(ClientKey).validate_python(key) == key


@pytest.mark.parametrize("key", NO_CLIENTS_KEYS)
def test_a_key_no_client_of_ours_makes_is_refused(key):
    assert valid_client_key(key) is None
    with pytest.raises(BadClientKey) as refused:
        checked_client_key(key)
    assert refused.value.status_code == 422
    with pytest.raises(ValueError):
        TypeAdapter(ClientKey).validate_python(key)


def test_new_keys_are_fresh_each_time():
    assert len({new_client_key() for _ in range(100)}) == 100


def _forms_with_a_client_key() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for module_info in pkgutil.walk_packages(app.services.__path__, "app.services."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and not issubclass(value, SQLModel)
                and "client_key" in value.model_fields
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def test_every_form_that_carries_a_key_takes_it_as_client_key():
    forms = _forms_with_a_client_key()
    names = {form.__name__ for form in forms}
    assert {"InviteForm", "StartForm", "SnippetForm", "HandoverForm", "CoverForm"} <= names
    assert "BulkForm" in names
    rule = ClientKey.__metadata__[0]  # type: ignore[attr-defined]
    for form in forms:
        field = form.model_fields["client_key"]
        assert field.annotation is str and rule in field.metadata, form.__name__


def test_a_form_with_a_bad_key_is_refused_next_to_the_field_in_danish():
    typed = {"title": "Tak", "body": "Tak for din besked.", "client_key": "short"}
    with pytest.raises(ValidationFailed) as refused:
        parse_form(snippets.SnippetForm, typed)
    assert refused.value.status_code == 422
    assert refused.value.errors == {
        "client_key": "Formularen er for gammel. Genindlæs siden og prøv igen."
    }
    assert refused.value.values == typed


# A retried create stores one row (the other forms' retries: test_plan_service,
# test_plan_appointments, test_checkin_submit, tests/web/test_messages,
# test_plan_guide_pages, test_identity_invites and test_workspace_pages).


async def test_a_retried_snippet_is_saved_once(db):
    guide = await make_user(db)
    form = snippets.SnippetForm(
        title="Tak", body="Tak for din besked.", client_key=new_client_key()
    )
    first, again = await sent_twice(snippets.create, db, actor=guide, form=form, now=T0)
    assert again.id == first.id and await _count(db, ReplySnippet) == 1


async def test_another_guides_snippet_key_is_refused(db):
    form = snippets.SnippetForm(title="Tak", body="Tak", client_key=new_client_key())
    await snippets.create(db, actor=await make_user(db), form=form, now=T0)
    with pytest.raises(Conflict):
        await snippets.create(db, actor=await make_user(db), form=form, now=T0)
    assert await _count(db, ReplySnippet) == 1


async def test_a_retried_reply_on_a_note_is_stored_once(db):
    course = await make_course(db)
    assert course.note.id is not None
    first, again = await sent_twice(
        notes.reply,
        db,
        actor=course.person,
        note_id=course.note.id,
        data=NoteReplyForm(body="Tak!"),
        client_key=new_client_key(),
        now=T0,
    )
    assert again.id == first.id and await _count(db, NoteReply) == 1


async def test_a_retried_start_is_registered_once(db):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    assert youth.id is not None
    form = start_form(date(2026, 2, 2))
    first, again = await sent_twice(
        register_start, db, actor=guide, youth_id=youth.id, form=form, now=T0
    )
    assert again.id == first.id and await _count(db, Enrollment) == 1


async def test_a_cover_form_sent_twice_at_once_makes_one_cover(db, monkeypatch):
    group = await make_team(db)
    absent, covering = [await make_user(db, team_id=group.id) for _ in range(2)]
    leader = await make_user(db, Role.leader, team_id=group.id)
    values = {
        "absent_guide_id": absent.id,
        "covering_guide_id": covering.id,
        "starts_on": date(2026, 1, 5),
        "ends_on": date(2026, 1, 9),
        "client_key": new_client_key(),
    }
    form = team.CoverForm.model_validate(values)
    first = await team.create_cover(db, actor=leader, form=form, now=T0)
    # The second request looked before the first had stored its key.
    found_by_key = team._cover_by_key
    looks = 0

    async def first_look_finds_nothing(db, key):
        nonlocal looks
        looks += 1
        return None if looks == 1 else await found_by_key(db, key)

    monkeypatch.setattr(team, "_cover_by_key", first_look_finds_nothing)
    again = await team.create_cover(db, actor=leader, form=form, now=T0)
    assert again.id == first.id
    assert await _count(db, Cover) == 1 and await _count(db, CoverKey) == 1


async def test_an_invite_key_of_another_guide_is_refused(db, frozen_clock):
    guide = await make_user(db)
    form = InviteForm(
        name="Nadia Holm",
        birth_date=date(2007, 4, 2),
        readiness_group=ReadinessGroup.activity_ready,
        email="nadia@test.example",
        client_key=new_client_key(),
    )
    now, base = frozen_clock.now, "https://trinvis.test"
    first, again = await sent_twice(
        invite_youth, db, actor=guide, form=form, base_url=base, now=now
    )
    assert again.id == first.id and await _count(db, Invite) == 1
    other = form.model_copy(update={"email": "nadia.holm@test.example"})
    with pytest.raises(Conflict):
        await invite_youth(db, actor=await make_user(db), form=other, base_url=base, now=now)
