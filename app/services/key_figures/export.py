"""The key-figure report as CSV: the same figures and suppression as the page.

Hidden figures are written as "<5" (fewer than 5 young people) or "-" (hidden so that a
small number cannot be worked out); their numerators and denominators are left empty.
Text cells are guarded against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io

from app.i18n import gettext
from app.services.key_figures.cells import GROUP_LABELS, Cell, Value
from app.services.key_figures.definitions import BY_ID
from app.services.key_figures.report import KeyFigureReport

COLUMNS = [
    "section",
    "figure",
    "label",
    "value",
    "numerator",
    "denominator",
    "unit",
    "reference",
    "definition",
]
SMALL, SECONDARY = "<5", "-"
COURSE_FIGURES = {"followed": "followed", "new": "new_courses", "ended": "ended_courses"}


def report_csv(report: KeyFigureReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", report.period.start.isoformat(), report.period.end.isoformat()])
    writer.writerow(["scope", report.scope.value, text_cell(report.scope_name)])
    writer.writerow(COLUMNS)
    for row in report.course_rows:
        for column, cell in row.cells.items():
            figure = BY_ID[COURSE_FIGURES[column]]
            label = f"{gettext(figure.label)}: {gettext(GROUP_LABELS[row.group])}"
            writer.writerow(
                [
                    "group",
                    f"{column}.{row.group}",
                    text_cell(label),
                    cell_text(cell),
                    "",
                    "",
                    "young_people",
                    "",
                    "",
                ]
            )
    for section, _title in report.sections:
        for value in report.section(section):
            writer.writerow(_figure_row(section.value, value))
    bands = report.caseloads
    for name, count in (
        ("guides", bands.guides),
        ("guides_below_12", bands.below),
        ("guides_12_to_25", bands.within),
        ("guides_above_25", bands.above),
    ):
        writer.writerow(["staff", name, name, count, "", "", "guides", "", ""])
    return out.getvalue()


def _figure_row(section: str, value: Value) -> list[object]:
    figure = value.figure
    references = "; ".join(f"{r.value:g}: {gettext(r.label)}" for r in figure.references)
    return [
        section,
        figure.id,
        text_cell(gettext(figure.label)),
        value_text(value),
        "" if value.numerator is None else value.numerator,
        "" if value.denominator is None else value.denominator,
        figure.unit.value,
        text_cell(references),
        text_cell(gettext(figure.definition)),
    ]


def value_text(value: Value) -> str:
    if value.hidden == "small":
        return SMALL
    if value.hidden:
        return SECONDARY
    if value.value is None:
        return ""
    return f"{value.value:.1f}" if isinstance(value.value, float) else str(value.value)


def cell_text(cell: Cell) -> str:
    if cell.hidden == "small":
        return SMALL
    return SECONDARY if cell.hidden else str(cell.value)


def text_cell(text: str) -> str:
    # A text starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
