"""The key-figure report as CSV for Danish Excel: the same figures and suppression as the
page, rounded as on the page, never the sums behind a share or a mean.

Danish Excel reads a file it opens directly with the UTF-8 byte order mark as UTF-8,
`;` between columns and a decimal comma (the Danish list separator and decimal mark),
so the file is written that way whatever the reader's language; the headings and
labels are in the reader's language (Danish first). Hidden figures are "<5" (fewer than
5 young people) or "–" (hidden so that a small number cannot be worked out). Text cells
are guarded against spreadsheet formulas. The columns are explained in the report's
footnote (`definitions.CSV_NOTE`), and again at the end of the file.
"""

from __future__ import annotations

import csv
import io

from app.i18n import N_, gettext
from app.services.key_figures.cells import DECIMALS, GROUP_LABELS, Cell, Value
from app.services.key_figures.definitions import (
    BY_ID,
    CSV_NOTE,
    DIFFERENCING_NOTE,
    SUPPRESSION_NOTE,
    Unit,
)
from app.services.key_figures.period import HalfYear
from app.services.key_figures.report import KeyFigureReport

BOM = "\ufeff"
DELIMITER = ";"
COLUMNS = (
    N_("Section"),
    N_("Key figure"),
    N_("Value"),
    N_("Unit"),
    N_("Reference"),
    N_("Definition"),
)
UNIT_LABELS = {
    Unit.young_people: N_("young people"),
    Unit.percent: N_("percent"),
    Unit.days: N_("days"),
    Unit.points: N_("WHO-5 points"),
    Unit.per_youth: N_("per young person"),
    Unit.per_guide: N_("per guide"),
}
SMALL, SECONDARY = "<5", "–"
COURSE_FIGURES = {"followed": "followed", "new": "new_courses", "ended": "ended_courses"}


def report_csv(report: KeyFigureReport) -> str:
    """The whole file, byte order mark first."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    period = report.period
    half = HalfYear(period.start.year, 1 if period.start.month <= 6 else 2)
    writer.writerow([gettext("Half-year"), half.label])
    writer.writerow([gettext("Young people of"), text_cell(report.scope_name)])
    writer.writerow([])
    writer.writerow([gettext(column) for column in COLUMNS])
    group_title = gettext("The group")
    for row in report.course_rows:
        for column, cell in row.cells.items():
            figure = BY_ID[COURSE_FIGURES[column]]
            label = f"{gettext(figure.label)}: {gettext(GROUP_LABELS[row.group])}"
            unit = gettext(UNIT_LABELS[Unit.young_people])
            definition = text_cell(gettext(figure.definition))
            writer.writerow([group_title, text_cell(label), cell_text(cell), unit, "", definition])
    for section, title in report.sections:
        for value in report.section(section):
            writer.writerow(_figure_row(gettext(title), value))
    bands = report.caseloads
    staff_title = gettext("Contact persons and caseloads")
    guides = gettext("Guides by caseload at the end of the period")
    for label, count in (
        (gettext("Guides"), bands.guides),
        (gettext("Fewer than 12"), bands.below),
        (gettext("12 to 25"), bands.within),
        (gettext("More than 25"), bands.above),
    ):
        writer.writerow([staff_title, text_cell(f"{guides}: {label}"), count, gettext("Guides")])
    writer.writerow([])
    for note in (SUPPRESSION_NOTE, DIFFERENCING_NOTE, CSV_NOTE):
        writer.writerow([text_cell(gettext(note))])
    return BOM + out.getvalue()


def _figure_row(section_title: str, value: Value) -> list[object]:
    figure = value.figure
    references = "; ".join(
        f"{decimal_comma(r.value, figure.unit)}: {gettext(r.label)}" for r in figure.references
    )
    return [
        section_title,
        text_cell(gettext(figure.label)),
        value_text(value),
        gettext(UNIT_LABELS[figure.unit]),
        text_cell(references),
        text_cell(gettext(figure.definition)),
    ]


def decimal_comma(number: float, unit: Unit) -> str:
    """A number as Danish Excel reads it: decimal comma, no thousands separator."""
    decimals = DECIMALS.get(unit, 0)
    return f"{number:.{decimals}f}".replace(".", ",")


def value_text(value: Value) -> str:
    if value.hidden == "small":
        return SMALL
    if value.hidden:
        return SECONDARY
    if value.value is None:
        return ""
    return decimal_comma(value.value, value.figure.unit)


def cell_text(cell: Cell) -> str:
    if cell.hidden == "small":
        return SMALL
    return SECONDARY if cell.hidden else str(cell.value)


def text_cell(text: str) -> str:
    # A text starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
