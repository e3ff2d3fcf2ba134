"""Hostile input on every route, for every role: a clear 4xx, never a 5xx, nothing written.

The walk reads the app's own route table, so a route added tomorrow is fuzzed the day it
is added. For each route it takes what the route declares: its path parameters, its query
parameters, the fields of the form model it hands to `handle_form`/`parse_form` (read from
the handler's source) and its `Form()` parameters, plus the query parameters the app reads
by hand anywhere. Per route and role it sends a sweep (each value in TYPED_HOSTILE that
breaks a kind of field, in every input of that kind at once: integers past 2³¹ and 2⁶³,
other scripts' digits, years 1 and 9999, times with a zone, NUL bytes, CR/LF in a redirect
target, long text) and a few requests drawn by Hypothesis (a fixed number, derandomized,
so every run sends the same): the route's inputs valid for the prober's own records, one
to three of them hostile. Every request carries a valid CSRF token and a live session of
its role, so neither refusal hides the handler.

It fails on any answer of 500 or more, and on any change in the number of rows of any
table after a refused (4xx) request: a refusal never half-writes.

A handler that takes its form apart with a function instead of a model must have its
fields listed in FUNCTION_FIELDS; the walk fails on one it does not know.
"""

from __future__ import annotations

import ast
import enum
import inspect
import re
import textwrap
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.params import Form
from fastapi.routing import RouteContext
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import SQLModel, func, select

from app.models import CheckIn, Passkey, PlanStep, Role, User, Youth
from app.routers import onboarding as onboarding_routes
from app.security.access import PUBLIC, policy_of
from app.security.sessions import cookie_name, start_session
from app.services.checkins import answering
from app.services.client_keys import new_client_key
from app.services.messages import working_hours
from tests.conftest import BASE_URL
from tests.factories.people import ensure_csrf, make_user, make_youth, sign_in, user_of
from tests.web.test_every_id_route_is_scoped import _world
from tests.web.test_every_route_access import api_routes

APP_DIR = Path(__file__).resolve().parents[2] / "app"
PARAM = re.compile(r"{(\w+)(?::\w+)?}")
WHO = ["anonymous", *[role.value for role in Role]]

# Requests per route for a role the route lets in, and for a role it refuses (access is
# checked before anything is parsed, so one request is enough to see the refusal is clean).
EXAMPLES_LET_IN = 4
EXAMPLES_REFUSED = 1
# Each role's walk is split in parts (every PARTS-th route), so the parts spread over the
# pytest-xdist workers and none runs long.
PARTS = 3

# Tables a refused request may change by design: the rate limiter counts refused tries
# (that is its job); a refused form on a young person's page shows that page again, and
# staff seeing a young person's data is audited whatever they sent; and each request
# here starts its own session before it is sent.
COUNTED_ON_REFUSAL = {"rate_hit", "audit_record", "user_session", "alembic_version"}

# Handlers that take their fields apart with a function instead of a form model.
FUNCTION_FIELDS: dict[Any, dict[str, str]] = {
    answering.answers_from_form: {
        "instrument": "who5",
        "client_key": "",
        **{f"answer-q{n}": "3" for n in range(1, 6)},
    },
    # An upload: the walk sends form fields, so it only reaches the "choose a file" refusal.
    onboarding_routes._the_file: {"file": ""},
    working_hours.parse_week: {
        **{f"works-{d}": "on" for d in range(5)},
        **{f"start-{d}": "09:00" for d in range(7)},
        **{f"end-{d}": "15:00" for d in range(7)},
    },
}

HOSTILE = [
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "-9223372036854775809",
    "340282366920938463463374607431768211456",
    "0",
    "-1",
    "²",
    "١٢",
    "1\x00",
    "Hej\x00med",
    "\x00",
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "10:00+02:00",
    "10:00:00Z",
    "24:00",
    "/\r\nSet-Cookie: x=1",
    "/plan\r\n",
    "//evil.example/",
    "x" * 5000,
    "1e309",
    "NaN",
    "🙂",
    "\u202e",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
]
hostile_value = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(max_size=12),
)


@dataclass
class Shape:
    """What one route takes: its path, and the names and valid values of its inputs."""

    method: str
    path: str
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)


@dataclass
class Probe:
    method: str
    path: str
    path_values: dict[str, str]
    query: dict[str, str]
    form: dict[str, str]
    htmx: bool

    def filled(self, ids: dict[str, object]) -> tuple[str, dict[str, str], dict[str, str]]:
        """The URL, query and form with the prober's own ids in place of the stand-ins."""

        def fill(values: dict[str, str]) -> dict[str, str]:
            return {k: str(ids[STAND_INS[v]]) if v in STAND_INS else v for k, v in values.items()}

        path_values = fill(self.path_values)
        url = PARAM.sub(lambda m: quote(path_values[m.group(1)], safe=""), self.path)
        return url, fill(self.query), fill(self.form)


# The requests are drawn once per route and process (drawing costs more than sending), so
# the ids of records, which differ per prober, are stand-ins until a request is sent.
ID_NAMES = (
    "youth_id", "step_id", "appointment_id", "item_id", "note_id", "checkin_id", "alert_id",
    "follow_up_id", "snippet_id", "passkey_id", "guide_id", "cover_id", "user_id",
    "notification_id", "team_id",
)  # fmt: skip
ID_STAND_IN = {name: str(9_000_000 + n) for n, name in enumerate(ID_NAMES)}
STAND_INS = {value: name for name, value in ID_STAND_IN.items()}
WORDS = {"code": "who5", "token": "not-a-real-token-0123456789abcdef"}


# -- what the person gets, case by case (the walk below finds new cases) ---------------


@pytest.fixture
async def youth_client(client, db, settings, frozen_clock):
    guide = await make_user(db, Role.guide)
    youth = await make_youth(db, guide=guide)
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    client.headers["Accept"] = "text/html"
    return client


async def _count(db, model) -> int:
    return (await db.exec(select(func.count()).select_from(model))).one()


@pytest.mark.parametrize("step_id", [str(2**31), str(2**63), "²", "١٢", "0"])
async def test_a_path_id_no_record_can_have_is_a_page_not_found(youth_client, step_id):
    response = await youth_client.post(
        f"/plan/steps/{quote(step_id)}/status", data={"status": "done"}
    )
    assert response.status_code == 404
    assert "Vi kunne ikke finde siden." in response.text
    response = await youth_client.get(f"/checkins/{2**63}")
    assert response.status_code == 404


async def test_a_nul_byte_in_a_step_is_refused_next_to_the_field_with_the_text_kept(
    youth_client, db
):
    before = await _count(db, PlanStep)
    form = {"title": "Ring til\x00 skolen", "client_key": new_client_key()}
    response = await youth_client.post("/plan/steps", data=form)
    assert response.status_code == 422
    assert "Her er et tegn, vi ikke kan gemme. Fjern det venligst." in response.text
    assert "Ring til" in response.text and "skolen" in response.text
    assert await _count(db, PlanStep) == before


@pytest.mark.parametrize("due_on", ["0001-01-01", "9999-12-31"])
async def test_a_date_in_year_1_or_9999_is_refused_with_the_years_allowed(youth_client, db, due_on):
    before = await _count(db, PlanStep)
    form = {"title": "Søg praktik", "due_on": due_on, "client_key": new_client_key()}
    response = await youth_client.post("/plan/steps", data=form)
    assert response.status_code == 422
    assert "Skriv en dato mellem år 1900 og 2199." in response.text
    assert "Søg praktik" in response.text
    assert await _count(db, PlanStep) == before


@pytest.mark.parametrize("answer", ["²", "١", "9223372036854775808"])
async def test_an_answer_in_other_digits_is_refused_and_no_check_in_is_saved(
    youth_client, db, answer
):
    before = await _count(db, CheckIn)
    form = {"instrument": "who5", "client_key": new_client_key()}
    form |= {f"answer-q{n}": "3" for n in range(1, 6)} | {"answer-q2": answer}
    response = await youth_client.post("/checkins", data=form)
    assert response.status_code == 422
    assert "Vælg et af de viste svar." in response.text
    assert await _count(db, CheckIn) == before


async def test_a_working_day_ending_at_a_time_with_a_zone_is_refused(
    client, db, settings, frozen_clock
):
    guide = await make_user(db, Role.guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    form = {"works-0": "on", "start-0": "09:00", "end-0": "15:00+02:00"}
    response = await client.post("/guide/working-hours", data=form)
    assert response.status_code == 422
    assert "Skriv et klokkeslæt som 14:30." in response.text
    assert "15:00+02:00" in response.text


async def test_a_next_address_with_a_line_break_goes_home(youth_client):
    response = await youth_client.post(
        "/language", data={"locale": "en", "next": "/plan\r\nSet-Cookie: x=1"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("done", ["999999", str(2**63), "²", "١٢"])
async def test_a_done_step_the_plan_does_not_have_shows_the_plan_as_usual(youth_client, done):
    for page in ("/", "/plan"):
        response = await youth_client.get(page, params={"done": done, "deleted": done})
        assert response.status_code == 200


async def test_a_deleted_step_the_plan_does_not_have_shows_the_guide_the_plan_as_usual(
    client, db, settings, frozen_clock
):
    guide = await make_user(db, Role.guide)
    youth = await make_youth(db, guide=guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    for deleted in ("2147483647", "²"):
        response = await client.get(f"/guide/youth/{youth.id}/plan", params={"deleted": deleted})
        assert response.status_code == 200


async def test_a_nul_byte_in_an_address_is_refused_in_the_persons_language(youth_client):
    response = await youth_client.get("/plan", params={"done": "1\x00"})
    assert response.status_code == 422
    assert "Vi forstod ikke forespørgslen. Genindlæs siden, og prøv igen." in response.text


# -- what each route declares ----------------------------------------------------------


def _plain(annotation: Any) -> Any:
    """int for `Annotated[int | None, ...]` and the like."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _plain(inner[0]) if inner else str
    return annotation


def _valid(name: str, annotation: Any, today: date) -> str:
    """A value of the field's type that the prober's own records make valid."""
    kind = _plain(annotation)
    origin = typing.get_origin(kind)
    if name in ID_STAND_IN:
        return ID_STAND_IN[name]
    if name in WORDS:
        return WORDS[name]
    if name == "client_key":
        return new_client_key()
    if origin is typing.Literal:
        return str(typing.get_args(kind)[0])
    if origin in (list, set, tuple):
        args = typing.get_args(kind)
        return _valid(name.removesuffix("s"), args[0] if args else str, today)
    if isinstance(kind, type):
        if issubclass(kind, enum.Enum):
            return str(next(iter(kind)).value)
        if issubclass(kind, bool):
            return "on"
        if issubclass(kind, int):
            return "1"
        if issubclass(kind, datetime):
            return f"{today + timedelta(days=7)}T10:00"
        if issubclass(kind, date):
            return str(today + timedelta(days=7))
        if issubclass(kind, time):
            return "10:00"
    return "Hej"


def _form_parsers(function: Any, seen: set[Any] | None = None) -> list[Any]:
    """What the handler (or a function of its module it calls) gives `handle_form` (second
    argument) or `parse_form` (first)."""
    seen = seen if seen is not None else set()
    seen.add(function)
    source = textwrap.dedent(inspect.getsource(function))
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func).rsplit(".", 1)[-1]
        called = function.__globals__.get(ast.unparse(node.func))
        if inspect.isfunction(called) and called.__module__ == function.__module__:
            if called not in seen:
                found += _form_parsers(called, seen)
            continue
        position = {"handle_form": 1, "parse_form": 0}.get(name)
        if position is None or len(node.args) <= position:
            continue
        expression = ast.unparse(node.args[position])
        if expression.startswith("lambda"):
            continue  # the fields themselves, already declared as Form() parameters
        found.append(eval(expression, function.__globals__))  # our own source
    return found


def _query_names_read() -> set[str]:
    """Query parameters read by hand anywhere in the app: `request.query_params.get("x")`,
    `query_id(request, "x")` in code, `request.query_params.get('x')` in templates."""
    names: set[str] = set()
    for path in [*APP_DIR.glob("routers/*.py"), *APP_DIR.glob("services/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            target = key = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "get" and node.args:
                    target, key = node.func.value, node.args[0]
            elif isinstance(node, ast.Subscript):
                target, key = node.value, node.slice
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "query_id":
                target, key = node.args[0], node.args[1]
                names.add(key.value if isinstance(key, ast.Constant) else "")
            if target is None or not isinstance(key, ast.Constant):
                continue
            if ast.unparse(target).endswith(("query_params", "params")) and isinstance(
                key.value, str
            ):
                names.add(key.value)
    for template in APP_DIR.glob("templates/**/*.html"):
        names |= set(re.findall(r"query_params\.get\(['\"](\w+)['\"]", template.read_text()))
    names.discard("")
    return names


def shape_of(route: RouteContext, today: date) -> Shape:
    method = sorted(m for m in route.methods if m != "HEAD")[0]
    shape = Shape(method, route.path)
    dependant = route.original_route.dependant
    for param in dependant.path_params:
        shape.path_params[param.name] = _valid(param.name, param.field_info.annotation, today)
    for param in dependant.query_params:
        shape.query[param.name] = _valid(param.name, param.field_info.annotation, today)
    for param in dependant.body_params:
        if isinstance(param.field_info, Form):
            shape.form[param.name] = _valid(param.name, param.field_info.annotation, today)
    fields = shape.query if method == "GET" else shape.form
    for parser in _form_parsers(route.endpoint):
        if isinstance(parser, type) and issubclass(parser, BaseModel):
            for name, info in parser.model_fields.items():
                fields[name] = _valid(name, info.annotation, today)
        elif parser in FUNCTION_FIELDS:
            fields.update(FUNCTION_FIELDS[parser])
        else:
            pytest.fail(f"{route.path}: list the fields {parser!r} reads in FUNCTION_FIELDS")
    for name in QUERY_NAMES:
        shape.query.setdefault(name, "1")
    return shape


QUERY_NAMES = _query_names_read()


# What breaks each kind of field, first; then anything (Hypothesis's own text and numbers).
# Every one of these is also sent in one sweep per route: the first draw never misses them.
TYPED_HOSTILE = {
    "int": ["2147483647", "9223372036854775808", "²", "١٢"],
    "date": ["0001-01-01", "9999-12-31"],
    "time": ["10:00+02:00", "24:00"],
    "text": ["Hej\x00med", "/\r\nSet-Cookie: x=1", "x" * 5000],
}


def kind_of(valid: str) -> str:
    """The kind of field a valid value shows: a number, a date, a time, or text."""
    if re.fullmatch(r"\d+", valid):
        return "int"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", valid):
        return "date"
    if re.fullmatch(r"\d{2}:\d{2}", valid):
        return "time"
    return "text"


def hostile_for(valid: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(TYPED_HOSTILE[kind_of(valid)]), hostile_value)


def sweep(shape: Shape) -> list[Probe]:
    """One request per value that breaks a kind of field, in every input of that kind the
    route takes at once: path ids apart from fields, so a refused id hides no field, and
    on a page (GET) the query parameters the app reads by hand apart as well."""
    groups = [
        {("path", n): v for n, v in shape.path_params.items()},
        {("query", n): v for n, v in shape.query.items() if n not in QUERY_NAMES}
        | {("form", n): v for n, v in shape.form.items()},
    ]
    if shape.method == "GET":
        groups.append({("query", n): shape.query[n] for n in sorted(QUERY_NAMES)})
    found = []
    for inputs in groups:
        for kind, values in TYPED_HOSTILE.items():
            names = [name for name, valid in inputs.items() if kind_of(valid) == kind]
            for value in values if names else []:
                found.append(_probe(shape, dict.fromkeys(names, value), htmx=False))
    return found


def _probe(shape: Shape, hostile: dict[tuple[str, str], str], htmx: bool) -> Probe:
    values = {
        "path": dict(shape.path_params),
        "query": dict(shape.query),
        "form": {**shape.form, "client_key": new_client_key()} if shape.form else {},
    }
    for (where, name), value in hostile.items():
        values[where][name] = value
    return Probe(shape.method, shape.path, values["path"], values["query"], values["form"], htmx)


def probes(shape: Shape, count: int) -> list[Probe]:
    """`count` requests for one route, drawn by Hypothesis (derandomized: the same each run).

    Each has one or two of the route's own inputs hostile (a value that breaks its kind
    of field, or anything), the others valid, so the hostile one reaches the handler; and
    now and then a hostile value in a query parameter the app reads by hand somewhere.
    """
    own = {("path", n): v for n, v in shape.path_params.items()}
    own |= {("query", n): v for n, v in shape.query.items() if n not in QUERY_NAMES}
    own |= {("form", n): v for n, v in shape.form.items()}
    anywhere = sorted(("query", n) for n in QUERY_NAMES)
    hostile = st.just({})
    if own:
        hostile = st.sampled_from(sorted(own)).flatmap(
            lambda first: st.fixed_dictionaries({first: hostile_for(own[first])})
        )
        second = st.dictionaries(
            st.sampled_from(sorted(own)), hostile_value, min_size=0, max_size=1
        )
        hostile = st.tuples(hostile, second).map(lambda pair: {**pair[1], **pair[0]})
    elsewhere = st.dictionaries(st.sampled_from(anywhere), hostile_value, max_size=1)
    drawn: list[Probe] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(hostile=hostile, elsewhere=elsewhere, htmx=st.booleans())
    def draw(
        hostile: dict[tuple[str, str], str], elsewhere: dict[tuple[str, str], str], htmx: bool
    ) -> None:
        drawn.append(_probe(shape, {**elsewhere, **hostile}, htmx))

    draw()
    return drawn


# -- what a refused request must leave alone ------------------------------------------


def _count_rows_statement():
    tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in COUNTED_ON_REFUSAL]
    columns = ", ".join(f'(SELECT count(*) FROM "{name}") AS "{name}"' for name in tables)
    return text(f"SELECT {columns}")


COUNT_ROWS = _count_rows_statement()


async def row_counts(db) -> dict[str, int]:
    return dict((await db.execute(COUNT_ROWS)).mappings().one())


# -- the walk -------------------------------------------------------------------------


async def _prober(db, who: str, now: datetime) -> tuple[int | None, dict[str, object]]:
    """The signed-in person for `who` and the ids of records that are theirs to use."""
    guide = await make_user(db, Role.guide)
    ids = await _world(db, now, guide, "Fuzz Ung")
    passkey = await db.get_one(Passkey, ids["passkey_id"])
    passkey.credential_id = "Y3JlZGVudGlhbC0x"  # base64url, as a browser sends it
    db.add(passkey)
    if who == "youth":
        youth_user = await user_of(db, await db.get_one(Youth, ids["youth_id"]))
        return youth_user.id, ids
    if who == "guide":
        return guide.id, ids
    if who == "anonymous":
        return None, ids
    person = await make_user(db, Role(who))
    return person.id, ids


def requests_for(route: RouteContext, let_in: bool, today: date) -> list[Probe]:
    """The sweep and the drawn requests for a role the route lets in; one drawn otherwise
    (access is checked before anything is parsed, so one shows the refusal is clean)."""
    key = (route.path, frozenset(route.methods), today)
    if key not in _DRAWN:
        shape = shape_of(route, today)
        _DRAWN[key] = [*sweep(shape), *probes(shape, EXAMPLES_LET_IN)]
    drawn = _DRAWN[key]
    return drawn if let_in else drawn[-EXAMPLES_REFUSED:]


_DRAWN: dict[tuple[str, frozenset[str], date], list[Probe]] = {}


async def _send(
    client: httpx.AsyncClient, probe: Probe, ids: dict[str, object], token: str
) -> tuple[httpx.Response, str]:
    url, query, form = probe.filled(ids)
    headers = {"X-CSRF-Token": token, "Accept": "text/html"}
    if probe.htmx:
        headers["HX-Request"] = "true"
    data = {**form, "csrf_token": token} if probe.method == "POST" else None
    response = await client.request(probe.method, url, params=query, data=data, headers=headers)
    return response, f"{probe.method} {url} query={query!r} form={form!r} htmx={probe.htmx}"


@pytest.fixture
def endless_streams_end(monkeypatch):
    """The message stream ends at once here (it would otherwise live for minutes)."""
    from app.realtime import sse

    monkeypatch.setitem(sse.stream.__kwdefaults__, "lifetime", 0.0)


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("who", WHO)
async def test_hostile_input_gets_a_clear_refusal_and_writes_nothing(
    app, db, settings, frozen_clock, endless_streams_end, who, part
):
    now = frozen_clock.now
    person_id, ids = await _prober(db, who, now)
    assert set(ID_NAMES) <= set(ids), "every stand-in needs a record of the prober's"
    await db.commit()
    wrong: list[str] = []
    sent = 0
    counts = None  # the row counts as they are now, when known
    signed_in = False
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=BASE_URL
    ) as client:
        token = await ensure_csrf(client)
        for route in api_routes(app)[part::PARTS]:
            policy = policy_of(route.endpoint) or frozenset()
            let_in = PUBLIC in policy or who in policy
            for probe in requests_for(route, let_in, now.date()):
                if person_id is not None and not signed_in:
                    # A new session after any request that went through: it may have
                    # signed out. A refused one changed nothing, the session included.
                    person = await db.get(User, person_id)
                    session = await start_session(db, user=person, now=now)
                    client.cookies.set(cookie_name(settings), session)
                    await db.commit()
                    signed_in = True
                before = counts or await row_counts(db)
                response, what = await _send(client, probe, ids, token)
                sent += 1
                status = response.status_code
                if status >= 500:
                    wrong.append(f"{status}: {what}")
                    counts, signed_in = None, False
                elif status >= 400:
                    counts = await row_counts(db)
                    changed = {k: (before[k], counts[k]) for k in before if before[k] != counts[k]}
                    if changed:
                        wrong.append(f"{status} but rows changed {changed}: {what}")
                else:
                    counts, signed_in = None, probe.method == "GET"
    print(f"{who}, part {part}: {sent} requests")
    assert not wrong, f"{len(wrong)} of {sent} requests:\n" + "\n".join(wrong[:40])
