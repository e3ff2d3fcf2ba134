"""Files as the case system's export comes out of Danish Excel, or as a plain CSV."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

DANISH_HEADER = (
    "Navn",
    "Mobil",
    "E-mail",
    "Fødselsdato",
    "Parathed",
    "Vejleders e-mail",
    "Sagsnummer",
)
ENGLISH_HEADER = (
    "Name",
    "Phone",
    "E-mail",
    "Birth date",
    "Readiness group",
    "Guide's e-mail",
    "Case reference",
)
GROUPS = ("aktivitetsparat", "uddannelsesparat", "åbenlyst uddannelsesparat")
NAMES = ("Søren Æbelø", "Åse Møller", "Jens Ørum", "Zoë Bech", "Mikkel Østergård")


def youth_rows(count: int, *, guide_email: str, start: int = 0) -> list[list[str]]:
    """`count` young people with Danish names, numbers, dates and groups."""
    rows = []
    for n in range(start, start + count):
        rows.append(
            [
                f"{NAMES[n % len(NAMES)]} {n}",
                _phone(n),
                f"ung{n}@example.dk" if n % 3 == 0 else "",
                _birth_date(n),
                GROUPS[n % 3],
                guide_email,
                f"SAG-{n:06d}",
            ]
        )
    return rows


def _phone(n: int) -> str:
    """As people type it: 41 00 01 23 (Trinvis stores +4541000123)."""
    return f"41 {n // 10_000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d}"


def _birth_date(n: int) -> str:
    """24-12-2006 and 24.12.2006, the two ways Danish Excel writes a date."""
    sep = "-" if n % 2 else "."
    return f"{1 + n % 28:02d}{sep}{1 + n % 12:02d}{sep}{2000 + n % 8}"


def excel_csv(
    rows: Iterable[Sequence[str]],
    *,
    encoding: str = "cp1252",
    header: Sequence[str] = DANISH_HEADER,
    delimiter: str = ";",
) -> bytes:
    """The bytes Excel writes: `;`, CRLF, quotes where a value needs them; cp1252 or
    UTF-8 with BOM (`utf-8-sig`)."""

    def cell(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(cell(v) for v in row) for row in [header, *rows]]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
