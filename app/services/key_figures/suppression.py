"""Small-cell suppression: no published number may tell about fewer than 5 young people.

Primary suppression hides every cell below the threshold (zero included, so "<5" never
tells whether anyone is in the cell). Secondary suppression then hides more cells until
no small cell can be worked out from the shown ones through the report's additive
relations (a total and its parts). "Worked out" is decided exactly: a hidden cell is
recoverable when its value follows from the relations by linear algebra, i.e. its unit
vector lies in the row space of the relations restricted to the hidden cells.

Pure functions, no database: `tests/unit/test_key_figures_suppression.py` checks them,
including by brute force that a small cell has more than one possible value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

THRESHOLD = 5


@dataclass(frozen=True)
class Relation:
    """`total` is the sum of `parts`."""

    total: str
    parts: tuple[str, ...]

    @property
    def cells(self) -> tuple[str, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Suppressed:
    primary: frozenset[str]  # below the threshold: shown as "<5"
    secondary: frozenset[str]  # hidden so that a primary cell cannot be worked out

    @property
    def hidden(self) -> frozenset[str]:
        return self.primary | self.secondary


def suppress(
    cells: Mapping[str, int],
    relations: Sequence[Relation],
    threshold: int = THRESHOLD,
    protect: frozenset[str] = frozenset(),
) -> Suppressed:
    """The cells to hide: those below `threshold`, and enough others that no small cell
    can be worked out (a secondary cell may be: it tells about 5 or more).

    A reader knows a "<5" cell lies in 0-4 and a secondary one is 5 or more, so a small
    cell also counts as recoverable when those bounds pin it to one value. `protect`
    names cells of 5 or more that must stay hidden and unrecoverable all the same (shown
    as secondary): a cell that, next to another view the reader has, would give away a
    small number (see `cross_view_protect`).
    """
    relations = [r for r in relations if all(c in cells for c in r.cells)]
    primary = frozenset(name for name, value in cells.items() if value < threshold)
    guarded = primary | (protect & frozenset(cells))
    hidden = set(guarded)
    while True:
        exposed = _exposed(cells, primary, hidden, relations) & guarded
        if not exposed:
            return Suppressed(primary, frozenset(hidden - primary))
        extra = _next_to_hide(min(exposed), hidden, cells, guarded, relations, primary)
        if extra is None:  # nothing left to hide around it: hide every related cell
            hidden.update(c for r in relations for c in r.cells)
            return Suppressed(primary, frozenset(hidden - primary))
        hidden.add(extra)


def _exposed(
    cells: Mapping[str, int],
    primary: frozenset[str],
    hidden: set[str],
    relations: Sequence[Relation],
) -> set[str]:
    return recoverable(hidden, relations) | pinned(cells, primary, hidden, relations)


def pinned(
    cells: Mapping[str, int],
    primary: frozenset[str],
    hidden: set[str],
    relations: Sequence[Relation],
    threshold: int = THRESHOLD,
) -> set[str]:
    """Hidden cells whose bounds (0-4 for "<5", 5 or more otherwise) leave one value.

    Interval propagation over the relations until nothing changes.
    """
    infinity = float("inf")
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for name in cells:
        if name not in hidden:
            low[name] = high[name] = cells[name]
        elif name in primary:
            low[name], high[name] = 0, threshold - 1
        else:
            low[name], high[name] = threshold, infinity
    for _ in range(4 * len(cells) + 4):
        changed = False
        for r in relations:
            bounds = [(r.total, sum(low[p] for p in r.parts), sum(high[p] for p in r.parts))] + [
                (
                    p,
                    low[r.total] - sum(high[q] for q in r.parts if q != p),
                    high[r.total] - sum(low[q] for q in r.parts if q != p),
                )
                for p in r.parts
            ]
            for name, lo, hi in bounds:
                if lo > low[name]:
                    low[name], changed = lo, True
                if hi < high[name]:
                    high[name], changed = hi, True
        if not changed:
            break
    return {name for name in hidden if name in low and low[name] == high[name]}


def _next_to_hide(
    exposed: str,
    hidden: set[str],
    cells: Mapping[str, int],
    guarded: frozenset[str],
    relations: Sequence[Relation],
    primary: frozenset[str],
) -> str | None:
    """A shown cell sharing a relation with the exposed one: a part before a total, then
    the one that leaves the fewest guarded cells exposed, then the smallest (least lost)."""
    candidates = _shown_around(exposed, hidden, relations)
    if not candidates:
        return None
    totals = {r.total for r in relations}

    def cost(name: str) -> tuple[bool, int, int, str]:
        left = _exposed(cells, primary, hidden | {name}, relations) & guarded
        return (name in totals, len(left), cells[name], name)

    return min(candidates, key=cost)


def _shown_around(exposed: str, hidden: set[str], relations: Sequence[Relation]) -> set[str]:
    """The shown cells of the relations nearest the exposed cell: its own relations, or,
    when all their cells are hidden already, those reached through hidden cells."""
    reached, frontier = {exposed}, {exposed}
    while frontier:
        near = [r for r in relations if frontier & set(r.cells)]
        shown = {name for r in near for name in r.cells if name not in hidden}
        if shown:
            return shown
        frontier = {name for r in near for name in r.cells} - reached
        reached |= frontier
    return set()


def recoverable(hidden: set[str] | frozenset[str], relations: Sequence[Relation]) -> set[str]:
    """The hidden cells whose value follows from the shown cells and the relations.

    Each relation, restricted to the hidden cells, is one linear equation in them; a
    hidden cell is determined exactly when the reduced row echelon form of the system
    has a row that is that cell alone. Solved per connected group of hidden cells.
    """
    equations = []
    for relation in relations:
        row: dict[str, int] = {}
        for sign, name in [(1, relation.total), *((-1, p) for p in relation.parts)]:
            if name in hidden:
                row[name] = row.get(name, 0) + sign
        row = {name: k for name, k in row.items() if k}
        if row:
            equations.append(row)
    found: set[str] = set()
    for component in _components(equations):
        names = sorted({name for row in component for name in row})
        matrix = [[Fraction(row.get(name, 0)) for name in names] for row in component]
        for reduced in _row_echelon(matrix):
            nonzero = [i for i, value in enumerate(reduced) if value]
            if len(nonzero) == 1:
                found.add(names[nonzero[0]])
    return found


def _components(equations: list[dict[str, int]]) -> list[list[dict[str, int]]]:
    """Equations grouped so that no two groups share a cell."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    for row in equations:
        first, *others = row
        for name in others:
            parent[root(name)] = root(first)
    groups: dict[str, list[dict[str, int]]] = {}
    for row in equations:
        groups.setdefault(root(next(iter(row))), []).append(row)
    return list(groups.values())


def _row_echelon(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    """The non-zero rows of the reduced row echelon form (Gauss-Jordan, exact fractions)."""
    matrix = [list(row) for row in rows]
    pivot_row = 0
    width = len(matrix[0]) if matrix else 0
    for column in range(width):
        pivot = next((r for r in range(pivot_row, len(matrix)) if matrix[r][column]), None)
        if pivot is None:
            continue
        matrix[pivot_row], matrix[pivot] = matrix[pivot], matrix[pivot_row]
        lead = matrix[pivot_row][column]
        matrix[pivot_row] = [value / lead for value in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][column]:
                factor = matrix[r][column]
                matrix[r] = [
                    a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)
                ]
        pivot_row += 1
    return matrix[:pivot_row]


def cross_view_protect(
    whole: Mapping[str, int], part: Mapping[str, int], threshold: int = THRESHOLD
) -> frozenset[str]:
    """Cells of the whole (the municipality) to keep hidden from a reader who also sees
    one part of it (their own team): where whole minus part, the rest of the teams,
    counts fewer than `threshold` young people, showing the whole would give that small
    number away by subtraction."""
    return frozenset(
        name
        for name, value in whole.items()
        if name in part and value >= threshold and value - part[name] < threshold
    )
