"""Reading the case system's export: the file as Danish Excel or a plain CSV writes it.

Pure: bytes in, rows out (no database). Excel in Danish saves "CSV (semikolonsepareret)"
with `;` and Windows-1252, or UTF-8 with a byte-order mark; other tools write `,` and
UTF-8. Dates come as 24-12-2026, 24.12.2026 or 2026-12-24. The header row names the
columns in Danish or English; the order does not matter, unknown columns are ignored.

A problem with the whole file (no header, a missing column, not a CSV) is a
`ValidationFailed` on the `file` field; a problem with one row is that row's reason, a
message id with its parameters, so the preview can show it in the admin's language.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from app.errors import ValidationFailed
from app.i18n import N_, gettext
from app.models import ReadinessGroup
from app.services.identity.one_time_codes import parse_address

# Below the 1 MB a plain form may post (app/security/csrf.py), with room for the form.
MAX_BYTES = 900_000
MAX_ROWS = 5_000
FIELDS = ("name", "phone", "email", "birth_date", "readiness_group", "guide_email", "case_ref")
REQUIRED = ("name", "birth_date", "readiness_group", "guide_email", "case_ref")

# Header names as people write them, reduced by `_key` (lower case, letters and digits only).
_HEADER_NAMES = {
    "name": ("navn", "fuldenavn", "fuldtnavn", "name", "fullname"),
    "phone": (
        "telefon",
        "telefonnummer",
        "tlf",
        "tlfnr",
        "mobil",
        "mobilnummer",
        "mobiltelefon",
        "mobilnr",
        "phone",
        "phonenumber",
        "mobile",
        "mobilephone",
    ),
    "email": ("email", "mail", "emailadresse", "emailaddress"),
    "birth_date": ("fødselsdato", "født", "fødselsdag", "birthdate", "dateofbirth", "born"),
    "readiness_group": (
        "parathed",
        "parathedsgruppe",
        "målgruppe",
        "visitationsgruppe",
        "gruppe",
        "readinessgroup",
        "readiness",
        "group",
    ),
    "guide_email": (
        "vejledersemail",
        "vejlederemail",
        "vejledermail",
        "vejleder",
        "guidesemail",
        "guideemail",
        "guidemail",
        "guide",
    ),
    "case_ref": (
        "sagsnummer",
        "sagsnr",
        "sagsreference",
        "sagsid",
        "reference",
        "ref",
        "casereference",
        "caseref",
        "casenumber",
        "caseid",
        "casesystemsreference",
    ),
}
HEADERS = {name: column for column, names in _HEADER_NAMES.items() for name in names}

_GROUP_NAMES = {
    ReadinessGroup.obviously_ready: (
        "åbenlystuddannelsesparat",
        "åbenlystparat",
        "obviouslyready",
        "obviouslyeducationready",
    ),
    ReadinessGroup.education_ready: ("uddannelsesparat", "educationready"),
    ReadinessGroup.activity_ready: ("aktivitetsparat", "activityready"),
}
GROUPS = {name: group for group, names in _GROUP_NAMES.items() for name in names}

COLUMN_LABELS = {
    "name": N_("Name"),
    "phone": N_("Mobile number"),
    "email": N_("E-mail"),
    "birth_date": N_("Date of birth"),
    "readiness_group": N_("Readiness group"),
    "guide_email": N_("Guide's e-mail"),
    "case_ref": N_("Case reference"),
}

_DANISH_DATE = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Row:
    """One data row: its line in the file, the values read, or why it cannot be used."""

    line: int
    values: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # a message id
    params: dict[str, object] = field(default_factory=dict)

    def refuse(self, reason: str, **params: object) -> None:
        if self.reason is None:
            self.reason, self.params = reason, params


@dataclass
class ReadFile:
    rows: list[Row]
    ignored_columns: list[str]


def _file_error(message: str, **params: object) -> ValidationFailed:
    text = gettext(message) % params if params else gettext(message)
    return ValidationFailed({"file": text}, {})


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252."""
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _file_error(
            N_(
                "This is an Excel workbook, not a CSV file. In Excel, choose Save as and "
                "CSV (semicolon separated)."
            )
        )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _file_error(
                N_("The file's characters could not be read. Save it as CSV again.")
            ) from None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise _file_error(
            N_("The file's characters could not be read. Save it as CSV again.")
        ) from None


def _delimiter(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda sep: counts[sep])


def read_file(content: bytes, *, today: date) -> ReadFile:
    """The rows of an uploaded file, each read or refused; `ValidationFailed` for the file."""
    if not content.strip():
        raise _file_error(N_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise _file_error(
            N_("The file is too large (at most 900 kB). Split it into smaller files.")
        )
    text = decode(content)
    if "\x00" in text:
        raise _file_error(
            N_("This is not a CSV file. In Excel, choose Save as and CSV (semicolon separated).")
        )
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = _delimiter(first)
    if first.lower().startswith("sep=") and len(first.strip()) == 5:
        # Excel's own hint line ("sep=;") names the separator; the header comes after it.
        delimiter = first.strip()[4]
        text = text.replace(first, " " * len(first), 1)  # blank: line numbers stay
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    columns: dict[int, str] = {}
    ignored: list[str] = []
    rows: list[Row] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # Excel writes empty rows as ";;;;"
            if header is None:
                header = cells
                columns, ignored = _columns(header)
                continue
            if len(rows) >= MAX_ROWS:
                raise _file_error(
                    N_("The file has more than 5000 rows. Split it into smaller files.")
                )
            rows.append(_row(reader.line_num, cells, columns, today=today))
    except csv.Error:
        raise _file_error(
            N_("The file could not be read as CSV near line %(line)s."), line=reader.line_num
        ) from None
    if header is None or not rows:
        raise _file_error(N_("The file has no rows below the header row."))
    _refuse_repeats(rows)
    return ReadFile(rows, ignored)


def _columns(header: list[str]) -> tuple[dict[int, str], list[str]]:
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        column = HEADERS.get(_key(name))
        if column is None or column in columns.values():
            if name.strip():
                ignored.append(name.strip()[:60])
            continue
        columns[index] = column
    missing = [c for c in REQUIRED if c not in columns.values()]
    if "phone" not in columns.values() and "email" not in columns.values():
        missing.append("phone")
    if missing:
        names = ", ".join(gettext(COLUMN_LABELS[c]) for c in missing)
        raise _file_error(
            N_("The header row has no column for: %(columns)s. See the list of column names."),
            columns=names,
        )
    return columns, ignored


def _row(line: int, cells: list[str], columns: dict[int, str], *, today: date) -> Row:
    row = Row(line)
    raw = {column: "" for column in FIELDS}
    for index, column in columns.items():
        if index < len(cells):
            raw[column] = _CONTROL.sub(" ", cells[index]).strip()
    row.values["name"] = " ".join(raw["name"].split())[:120]
    if not row.values["name"]:
        row.refuse(N_("The name is missing."))
    elif len(raw["name"]) > 120:
        row.refuse(N_("The name is too long (at most 120 characters)."))
    _contact(row, raw)
    birth = parse_date(raw["birth_date"])
    if birth is None:
        row.refuse(N_("The date of birth is missing or not a date like 24-12-2006."))
    elif not date(1990, 1, 1) <= birth <= today:
        row.refuse(N_("Please check the date of birth."))
    else:
        row.values["birth_date"] = birth.isoformat()
    group = GROUPS.get(_key(raw["readiness_group"]))
    if group is None:
        row.refuse(
            N_(
                "The readiness group must be åbenlyst uddannelsesparat, uddannelsesparat or "
                "aktivitetsparat."
            )
        )
    else:
        row.values["readiness_group"] = group.value
    guide = parse_address(raw["guide_email"])
    if guide is None or guide.kind != "email":
        row.refuse(N_("The guide's e-mail is missing or not an e-mail address."))
    else:
        row.values["guide_email"] = guide.value
    if not raw["case_ref"]:
        row.refuse(N_("The case reference is missing."))
    elif len(raw["case_ref"]) > 64:
        row.refuse(N_("The case reference is too long (at most 64 characters)."))
    else:
        row.values["case_ref"] = raw["case_ref"]
    return row


def _contact(row: Row, raw: dict[str, str]) -> None:
    if raw["phone"]:
        phone = parse_address(raw["phone"])
        if phone is None or phone.kind != "phone":
            row.refuse(N_("The mobile number is not a phone number."))
        else:
            row.values["phone"] = phone.value
    if raw["email"]:
        email = parse_address(raw["email"])
        if email is None or email.kind != "email":
            row.refuse(N_("The e-mail is not an e-mail address."))
        else:
            row.values["email"] = email.value
    if not raw["phone"] and not raw["email"]:
        row.refuse(N_("A mobile number or an e-mail is needed to send the invitation."))


def parse_date(text: str) -> date | None:
    """24-12-2006, 24.12.2006, 24/12/2006 or 2006-12-24; None otherwise."""
    text = text.strip()
    try:
        if found := _DANISH_DATE.fullmatch(text):
            day, month, year = (int(part) for part in found.groups())
            return date(year, month, day)
        if found := _ISO_DATE.fullmatch(text):
            year, month, day = (int(part) for part in found.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None


def _refuse_repeats(rows: list[Row]) -> None:
    """A case reference, phone or e-mail on two rows: the later row is refused."""
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        for column in ("case_ref", "phone", "email"):
            value = row.values.get(column)
            if not value:
                continue
            first = seen.setdefault((column, value.casefold()), row.line)
            if first != row.line:
                label = COLUMN_LABELS[column]
                row.refuse(
                    N_("The same %(column)s is also on line %(line)s."), column=label, line=first
                )
