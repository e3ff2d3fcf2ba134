"""Time comes from the app's clock (app/clock.py), never from the machine's date.

A page, a job, the demo or a test that asks the machine for the date passes on the day
it was written and fails on another; `make test-time-travel` would catch it only where a
time-travel test happens to pass through it. This reads every Python file instead.
"""

import re
from pathlib import Path

import pytest

from app.paths import ROOT_DIR

pytestmark = pytest.mark.time_dependent

MACHINE_CLOCK = re.compile(
    r"\b(?:datetime\.(?:now|utcnow|today)|date\.today|time\.time|time\.localtime)\("
)
# The clock itself. A protocol timestamp that another party checks against its own real
# clock (a VAPID token's expiry, an ID token's age) says so on its line: "outside clock".
ALLOWED = {"app/clock.py", "tests/unit/test_time_comes_from_the_app_clock.py"}
EXCUSE = "# outside clock:"
# The local peers stand in for outside services (OIDC provider, push service, SMTP):
# they live on real time, as the real ones do.
OUTSIDE = ("tests/peers/",)


def python_files() -> list[Path]:
    return [
        path
        for folder in ("app", "tests", "bench", "migrations")
        for path in (ROOT_DIR / folder).rglob("*.py")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]


def test_nothing_reads_the_machines_date_instead_of_the_app_clock():
    found = []
    for path in python_files():
        name = path.relative_to(ROOT_DIR).as_posix()
        if name in ALLOWED or name.startswith(OUTSIDE):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if MACHINE_CLOCK.search(line) and EXCUSE not in line:
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "use app.clock.utcnow() / copenhagen_today():\n" + "\n".join(found)


def test_the_check_sees_a_machine_date():
    assert MACHINE_CLOCK.search("today = date.today()")
    assert MACHINE_CLOCK.search("now = datetime.now(UTC)")
    assert not MACHINE_CLOCK.search("now = utcnow()")
