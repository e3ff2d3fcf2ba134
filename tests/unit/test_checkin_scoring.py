"""WHO-5 and the readiness self-assessment: scoring, alert rules and kind words, as data."""

import pytest

from app.services.checkins.instruments import read_files

DEFINITIONS = {d.code: d for d in read_files()}
WHO5 = DEFINITIONS["who5"]
READINESS = DEFINITIONS["readiness"]


def who5(*values: int) -> dict[str, int]:
    return {f"q{i + 1}": v for i, v in enumerate(values)}


@pytest.mark.parametrize(
    ("values", "raw", "score"),
    [
        ((0, 0, 0, 0, 0), 0, 0),
        ((1, 0, 0, 0, 0), 1, 4),
        ((3, 3, 2, 2, 2), 12, 48),
        ((3, 3, 3, 2, 2), 13, 52),
        ((2, 2, 1, 1, 1), 7, 28),
        ((2, 2, 2, 1, 1), 8, 32),
        ((5, 5, 5, 5, 4), 24, 96),
        ((5, 5, 5, 5, 5), 25, 100),
    ],
)
def test_who5_score_is_the_raw_sum_times_four(values, raw, score):
    assert WHO5.score(who5(*values)) == (raw, score)


def test_who5_has_the_exact_danish_wording_and_six_answer_steps():
    assert str(WHO5.intro.da) == "I de sidste 2 uger …"
    assert [i.text.da for i in WHO5.items] == [
        "… har jeg været glad og i godt humør",
        "… har jeg følt mig rolig og afslappet",
        "… har jeg følt mig aktiv og energisk",
        "… er jeg vågnet frisk og udhvilet",
        "… har min dagligdag været fyldt med ting der interesserer mig",
    ]
    assert [(s.value, s.label.da) for s in WHO5.scale] == [
        (5, "Hele tiden"),
        (4, "Det meste af tiden"),
        (3, "Lidt mere end halvdelen af tiden"),
        (2, "Lidt mindre end halvdelen af tiden"),
        (1, "Lidt af tiden"),
        (0, "På intet tidspunkt"),
    ]


@pytest.mark.parametrize(
    ("raw", "score"), [(0, 0), (1, 3), (2, 6), (16, 50), (17, 53), (31, 97), (32, 100)]
)
def test_readiness_scales_its_raw_sum_to_0_100_rounding_half_up(raw, score):
    keys = [item.key for item in READINESS.items]
    values = dict.fromkeys(keys, 0)
    for i in range(raw):
        values[keys[i % len(keys)]] += 1
    assert READINESS.score(values) == (raw, score)


@pytest.mark.parametrize(
    ("score", "previous", "expected"),
    [
        (100, None, []),
        (52, None, []),
        (51, None, []),
        (50, None, ["screen_further"]),
        (29, None, ["screen_further"]),
        (28, None, ["urgent"]),
        (0, None, ["urgent"]),
        (60, 69, []),
        (60, 70, ["marked_fall"]),
        (60, 100, ["marked_fall"]),
        (48, 56, ["screen_further"]),
        (48, 58, ["screen_further", "marked_fall"]),
        (24, 40, ["urgent", "marked_fall"]),
        (80, 40, []),
    ],
)
def test_who5_alert_rules(score, previous, expected):
    assert WHO5.alert_kinds(score, previous) == expected


def test_the_first_check_in_never_raises_a_marked_fall():
    assert "marked_fall" not in WHO5.alert_kinds(0, None)


def test_readiness_raises_no_threshold_alerts_only_a_large_fall():
    assert READINESS.alert_kinds(0, None) == []
    assert READINESS.alert_kinds(40, 59) == []
    assert READINESS.alert_kinds(40, 60) == ["marked_fall"]


@pytest.mark.parametrize(
    ("score", "suggests"), [(0, True), (28, True), (50, True), (52, False), (100, False)]
)
def test_low_who5_gently_suggests_talking_to_the_guide(score, suggests):
    assert WHO5.feedback_for(score).suggest_guide is suggests


DIAGNOSIS_WORDS = ("depression", "depri", "diagnos", "syg", "ill", "disorder", "lidelse", "angst")


def test_feedback_for_young_people_uses_no_diagnosis_language():
    for definition in DEFINITIONS.values():
        for band in definition.feedback:
            for text in (band.text.da, band.text.en):
                assert not any(word in text.lower() for word in DIAGNOSIS_WORDS), text


def test_readiness_is_quarterly_and_who5_follows_the_young_persons_cadence():
    assert READINESS.due_after_days(youth_cadence_days=30) == 91
    assert WHO5.due_after_days(youth_cadence_days=30) == 30
    assert WHO5.due_after_days(youth_cadence_days=14) == 14
