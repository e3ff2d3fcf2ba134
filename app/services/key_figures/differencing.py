"""No subtracting one report from another to learn about fewer than 5 young people.

Most figures rest on what happened inside the half-year (course starts and ends, WHO-5
taken in it, follow-ups due in it), so two half-years' reports share nothing to subtract.
The figures over the young people *followed* do not: a young person followed in two
half-years counts in both (how many by readiness group, the share with a long-term
plan). When two reports a leader can get (any half-year offered, own team or the whole
municipality) follow groups that differ by 1 to 4 young people, one minus the other
would tell about those few. Then those cells are protected (hidden as "–", and not to be
worked out from the others) in this report; the other report makes the same check
against this one, so both hide them.
"""

from __future__ import annotations

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import ReadinessGroup
from app.services.key_figures.period import Period, ScopeKind, half_years_offered
from app.services.key_figures.scope import Scope, followed_youth_ids, rows
from app.services.key_figures.suppression import THRESHOLD

# The cells counted over the young people followed (see `cells.cells_of`).
FOLLOWED_CELLS = frozenset(
    {
        *(f"followed.{group.value}" for group in ReadinessGroup),
        "followed.total",
        "plan.with",
        "plan.without",
        "who5.unmeasured",
        "change.without",
    }
)

ReportKey = tuple[ScopeKind, str]  # (scope, half-year key)


async def followed_groups(
    db: AsyncSession, *, scopes: dict[ScopeKind, Scope], today: date
) -> dict[ReportKey, frozenset[int]]:
    """For every report the leader can get: the ids of the young people it follows."""
    groups: dict[ReportKey, frozenset[int]] = {}
    for kind, scope in scopes.items():
        for half in half_years_offered(today):
            period = Period(half.start, half.end, today)
            ids = await rows(db, followed_youth_ids(scope, period))
            groups[(kind, half.key)] = frozenset(row[0] for row in ids)
    return groups


def protect_followed(groups: dict[ReportKey, frozenset[int]], mine: ReportKey) -> frozenset[str]:
    """The followed cells, when another report follows a group 1-4 young people away."""
    own = groups.get(mine, frozenset())
    for key, other in groups.items():
        if key != mine and 0 < len(own ^ other) < THRESHOLD:
            return FOLLOWED_CELLS
    return frozenset()
