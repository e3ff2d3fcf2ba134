"""Small-cell suppression: fewer than 5 is shown as "<5", and no hidden cell can be worked
out from the shown ones. Checked by brute force: every hidden cell must have more than
one value that fits the shown cells, the relations and what the markers say (0-4 for
"<5", 5 or more for a secondary "-"). A secondary cell may be worked out: it tells about
5 or more young people."""

import itertools

from app.services.key_figures.suppression import Relation, recoverable, suppress

OUTCOMES = [
    Relation("ended", ("education", "job", "other")),
    Relation("positive", ("education", "job")),
]


def possible_values(cells, relations, result, bound=40):
    """For each hidden cell, every value it can take in some consistent table."""
    hidden = sorted(result.hidden)
    ranges = [range(0, 5) if name in result.primary else range(5, bound) for name in hidden]
    seen = {name: set() for name in hidden}
    for guess in itertools.product(*ranges):
        table = {**cells, **dict(zip(hidden, guess, strict=True))}
        if all(table[r.total] == sum(table[p] for p in r.parts) for r in relations):
            for name, value in zip(hidden, guess, strict=True):
                seen[name].add(value)
    return seen


def assert_not_recoverable(cells, relations):
    result = suppress(cells, relations)
    for name, values in possible_values(cells, relations, result).items():
        if name in result.primary:
            assert len(values) > 1, f"{name} can be worked out: {values}"
    return result


def test_cells_below_five_are_hidden_zero_included():
    result = suppress({"a": 0, "b": 4, "c": 5, "d": 17}, [])
    assert result.primary == {"a", "b"}
    assert not result.secondary


def test_a_lone_small_part_takes_a_second_part_with_it():
    # total 20 = 3 + 10 + 7: hiding only the 3 gives it away as 20 - 10 - 7.
    cells = {"total": 20, "a": 3, "b": 10, "c": 7}
    result = assert_not_recoverable(cells, [Relation("total", ("a", "b", "c"))])
    assert result.primary == {"a"}
    assert result.secondary == {"c"}  # the smallest other part, not the total


def test_a_small_total_hides_a_part_too():
    # total 4 = 2 + 2: both parts are small, the total too: all "<5".
    result = suppress({"total": 4, "a": 2, "b": 2}, [Relation("total", ("a", "b"))])
    assert result.hidden == {"total", "a", "b"}


def test_nested_relations_cannot_be_subtracted_along_another_path():
    # education 3 is small. Hiding job as well keeps positive = education + job from
    # giving it away, and ended - positive = other still hides nothing.
    cells = {"ended": 20, "education": 3, "job": 10, "other": 7, "positive": 13}
    result = assert_not_recoverable(cells, OUTCOMES)
    assert result.primary == {"education"}
    assert result.secondary == {"job"}


def test_the_other_outcome_small_hides_the_positive_count_as_well():
    # other 2 is small: ended - positive would give it, so a second cell must go.
    cells = {"ended": 14, "education": 6, "job": 6, "other": 2, "positive": 12}
    result = assert_not_recoverable(cells, OUTCOMES)
    assert "other" in result.primary
    assert result.secondary


def test_two_small_cells_that_can_only_be_four_each_are_protected():
    # total 13 = 4 + 4 + 5: two "<5" cells summing to 8 must both be 4.
    cells = {"total": 13, "a": 4, "b": 4, "c": 5}
    result = assert_not_recoverable(cells, [Relation("total", ("a", "b", "c"))])
    assert result.secondary == {"c"}


def test_zeros_summing_to_zero_are_protected():
    # total 10 = 10 + 0 + 0: the two zeros would be known to be 0.
    cells = {"total": 10, "a": 10, "b": 0, "c": 0}
    result = assert_not_recoverable(cells, [Relation("total", ("a", "b", "c"))])
    assert result.hidden == {"a", "b", "c"}


def test_a_readiness_table_with_its_totals():
    # Followed, new and ended by three readiness groups, each column with a total.
    groups = ("obvious", "ready", "activity")
    cells = {}
    relations = []
    for column, values in {"followed": (6, 13, 21), "new": (6, 11, 3), "ended": (1, 0, 9)}.items():
        for group, value in zip(groups, values, strict=True):
            cells[f"{column}.{group}"] = value
        cells[f"{column}.total"] = sum(values)
        relations.append(Relation(f"{column}.total", tuple(f"{column}.{g}" for g in groups)))
    result = assert_not_recoverable(cells, relations)
    assert not {"followed.obvious", "followed.ready", "followed.activity"} & result.hidden
    assert {"new.activity", "ended.obvious", "ended.ready"} <= result.primary


def test_recoverable_finds_a_cell_given_away_by_subtraction():
    relations = [Relation("t", ("a", "b"))]
    assert recoverable({"a"}, relations) == {"a"}
    assert recoverable({"a", "b"}, relations) == set()
