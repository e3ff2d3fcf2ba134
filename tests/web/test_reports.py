"""The leaders' key-figure report over HTTP: who may open it, the half-year form, the CSV
as Danish Excel reads it, and that it shows numbers only (no young person's name, no
message or note text). A curious leader's comparisons: `test_reports_differencing.py`."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlmodel import func, select

from app.clock import copenhagen_today
from app.i18n import translations
from app.models import AuditRecord, CourseEndOutcome, Message, MessageKind, Role
from app.services.key_figures.period import half_years_offered
from app.web.static_assets import static_url
from tests.conftest import DEFAULT_INSTANT
from tests.factories.key_figures import end_course
from tests.factories.people import make_team, make_user, make_youth, sign_in, user_of
from tests.unit.test_key_figures_report import read_like_danish_excel

pytestmark = pytest.mark.time_dependent

PAGE = "/reports/key-figures"
SECRET = "Hemmelig beskedtekst om en ung"
# July-December 2025: offered at every instant the tests run at (it has ended, and it is
# within the five years back).
HALF = "2025-2"


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


async def test_leader_sees_the_last_half_year_that_has_ended_by_default(
    client, db, settings, frozen_clock
):
    _team, _guide, leader, _young = await _team_with_young_people(db)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    page = await client.get(PAGE)
    assert page.status_code == 200
    today = copenhagen_today(frozen_clock.now)
    latest = half_years_offered(today)[0]
    assert f'<option value="{latest.key}" selected' in page.text
    # The half-year the clock is in has not ended: it is not offered.
    assert f'value="{today.year}-{1 if today.month <= 6 else 2}"' not in page.text
    page = await client.get(f"{PAGE}?half={HALF}")
    assert "Ungeteam Øst" in page.text
    assert "&lt;5" in page.text  # no course ended in that half-year
    assert "Energi til Hinanden" in page.text  # the reference results beside the figures
    assert 'id="def-positive_destination"' in page.text  # definitions as footnotes
    assert 'id="def-periods"' in page.text and "aldrig summerne bag dem" in page.text
    assert 'id="def-csv"' in page.text and "semikolon" in page.text
    assert "<svg" in page.text and 'stroke-dasharray="4 3"' in page.text  # reference lines
    assert static_url("css/report.css") in page.text  # the print stylesheet, this page only


async def test_report_shows_no_names_and_no_message_text_and_audits_nobody(
    client, db, settings, frozen_clock
):
    _team, _guide, leader, _young = await _team_with_young_people(db)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    audits_before = (await db.exec(select(func.count()).select_from(AuditRecord))).one()
    for scope in ("team", "municipality"):
        query = f"?half={HALF}&scope={scope}"
        page = await client.get(PAGE + query)
        export = await client.get(PAGE + ".csv" + query)
        assert page.status_code == export.status_code == 200
        for text in (page.text, export.text):
            assert "Navnesen" not in text and "Ungdom" not in text
            assert SECRET not in text
    assert (await db.exec(select(func.count()).select_from(AuditRecord))).one() == audits_before


async def test_only_whole_half_years_that_have_ended_can_be_asked_for(
    client, db, settings, frozen_clock
):
    _team, _guide, leader, _young = await _team_with_young_people(db)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    page = await client.get(f"{PAGE}?half={HALF}&scope=municipality")
    assert page.status_code == 200
    assert f'<option value="{HALF}" selected' in page.text
    assert '<option value="municipality" selected' in page.text
    # A date range in the address is not a choice: the default report comes back.
    default = await client.get(PAGE + ".csv")
    for query in ("from=2025-07-01&to=2025-11-30", "from=2025-08-01&to=2025-12-31"):
        tried = await client.get(f"{PAGE}.csv?{query}")
        assert tried.status_code == 200 and tried.content == default.content


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("half=2099-1", "half", "Choose one of the half-years in the list."),
        ("half=2019-1", "half", "Choose one of the half-years in the list."),
        ("half=2025-7", "half", "Choose one of the half-years in the list."),
        (f"half={HALF}&scope=country", "scope", "Please choose one of the options."),
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


async def test_the_half_year_running_now_is_refused(client, db, settings, frozen_clock):
    leader = await make_user(db, Role.leader)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    today = copenhagen_today(frozen_clock.now)
    running = f"{today.year}-{1 if today.month <= 6 else 2}"
    assert (await client.get(f"{PAGE}.csv?half={running}")).status_code == 422


async def test_htmx_gets_only_the_report_part(client, db, settings, frozen_clock):
    leader = await make_user(db, Role.leader)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    part = await client.get(PAGE, headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert part.text.lstrip().startswith("{#") is False and "<html" not in part.text
    assert 'id="key-figures"' in part.text


async def test_the_csv_download_opens_in_danish_excel(client, db, settings, frozen_clock):
    # At a fixed day: which half-years a leader can compare depends on the day, and with
    # more of them a neighbouring group can differ by fewer than 5 and hide the figure.
    frozen_clock.now = DEFAULT_INSTANT
    _team, _guide, leader, _young = await _team_with_young_people(db)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    export = await client.get(f"{PAGE}.csv?half={HALF}&scope=team")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = read_like_danish_excel(export.content)
    assert rows[0] == ["Halvår", "2. halvår 2025"]
    assert rows[3] == ["Afsnit", "Nøgletal", "Værdi", "Enhed", "Reference", "Definition"]
    by_label = {row[1]: row for row in rows[4:] if len(row) > 2}
    # 12 young people followed (courses from 1 Nov 2025); none ended in that half-year.
    assert by_label["Unge i forløb"][2] == "12"
    assert by_label["Afsluttede forløb"][2] == "<5"
    assert by_label["Andel med positiv destination"][2] == "<5"


async def test_a_leader_without_a_team_sees_nobody(client, db, settings, frozen_clock):
    # Guides without a team, with young people: not this leader's to count.
    loose_guide = await make_user(db, Role.guide)
    for _ in range(6):
        await make_youth(db, guide=loose_guide, course_started_on=date(2025, 8, 10))
    leader = await make_user(db, Role.leader)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    export = await client.get(f"{PAGE}.csv?half={HALF}&scope=team")
    by_label = {row[1]: row for row in read_like_danish_excel(export.content) if len(row) > 2}
    assert by_label["Unge i forløb"][2] == "<5"


async def test_the_report_reads_in_english_too(client, db, settings, frozen_clock):
    _team, _guide, leader, _young = await _team_with_young_people(db)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    client.cookies.set("trinvis_lang", "en")
    page = await client.get(f"{PAGE}?half={HALF}&scope=team")
    assert page.status_code == 200
    assert "Young people followed" in page.text
    assert "65 percent of 137 to job or education" in page.text
