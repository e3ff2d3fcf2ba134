"""The case system's file as Danish Excel writes it: every row read or refused with its
line number and a reason; a file that is not usable is refused as a whole."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import ValidationFailed
from app.services.onboarding.csv_file import parse_date, read_file
from tests.factories.onboarding import ENGLISH_HEADER, excel_csv, youth_rows

TODAY = date(2026, 3, 2)
GUIDE = "vejleder@kommune.dk"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_danish_excel_file_is_read_with_its_letters_dates_and_groups(encoding):
    read = read_file(excel_csv(youth_rows(3, guide_email=GUIDE), encoding=encoding), today=TODAY)
    assert [row.reason for row in read.rows] == [None, None, None]
    first, second, _third = read.rows
    assert first.line == 2 and second.line == 3
    assert first.values == {
        "name": "Søren Æbelø 0",
        "phone": "+4541000000",
        "email": "ung0@example.dk",
        "birth_date": "2000-01-01",  # 01.01.2000
        "readiness_group": "activity_ready",
        "guide_email": GUIDE,
        "case_ref": "SAG-000000",
    }
    assert second.values["birth_date"] == "2001-02-02"  # 02-02-2001
    assert second.values["readiness_group"] == "education_ready"
    assert "email" not in second.values


def test_comma_separated_utf8_with_english_headers_in_another_order():
    header = [*list(reversed(ENGLISH_HEADER)), "Notes"]
    rows = [[*list(reversed(row)), "ignored"] for row in youth_rows(2, guide_email=GUIDE)]
    read = read_file(excel_csv(rows, encoding="utf-8", header=header, delimiter=","), today=TODAY)
    assert [row.values["case_ref"] for row in read.rows] == ["SAG-000000", "SAG-000001"]
    assert read.ignored_columns == ["Notes"]


def test_each_bad_row_says_why_with_its_line_and_the_others_are_kept():
    rows = youth_rows(6, guide_email=GUIDE)
    rows[0][3] = "31-02-2006"  # no such date
    rows[1][0] = ""  # no name
    rows[2][4] = "klar"  # no such group
    rows[3][1], rows[3][2] = "", ""  # no way to send the invitation
    rows[4][6] = rows[5][6]  # the same case reference twice
    read = read_file(excel_csv(rows), today=TODAY)
    reasons = {row.line: row.reason for row in read.rows}
    assert reasons[2] == "The date of birth is missing or not a date like 24-12-2006."
    assert reasons[3] == "The name is missing."
    assert reasons[4] is not None and reasons[4].startswith("The readiness group must be")
    assert reasons[5] == "A mobile number or an e-mail is needed to send the invitation."
    assert reasons[6] is None  # the first of the two keeps its row
    assert reasons[7] == "The same %(column)s is also on line %(line)s."
    assert read.rows[5].params == {"column": "Case reference", "line": 6}


def test_a_quoted_value_with_a_semicolon_and_empty_excel_rows():
    rows = youth_rows(1, guide_email=GUIDE)
    rows[0][0] = "Hansen; Ida"
    data = excel_csv([*rows, [""] * 7], encoding="cp1252")
    read = read_file(data, today=TODAY)
    assert len(read.rows) == 1 and read.rows[0].values["name"] == "Hansen; Ida"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "Filen er tom."),
        (b"PK\x03\x04 workbook", "Det er en Excel-projektmappe, ikke en CSV-fil."),
        (
            "Navn;Mobil\r\nIda;20112233\r\n".encode("cp1252"),
            "mangler en kolonne til: Fødselsdato, Målgruppe, Vejleders e-mail, Sagsnummer.",
        ),
        (excel_csv([]), "Filen har ingen rækker under overskriftsrækken."),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_as_a_whole_in_danish(content, says):
    with pytest.raises(ValidationFailed) as refused:
        read_file(content, today=TODAY)
    assert says in refused.value.errors["file"]


def test_danish_and_iso_dates():
    assert parse_date("24-12-2006") == parse_date("24.12.2006") == date(2006, 12, 24)
    assert parse_date("2006-12-24") == date(2006, 12, 24)
    assert parse_date("2/3/2007") == date(2007, 3, 2)
    assert parse_date("24-12-06") is None and parse_date("30.02.2006") is None


def test_excel_separator_hint_line_is_followed():
    content = b"sep=;\r\n" + excel_csv(youth_rows(2, guide_email=GUIDE))
    read = read_file(content, today=TODAY)
    assert [row.line for row in read.rows] == [3, 4]  # the lines as Excel shows them
    assert all(row.reason is None for row in read.rows)
