"""Changing an id in any address or form never reaches someone else's young person.

Walks every route that takes an id, fills each id with a record that belongs to
another guide's young person (their plan step, appointment, note, check-in, alert,
follow-up, agenda item …), and calls it as a guide and as another young person. A new
id route is covered the day it is added: the walk reads the app's own route table, and
fails on an id it does not know how to fill.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from app.models import (
    AgendaItem,
    Appointment,
    AuditRecord,
    CheckIn,
    CheckInAlert,
    FollowUp,
    Message,
    Note,
    NoteReply,
    Passkey,
    PlanStep,
    ReplySnippet,
    Role,
)
from tests.factories.people import make_cover, make_team, make_user, make_youth, sign_in, user_of
from tests.factories.workspace import busy_youth, key
from tests.web.test_every_route_access import api_routes

PARAM = re.compile(r"{(\w+)(?::\w+)?}")
THEIR_NAME = "Frederikke Sandholm Vestergaard"
REFUSED = {403, 404}
# Routes whose path holds no record id: a name (`code`) or a secret token, which another
# person cannot guess (`token` routes answer 404 or 410 for an unknown one).
# The IdP's SCIM path and the SMS provider's receipt secret are no young person's record
# either: both answer 401 to anyone without the IdP's token or the provider's secret
# (tests/web/test_scim_provisioning.py, tests/notifications/test_sms_cpsms.py).
NO_RECORD = {
    "/checkins/new/{code}",
    "/invite/{token}",
    "/calendar/{token}.ics",
    "/scim/v2/{path:path}",
    "/webhooks/sms/cpsms/{secret}",
}


def _valid_form(ids: dict[str, object]) -> dict[str, str]:
    """One form that passes every id route's validation, so only access can refuse it.

    Fields a route does not use are ignored; a form that fails validation would be
    refused with 422 before the scope check was ever reached, proving nothing.
    """
    return {
        "follow_up_id": str(ids["follow_up_id"]),
        "outcome": "reached",
        "risk_state": "thriving",
        "answer": "confirmed",
        "up_to": "1",
        "status": "done",
        "version": "1",
        "direction": "up",
        "instrument": "who5",
        "client_key": key("form-key-"),
        **{f"q{n}": "3" for n in range(1, 6)},
        "title": "Nyt skridt",
        "body": "Hej",
        "text": "Hej",
        "note": "Overdragelse",
        "on": "2026-03-10",
        "at": "10:00",
        "readiness_group": "education_ready",
        "kind": "education",
        "place": "Fjordby Gymnasium",
        "starts_on": "2026-03-10",
        "ended_on": "2026-03-01",
        "first_gap_days": "7",
        "interval_days": "14",
        "length_months": "12",
        "cadence_days": "30",
        "to_guide_id": str(ids["guide_id"]),
    }


async def _world(db, now, theirs, name: str) -> dict[str, object]:
    """A guide's young person with one of every record an id can point to."""
    youth = await busy_youth(db, theirs, now, 1)
    person = await user_of(db, youth)
    person.name = name
    db.add(person)
    note = Note(youth_id=youth.id, author_id=theirs.id, body="Delt note", client_key=key("n"))
    agenda = AgendaItem(youth_id=youth.id, text="Min dagsorden", client_key=key("ag"))
    snippet = ReplySnippet(guide_id=theirs.id, title="Tak", body="Tak", client_key=key("s"))
    passkey = Passkey(user_id=person.id, credential_id=key("cred"), public_key="AA", created_at=now)
    db.add_all([note, agenda, snippet, passkey])
    await db.flush()
    colleague = await make_user(db, Role.guide)
    cover = await make_cover(
        db, absent=theirs, covering=colleague, starts_at=now, ends_at=now + timedelta(days=3)
    )

    async def first(model, *where):
        return (await db.exec(select(model.id).where(*where))).first()

    return {
        "youth_id": youth.id,
        "step_id": await first(PlanStep, PlanStep.youth_id == youth.id),
        "appointment_id": await first(Appointment, Appointment.youth_id == youth.id),
        "item_id": agenda.id,
        "note_id": note.id,
        "checkin_id": await first(CheckIn, CheckIn.youth_id == youth.id),
        "alert_id": await first(CheckInAlert, CheckInAlert.youth_id == youth.id),
        "follow_up_id": await first(FollowUp, FollowUp.youth_id == youth.id),
        "snippet_id": snippet.id,
        "passkey_id": passkey.id,
        "guide_id": theirs.id,
        "cover_id": cover.id,
        "user_id": person.id,
        "notification_id": 1,
        "import_id": 1,  # onboarding: an admin's import holds no young person's record
        "team_id": (await make_team(db)).id,
        "connection_id": 1,
        "mapping_id": 1,
        "code": "who5",
        "token": "not-a-real-token-0123456789abcdef",
    }


def _id_routes(app) -> list[tuple[str, str]]:
    routes = []
    for route in api_routes(app):
        if PARAM.search(route.path):
            routes += [(m, route.path) for m in sorted(route.methods) if m != "HEAD"]
    assert len(routes) > 30, "the walk must see the included routers' id routes"
    return routes


def _fill(path: str, ids: dict[str, object]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in ids:
            pytest.fail(f"{path}: the walk does not know how to fill {{{name}}}; add it above")
        return str(ids[name])

    return PARAM.sub(value, path)


async def _footprint(db, youth_id) -> tuple[int, ...]:
    """What a request that got through would change about their young person."""

    async def count(model, *where) -> int:
        return (await db.exec(select(func.count()).select_from(model).where(*where))).one()

    return (
        await count(AuditRecord, AuditRecord.youth_id == youth_id),
        await count(Message, Message.youth_id == youth_id),
        await count(NoteReply),
        await count(PlanStep, PlanStep.youth_id == youth_id, col(PlanStep.status) != "todo"),
        await count(AgendaItem, col(AgendaItem.removed_at).is_not(None)),
        await count(ReplySnippet),
        await count(Passkey),
    )


@pytest.mark.parametrize("prober_role", [Role.guide, Role.youth])
async def test_no_id_route_reaches_another_guides_young_person(
    app, client, db, settings, frozen_clock, prober_role
):
    ids = await _world(db, frozen_clock.now, await make_user(db, Role.guide), THEIR_NAME)
    own: dict[str, object] = {}
    if prober_role == Role.guide:
        prober = await make_user(db, Role.guide)
        own = await _world(db, frozen_clock.now, prober, "Egen Ung")
    else:
        prober = await user_of(db, await make_youth(db))
    await sign_in(client, db, prober, settings, frozen_clock.now)
    before = await _footprint(db, ids["youth_id"])

    got_through = []
    form = _valid_form(ids)
    for method, path in _id_routes(app):
        if path in NO_RECORD:
            continue
        url = _fill(path, ids)
        response = await client.request(method, url, data=form if method == "POST" else None)
        leaked = THEIR_NAME in response.text
        if response.status_code not in REFUSED or leaked:
            got_through.append(f"{method} {path} -> {response.status_code}, name shown: {leaked}")

    assert got_through == []
    assert await _footprint(db, ids["youth_id"]) == before

    if own:
        # The control: the same form on the guide's own young person goes through on most
        # routes, so the refusals above came from the scope check, not from validation.
        passed = 0
        for method, path in _id_routes(app):
            if path in NO_RECORD or not path.startswith("/guide/youth/"):
                continue
            response = await client.request(
                method, _fill(path, own), data=_valid_form(own) if method == "POST" else None
            )
            passed += response.status_code < 400
        assert passed >= 25
