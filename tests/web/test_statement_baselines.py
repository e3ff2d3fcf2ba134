"""Each page people open most sends no more SQL statements than its baseline.

After NetBox's `utilities/testing/query_counts.py`: the counts live in
`statement_baselines.json`, one set per dialect. A page that starts sending more fails
here; one that sends fewer passes with a hint to refresh the file:

    TRINVIS_REFRESH_STATEMENT_BASELINES=1 pytest tests/web/test_statement_baselines.py

(and again with `TEST_DATABASE_URL` set, for PostgreSQL's set).

The count is of every statement one request sends through the whole app (the sign-in
check, the page's reads, an audit record), as a served request sends them: the
savepoints of the test's rolled-back transaction are left out.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest

from app.models import Role
from tests.factories.people import make_team, make_user, sign_in, user_of
from tests.factories.workspace import busy_youth
from tests.queries import statements_sent

pytestmark = pytest.mark.time_dependent

BASELINES = Path(__file__).with_name("statement_baselines.json")
REFRESH = os.environ.get("TRINVIS_REFRESH_STATEMENT_BASELINES") == "1"

# (page, role, path): {youth_id} is a young person on the guide's caseload.
PAGES = [
    ("youth_home", Role.youth, "/"),
    ("youth_plan", Role.youth, "/plan"),
    ("youth_messages", Role.youth, "/messages"),
    ("youth_checkins", Role.youth, "/checkins"),
    ("caseload", Role.guide, "/"),
    ("guide_inbox", Role.guide, "/guide/inbox"),
    ("youth_page", Role.guide, "/guide/youth/{youth_id}"),
    ("guide_youth_plan", Role.guide, "/guide/youth/{youth_id}/plan"),
    ("guide_youth_messages", Role.guide, "/guide/youth/{youth_id}/messages"),
    ("guide_youth_checkins", Role.guide, "/guide/youth/{youth_id}/checkins"),
    ("leader_overview", Role.leader, "/"),
]


def _harness(statement: str) -> bool:
    """The test's own transaction: `commit()` in the app releases a savepoint here."""
    return "SAVEPOINT" in statement.upper().split(None, 3)[:3]


async def _counts(client, db, engine, settings, now) -> dict[str, int]:
    team = await make_team(db)
    guide = await make_user(db, Role.guide, team_id=team.id)
    leader = await make_user(db, Role.leader, team_id=team.id)
    young = [await busy_youth(db, guide, now, n) for n in range(3)]
    people = {Role.youth: await user_of(db, young[0]), Role.guide: guide, Role.leader: leader}
    counts = {}
    for name, role, path in PAGES:
        client.cookies.clear()
        await sign_in(client, db, people[role], settings, now)
        url = path.format(youth_id=young[0].id)
        with statements_sent(engine) as sent:
            response = await client.get(url)
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
        counts[name] = sum(1 for statement in sent if not _harness(statement))
    return counts


async def test_pages_send_no_more_statements_than_their_baseline(
    client, db, engine, settings, frozen_clock
):
    dialect = engine.dialect.name
    counts = await _counts(client, db, engine, settings, frozen_clock.now)
    stored = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
    if REFRESH:
        stored[dialect] = counts
        BASELINES.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")
        return
    baseline = stored.get(dialect, {})
    missing = sorted(set(counts) - set(baseline))
    assert not missing, (
        f"no {dialect} baseline for {missing}: run with TRINVIS_REFRESH_STATEMENT_BASELINES=1"
    )
    more = {page: f"{baseline[page]} -> {n}" for page, n in counts.items() if n > baseline[page]}
    assert not more, f"pages now send more SQL statements ({dialect}): {more}"
    fewer = {page: f"{baseline[page]} -> {n}" for page, n in counts.items() if n < baseline[page]}
    if fewer:
        warnings.warn(
            f"pages send fewer statements than their {dialect} baseline {fewer}: refresh "
            "it with TRINVIS_REFRESH_STATEMENT_BASELINES=1",
            stacklevel=1,
        )


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_every_page_has_a_baseline_on_both_databases(dialect):
    stored = json.loads(BASELINES.read_text())
    assert sorted(stored[dialect]) == sorted(name for name, _role, _path in PAGES)
