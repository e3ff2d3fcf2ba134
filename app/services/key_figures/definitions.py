"""Every key figure of the leaders' report, defined once: what it counts, its unit, and
the reference result from the source documents it is shown beside.

The label and the definition are English message ids (Danish in `app/i18n/da/reports.po`);
the report shows the definition as a footnote and on hover, and `compute.py` computes
exactly what the definition says. Each definition has a test in
`tests/unit/test_key_figures_*.py` on a small hand-made data set.

Period words used in the definitions: the period is whole days in Europe/Copenhagen,
from its first to its last day; "the end of the period" means its last day, or today
if the period has not ended yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.i18n import N_


class Unit(StrEnum):
    young_people = "young_people"  # a count of young people (suppressed below 5)
    percent = "percent"
    days = "days"
    points = "points"  # WHO-5 points on the 0-100 scale
    per_youth = "per_youth"
    per_guide = "per_guide"  # young people per guide


class Section(StrEnum):
    group = "group"
    outcomes = "outcomes"
    wellbeing = "wellbeing"
    followups = "followups"  # eftervend
    staff = "staff"


SECTION_TITLES = {
    Section.group: N_("The group"),
    Section.outcomes: N_("Outcomes at course end"),
    Section.wellbeing: N_("Well-being and check-ins"),
    Section.followups: N_("Eftervend: after a start in education or a job"),
    Section.staff: N_("Contact persons and caseloads"),
}


@dataclass(frozen=True)
class Reference:
    """A result from the source documents (DESIGN.md), drawn as a reference line."""

    value: float
    label: str  # message id


@dataclass(frozen=True)
class Figure:
    id: str
    section: Section
    label: str  # message id
    definition: str  # message id
    unit: Unit
    references: tuple[Reference, ...] = ()


REF_ENERGI = Reference(65, N_("65 percent of 137 to job or education (Energi til Hinanden)"))
REF_IPS = Reference(50, N_("Target: at least 50 percent to job or education (IPS-UNG)"))
REF_UNG_I_UDD = Reference(80, N_("Almost 80 percent of 90 started an education (Ung i uddannelse)"))
REF_COURSE_DAYS = Reference(155, N_("Average course 155 days (Energi til Hinanden)"))

FOLLOWED = N_(
    "Young people whose course overlaps the period: the course started on or before the "
    "last day, and it had not ended before the first day. A young person counts in the "
    "team of their current guide."
)

FIGURES: tuple[Figure, ...] = (
    Figure("followed", Section.group, N_("Young people followed"), FOLLOWED, Unit.young_people),
    Figure(
        "new_courses",
        Section.group,
        N_("New courses"),
        N_("Young people whose course started in the period."),
        Unit.young_people,
    ),
    Figure(
        "ended_courses",
        Section.group,
        N_("Ended courses"),
        N_("Course ends dated in the period (a course ends once, with an outcome)."),
        Unit.young_people,
    ),
    Figure(
        "long_term_plan",
        Section.group,
        N_("Share with a long-term plan"),
        N_(
            "Of the young people followed, the share whose plan has a destination and at "
            "least three steps that are not deleted (the plan as it is today)."
        ),
        Unit.percent,
    ),
    Figure(
        "outcome_education",
        Section.outcomes,
        N_("Ended in education"),
        N_("Course ends in the period with the outcome education."),
        Unit.young_people,
    ),
    Figure(
        "outcome_job",
        Section.outcomes,
        N_("Ended in a job"),
        N_("Course ends in the period with the outcome job."),
        Unit.young_people,
    ),
    Figure(
        "outcome_other",
        Section.outcomes,
        N_("Ended otherwise"),
        N_("Course ends in the period with the outcome other."),
        Unit.young_people,
    ),
    Figure(
        "positive_destination",
        Section.outcomes,
        N_("Share to a positive destination"),
        N_("Of the course ends in the period, the share with the outcome education or job."),
        Unit.percent,
        (REF_ENERGI, REF_IPS),
    ),
    Figure(
        "started_education",
        Section.outcomes,
        N_("Share who started an education"),
        N_(
            "Of the course ends in the period, the share where the young person registered a "
            "start in education on or before the day the course ended."
        ),
        Unit.percent,
        (REF_UNG_I_UDD,),
    ),
    Figure(
        "days_to_destination",
        Section.outcomes,
        N_("Median days from course start to destination"),
        N_(
            "For course ends in the period with the outcome education or job: the days from "
            "the start of the course to the start in education or job (or to the course end "
            "if no start was registered). The middle value; the mean is shown beside it."
        ),
        Unit.days,
        (REF_COURSE_DAYS,),
    ),
    Figure(
        "who5_measured",
        Section.wellbeing,
        N_("Young people with two or more WHO-5"),
        N_(
            "Of the young people followed, those with at least two WHO-5 check-ins taken in "
            "the half-year."
        ),
        Unit.young_people,
    ),
    Figure(
        "who5_mean_change",
        Section.wellbeing,
        N_("Mean WHO-5 change"),
        N_(
            "For each young person with two or more WHO-5 in the half-year: the latest score "
            "in it minus the first (0-100 scale); the mean of these changes, in whole points."
        ),
        Unit.points,
    ),
    Figure(
        "who5_gain",
        Section.wellbeing,
        N_("Share with a WHO-5 gain of 10 points or more"),
        N_(
            "Of the young people with two or more WHO-5 in the half-year, the share whose "
            "latest score in it is at least 10 points above the first (a change of 10 points "
            "is meaningful)."
        ),
        Unit.percent,
    ),
    Figure(
        "checkin_completion",
        Section.wellbeing,
        N_("Check-in completion rate"),
        N_(
            "For each young person followed: the check-ins expected are the whole cadence "
            "intervals (30 days by default) between the later of course start and the "
            "period's first day and the earlier of course end and the end of the period; the "
            "check-ins done are the WHO-5 taken in the period, at most the number expected. "
            "Done divided by expected, over all young people."
        ),
        Unit.percent,
    ),
    Figure(
        "retained_3m",
        Section.followups,
        N_("Still in education or job after 3 months"),
        N_(
            "Of the starts in education or a job that reached 3 months in the half-year "
            "(began 3 months before a day of it), the share that had not ended by drop-out "
            "within 3 months."
        ),
        Unit.percent,
    ),
    Figure(
        "retained_6m",
        Section.followups,
        N_("Still in education or job after 6 months"),
        N_(
            "Of the starts in education or a job that reached 6 months in the half-year "
            "(began 6 months before a day of it), the share that had not ended by drop-out "
            "within 6 months."
        ),
        Unit.percent,
    ),
    Figure(
        "retained_12m",
        Section.followups,
        N_("Still in education or job after 12 months"),
        N_(
            "Of the starts in education or a job that reached 12 months in the half-year "
            "(began 12 months before a day of it), the share that had not ended by drop-out "
            "within 12 months."
        ),
        Unit.percent,
    ),
    Figure(
        "dropout",
        Section.followups,
        N_("Drop-out share"),
        N_(
            "Of the starts in education or a job running at some time in the period (begun by "
            "its end and not ended before its first day), the share that ended by drop-out "
            "in the period."
        ),
        Unit.percent,
    ),
    Figure(
        "followups_answered",
        Section.followups,
        N_("Follow-ups answered"),
        N_(
            "Of the follow-ups due in the period up to today (not cancelled), the share the "
            "young person answered."
        ),
        Unit.percent,
    ),
    Figure(
        "followups_on_time",
        Section.followups,
        N_("Follow-ups handled on time"),
        N_(
            "Of the follow-ups due in the period whose handling window has closed (three "
            "working days after the due date, the same rule as the call list), the share the "
            "guide handled by the end of the window."
        ),
        Unit.percent,
    ),
    Figure(
        "contact_changes",
        Section.staff,
        N_("Changes of contact person per young person"),
        N_(
            "Changes of guide in the period (a new guide period that is not the young "
            "person's first) of the young people followed, divided by the young people "
            "followed."
        ),
        Unit.per_youth,
    ),
    Figure(
        "youth_with_change",
        Section.staff,
        N_("Young people who changed contact person"),
        N_("Of the young people followed, those with at least one change of guide in the period."),
        Unit.young_people,
    ),
    Figure(
        "caseload_median",
        Section.staff,
        N_("Median caseload per guide"),
        N_(
            "For each active guide in the team or municipality: the young people they were "
            "guide for at the end of the period, whose course had not ended. The middle "
            "value; the practice recommends 12-25 per guide."
        ),
        Unit.per_guide,
    ),
)

BY_ID: dict[str, Figure] = {figure.id: figure for figure in FIGURES}

SUPPRESSION_NOTE = N_(
    "<5: fewer than 5 young people (zero included) are behind this number. –: hidden "
    "because a <5 number could otherwise be worked out from the others. Both protect the "
    "young people."
)


def figure(figure_id: str) -> Figure:
    return BY_ID[figure_id]


DIFFERENCING_NOTE = N_(
    "Key figures are made for whole half-years (January-June and July-December), once the "
    "half-year has ended; no other period can be chosen. Two reports therefore never "
    "overlap, and one cannot be subtracted from another to single out a young person: "
    "WHO-5 changes and retention are counted inside the half-year, each start in one "
    "half-year only. Where two reports you can get (any half-year, your team or the "
    "municipality) follow groups of young people that differ by 1 to 4, the numbers about "
    "the group followed are hidden (–) in both. Only shares (in whole percent) and rounded "
    "means are shown, never the sums behind them."
)

CSV_NOTE = N_(
    "The CSV file opens in Danish Excel: columns separated by semicolons, decimal comma. "
    "Its columns: Section (the part of the report); Key figure (its name); Value (the "
    "number, or <5 and – as on this page); Unit (young people, percent, days, WHO-5 points, "
    "per young person or per guide); Reference (the result from the source documents it "
    "is compared with); Definition (what is counted, as in these footnotes)."
)
