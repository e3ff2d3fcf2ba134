"""The leaders' key-figure report over HTTP: who may open it, the period form, the CSV,
and that it shows numbers only (no young person's name, no message or note text)."""

from __future__ import annotations

import csv
import html
import io
from datetime import date

import pytest
from sqlmodel import func, select

from app.clock import copenhagen_today
from app.i18n import translations
from app.models import AuditRecord, CourseEndOutcome, Message, MessageKind, Role
from app.web.static_assets import static_url
from tests.factories.key_figures import end_course
from tests.factories.people import make_team, make_user, make_youth, sign_in, user_of

pytestmark = pytest.mark.time_dependent

PAGE = "/reports/key-figures"
SECRET = "Hemmelig beskedtekst om en ung"


async def _team_with_young_people(db, count: int = 12):
    team = await make_team(db, "Ungeteam Øst")
    guide = await make_user(db, Role.guide, team_id=team.id)
    leader = await make_user(db, Role.leader, team_id=team.id)
    young = []
    for n in range(count):
        youth = await make_youth(
            db, guide=guide, name=f"Navnesen Ungdom{n}", course_started_on=date(2025, 11, 1)
        )
        young.append(youth)
    # Two course ends: a small number that must show as "<5".
    await end_course(db, young[0], "2026-02-01", CourseEndOutcome.job)
    await end_course(db, young[1], "2026-02-10", CourseEndOutcome.other)
    person = await user_of(db, young[2])
    db.add(
        Message(
            youth_id=young[2].id,
            sender_id=person.id,
            kind=MessageKind.text,
            body=SECRET,
            client_key="report-test-message",
        )
    )
    await db.flush()
    return team, guide, leader, young


@pytest.mark.parametrize("role", [Role.guide, Role.admin])
async def test_staff_other_than_leaders_are_refused(client, db, settings, frozen_clock, role):
    person = await make_user(db, role)
    await sign_in(client, db, person, settings, frozen_clock.now)
    assert (await client.get(PAGE)).status_code == 403
    assert (await client.get(PAGE + ".csv")).status_code == 403


async def test_young_people_and_anonymous_visitors_are_refused(client, db, settings, frozen_clock):
    headers = {"Accept": "application/json"}
    assert (await client.get(PAGE, headers=headers)).status_code == 401
    person = await user_of(db, await make_youth(db))
    await sign_in(client, db, person, settings, frozen_clock.now)
    assert (await client.get(PAGE)).status_code == 403


async def test_leader_sees_the_current_half_year_by_default(client, db, settings, frozen_clock):
    _team, _guide, leader, _young = await _team_with_young_people(db)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    page = await client.get(PAGE)
    assert page.status_code == 200
    # The half-year the clock is in: January to June, or July to December.
    today = copenhagen_today(frozen_clock.now)
    first, last = ("01-01", "06-30") if today.month <= 6 else ("07-01", "12-31")
    assert f'value="{today.year}-{first}"' in page.text
    assert f'value="{today.year}-{last}"' in page.text
    assert "Ungeteam Øst" in page.text
    assert "&lt;5" in page.text  # the two course ends
    assert "Energi til Hinanden" in page.text  # the reference results beside the figures
    assert 'id="def-positive_destination"' in page.text  # definitions as footnotes
    assert "<svg" in page.text and 'stroke-dasharray="4 3"' in page.text  # reference lines
    assert static_url("css/report.css") in page.text  # the print stylesheet, this page only


async def test_report_shows_no_names_and_no_message_text_and_audits_nobody(
    client, db, settings, frozen_clock
):
    _team, _guide, leader, _young = await _team_with_young_people(db)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    audits_before = (await db.exec(select(func.count()).select_from(AuditRecord))).one()
    for scope in ("team", "municipality"):
        query = f"?from=2025-07-01&to=2026-03-01&scope={scope}"
        page = await client.get(PAGE + query)
        export = await client.get(PAGE + ".csv" + query)
        assert page.status_code == export.status_code == 200
        for text in (page.text, export.text):
            assert "Navnesen" not in text and "Ungdom" not in text
            assert SECRET not in text
    assert (await db.exec(select(func.count()).select_from(AuditRecord))).one() == audits_before


async def test_the_period_can_be_any_date_range_and_the_municipality(
    client, db, settings, frozen_clock
):
    _team, _guide, leader, _young = await _team_with_young_people(db)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    page = await client.get(PAGE + "?from=2025-10-15&to=2026-02-28&scope=municipality")
    assert page.status_code == 200
    assert 'value="2025-10-15"' in page.text
    assert '<option value="municipality" selected' in page.text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-03-01&to=2026-02-01", "to", "The end date must be on or after the start date."),
        ("from=2026-13-01&to=2026-02-01", "from", "Please write a date like 2026-03-31."),
        ("from=2099-04-01&to=2099-06-30", "from", "The period must start today or earlier."),
        (
            "from=2026-01-01&to=2026-06-30&scope=country",
            "scope",
            "Please choose one of the options.",
        ),
    ],
)
async def test_a_wrong_period_is_refused_next_to_the_field(
    client, db, settings, frozen_clock, query, field, message
):
    leader = await make_user(db, Role.leader)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    danish = translations("da").gettext(message)
    assert danish != message  # translated in the catalogs
    for path in (PAGE, PAGE + ".csv"):
        page = await client.get(f"{path}?{query}")
        assert page.status_code == 422
        assert f'id="{field}-error"' in page.text
        assert html.escape(danish, quote=False) in page.text
        assert query.split("&")[0].split("=")[1] in page.text  # what was typed is kept


async def test_htmx_gets_only_the_report_part(client, db, settings, frozen_clock):
    leader = await make_user(db, Role.leader)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    part = await client.get(PAGE, headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert part.text.lstrip().startswith("{#") is False and "<html" not in part.text
    assert 'id="key-figures"' in part.text


async def test_csv_has_the_figures_with_small_cells_as_less_than_five(
    client, db, settings, frozen_clock
):
    _team, _guide, leader, _young = await _team_with_young_people(db)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    export = await client.get(PAGE + ".csv?from=2026-01-01&to=2026-06-30&scope=team")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == ["period", "2026-01-01", "2026-06-30"]
    by_id = {row[1]: row for row in rows[3:]}
    # 12 young people followed (courses from 1 Nov 2025), two of them ended in February.
    assert by_id["followed"][3] == "12"
    assert by_id["ended_courses"][3] == "<5"
    assert by_id["positive_destination"][3] == "<5"


async def test_a_leader_without_a_team_sees_nobody(client, db, settings, frozen_clock):
    # Guides without a team, with young people: not this leader's to count.
    loose_guide = await make_user(db, Role.guide)
    for _ in range(6):
        await make_youth(db, guide=loose_guide, course_started_on=date(2026, 1, 10))
    leader = await make_user(db, Role.leader)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    export = await client.get(PAGE + ".csv?from=2026-01-01&to=2026-06-30&scope=team")
    by_id = {row[1]: row for row in csv.reader(io.StringIO(export.text))}
    assert by_id["followed"][3] == "<5"


async def test_the_report_reads_in_english_too(client, db, settings, frozen_clock):
    _team, _guide, leader, _young = await _team_with_young_people(db)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    client.cookies.set("trinvis_lang", "en")
    page = await client.get(PAGE + "?from=2025-07-01&to=2026-03-01&scope=team")
    assert page.status_code == 200
    assert "Young people followed" in page.text
    assert "65 percent of 137 to job or education" in page.text
