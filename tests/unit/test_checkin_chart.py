"""The trend is drawn on the server: scores land inside the box, thresholds where they belong."""

from datetime import UTC, datetime, timedelta

from app.services.checkins.charts import COMPACT, trend_chart

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def test_scores_land_inside_the_box_oldest_left_and_high_scores_on_top():
    chart = trend_chart(
        [(T0 + timedelta(days=30 * n), s) for n, s in enumerate([80, 50, 24])], rules=[50, 28]
    )
    xs = [p.x for p in chart.points]
    assert xs == sorted(xs) and xs[0] == chart.left and xs[-1] == chart.right
    top, middle, low = (p.y for p in chart.points)
    assert chart.top <= top < middle < low <= chart.bottom
    rule_50, rule_28 = chart.rules
    assert rule_50.y == middle  # the 50 line passes through the score of 50
    assert rule_28.y < low
    assert [t.day.month for t in chart.ticks] == [2, 3]


def test_a_single_check_in_is_drawn_in_the_middle():
    chart = trend_chart([(T0, 60)], size=COMPACT)
    assert chart.width == COMPACT[0]
    assert abs(chart.points[0].x - (chart.left + chart.right) / 2) < 0.01
    assert chart.rules == []
