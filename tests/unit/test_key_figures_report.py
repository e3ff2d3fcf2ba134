"""From raw figures to the report a leader sees: each figure's value worked out by hand,
suppression applied to shares and means, the charts' reference lines, and the CSV."""

import csv
import io
from collections import Counter

import pytest

from app.i18n import set_locale
from app.models import CourseEndOutcome as Outcome
from app.models import ReadinessGroup as Group
from app.services.key_figures.compute import RawFigures, compute
from app.services.key_figures.courses import Courses, Outcomes
from app.services.key_figures.definitions import FIGURES
from app.services.key_figures.export import report_csv, text_cell
from app.services.key_figures.followups import FollowUps, Retention
from app.services.key_figures.period import ScopeKind
from app.services.key_figures.report import build
from app.services.key_figures.staff import Changes
from app.services.key_figures.wellbeing import Completion, Progression
from tests.factories.checkins import checkin
from tests.factories.key_figures import at, make_world, period, young
from tests.queries import statements_sent

pytestmark = pytest.mark.time_dependent

H1 = period("2026-01-01", "2026-06-30", "2026-07-15")


def raw(**changes) -> RawFigures:
    """A municipality of 60 followed young people, with numbers chosen to divide evenly."""
    values = dict(
        courses=Courses(
            followed=Counter(
                {Group.obviously_ready: 10, Group.education_ready: 20, Group.activity_ready: 30}
            ),
            new=Counter(
                {Group.obviously_ready: 5, Group.education_ready: 8, Group.activity_ready: 12}
            ),
            with_plan=45,
        ),
        outcomes=Outcomes(
            ended=Counter(
                {Group.obviously_ready: 6, Group.education_ready: 7, Group.activity_ready: 7}
            ),
            by_outcome=Counter({Outcome.education: 8, Outcome.job: 5, Outcome.other: 7}),
            started_education=10,
            days=Counter({100: 6, 150: 5, 200: 2}),
        ),
        progression=Progression(measured=40, total_change=180, gained=12),
        completion=Completion(expected=200, done=150, young_people=50),
        retention=Retention(
            eligible=Counter({3: 20, 6: 16, 12: 10}),
            dropped=Counter({3: 5, 6: 6, 12: 2}),
            running=30,
            dropped_in_period=6,
        ),
        follow_ups=FollowUps(
            due=400, young_people=30, answered=300, window_closed=380, on_time=285
        ),
        changes=Changes(changes=15, young_people=12),
        caseloads=[10, 14, 18, 22, 30],
    )
    values.update(changes)
    return RawFigures(**values)


def report(data: RawFigures | None = None):
    return build(data or raw(), period=H1, scope=ScopeKind.municipality, scope_name="Fjordby")


def test_every_figure_has_a_value_worked_out_by_hand():
    shown = {key: v.value for key, v in report().values.items()}
    assert set(shown) == {f.id for f in FIGURES}
    assert shown == {
        "followed": 60,  # 10 + 20 + 30
        "new_courses": 25,  # 5 + 8 + 12
        "ended_courses": 20,  # 6 + 7 + 7 = 8 + 5 + 7
        "long_term_plan": 75.0,  # 45 / 60
        "outcome_education": 8,
        "outcome_job": 5,
        "outcome_other": 7,
        "positive_destination": 65.0,  # (8 + 5) / 20
        "started_education": 50.0,  # 10 / 20
        "days_to_destination": 150,  # 13 values: six 100s, five 150s, two 200s
        "who5_measured": 40,
        "who5_mean_change": 5,  # 180 / 40 = 4.5, published in whole points (half up)
        "who5_gain": 30.0,  # 12 / 40
        "checkin_completion": 75.0,  # 150 / 200
        "retained_3m": 75.0,  # (20 - 5) / 20
        "retained_6m": 63,  # (16 - 6) / 16 = 62.5 %, published in whole percent
        "retained_12m": None,  # (10 - 2) / 10, but 2 dropped is "<5": hidden
        "dropout": 20.0,  # 6 / 30
        "followups_answered": 75.0,  # 300 / 400
        "followups_on_time": 75.0,  # 285 / 380
        "contact_changes": 0.3,  # 15 / 60 = 0.25, published with one decimal
        "youth_with_change": 12,
        "caseload_median": 18,  # 10, 14, 18, 22, 30
    }


def test_mean_days_is_shown_beside_the_median():
    days = report().values["days_to_destination"]
    # (6 * 100 + 5 * 150 + 2 * 200) / 13 = 1750 / 13 = 134.6: whole days
    assert days.extra == 135


def test_a_share_or_a_mean_is_published_without_the_sums_behind_it():
    # A sum beside its count is one subtraction away from one young person's value in
    # another report: the report keeps the value only.
    values = report().values
    assert not hasattr(values["who5_mean_change"], "numerator")
    set_locale("da")
    page_text = " ".join(v.text for v in values.values())
    exported = report_csv(report())
    for sum_behind in ("180",):  # the WHO-5 changes' total (mean 4.5 of 40)
        assert sum_behind not in page_text and sum_behind not in exported


def test_small_outcomes_hide_the_share_and_the_days():
    data = raw(
        outcomes=Outcomes(
            ended=Counter({Group.activity_ready: 9}),
            by_outcome=Counter({Outcome.education: 3, Outcome.job: 1, Outcome.other: 5}),
            started_education=3,
            days=Counter({90: 4}),
        )
    )
    values = report(data).values
    assert values["outcome_education"].hidden == "small"
    assert values["positive_destination"].value is None  # 4 positive: fewer than 5
    assert values["days_to_destination"].text == "<5"


def test_figures_from_fewer_than_five_young_people_are_hidden():
    data = raw(
        completion=Completion(expected=12, done=9, young_people=4),
        follow_ups=FollowUps(due=20, young_people=3, answered=18, window_closed=20, on_time=20),
        caseloads=[1, 2, 3],
    )
    values = report(data).values
    for key in ("checkin_completion", "followups_answered", "followups_on_time", "caseload_median"):
        assert values[key].text == "<5", key


def test_values_read_in_the_language_of_the_reader():
    values = report().values
    set_locale("da")
    assert values["who5_mean_change"].text == "5"
    assert values["retained_6m"].text == "63 %"
    set_locale("en")
    assert values["contact_changes"].text == "0.3"
    set_locale("da")


def test_the_course_table_has_a_row_per_group_and_a_total():
    rows = report().course_rows
    assert [r.group for r in rows] == [
        "obviously_ready",
        "education_ready",
        "activity_ready",
        "total",
    ]
    assert rows[-1].cells["followed"].value == 60
    # ended 6 / 7 / 7 and new 5 / 8 / 12: nothing small, nothing hidden.
    assert not any(c.hidden for r in rows for c in r.cells.values())


def test_charts_draw_the_reference_results_at_their_place_on_the_scale():
    charts = report().charts
    bar = charts["outcomes"].bars[0]  # share to a positive destination, 65 %
    left, right = charts["outcomes"].left, charts["outcomes"].right
    at_65, at_50 = (r.x for r in bar.references)
    assert at_65 == pytest.approx(left + (right - left) * 0.65)
    assert at_50 == pytest.approx(left + (right - left) * 0.50)
    assert bar.width == pytest.approx((right - left) * 0.65)  # the figure is 65 % too
    days = charts["days"]  # median 150 against the 155-day reference: scale up to 200
    assert days.ticks[-1].value == 200
    assert days.bars[0].references[0].value == 155


def test_a_hidden_figure_gets_no_bar():
    data = raw(retention=Retention(eligible=Counter({3: 3}), dropped=Counter(), running=2))
    bar = report(data).charts["followups"].bars[0]
    assert bar.value is None and bar.width == 0 and bar.hidden == "small"


def read_like_danish_excel(data: bytes) -> list[list[str]]:
    """What Danish Excel does with the file: UTF-8 because of the byte order mark, and
    columns split at the Danish list separator, the semicolon."""
    assert data.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would read the file as ANSI"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def danish_number(text: str) -> float:
    """A cell as Danish Excel reads a number: decimal comma, no dot."""
    assert "." not in text, f"{text!r}: Danish Excel reads a dot as a thousands separator"
    return float(text.replace(",", "."))


def test_csv_opens_in_danish_excel_with_danish_headings_and_decimal_commas():
    set_locale("da")
    data = raw(
        follow_ups=FollowUps(due=20, young_people=3, answered=18, window_closed=20, on_time=20)
    )
    rows = read_like_danish_excel(report_csv(report(data)).encode("utf-8"))
    assert rows[0] == ["Halvår", "1. halvår 2026"]
    header = rows[3]
    assert header == ["Afsnit", "Nøgletal", "Værdi", "Enhed", "Reference", "Definition"]
    by_label = {row[1]: row for row in rows[4:] if len(row) > 2}
    assert by_label["Besvarede opfølgninger"][2] == "<5"
    assert danish_number(by_label["Andel med positiv destination"][2]) == 65
    assert by_label["Andel med positiv destination"][3] == "procent"
    assert danish_number(by_label["Skift af kontaktperson pr. ung"][2]) == 0.3
    assert by_label["Skift af kontaktperson pr. ung"][2] == "0,3"
    assert "Energi til Hinanden" in by_label["Andel med positiv destination"][4]
    assert by_label["Unge i forløb: Aktivitetsparat"][2] == "30"
    # The footnote at the end says what each column is.
    assert any("Kolonnerne: Afsnit" in row[0] for row in rows if row)


def test_csv_text_cells_cannot_start_a_formula():
    assert text_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert text_cell("@SUM") == "'@SUM"
    assert text_cell("Team Nord") == "Team Nord"


async def _statements_for(db, engine, size: int) -> int:
    world = await make_world(db)
    for n in range(size):
        youth = await young(db, world, "2026-01-10", destination="HF")
        await checkin(db, youth, score=40 + n % 10 * 4, taken_at=at("2026-02-01"))
        await checkin(db, youth, score=60, taken_at=at("2026-04-01"))
    scope = await world.scope_in(db)
    with statements_sent(engine) as seen:
        await compute(db, scope=scope, period=H1)
    return len(seen)


async def test_the_report_sends_the_same_few_queries_for_5_and_50_young_people(db, engine):
    few = await _statements_for(db, engine, 5)
    many = await _statements_for(db, engine, 50)
    assert few == many <= 9
