"""The small rules of messaging: safe links, working time, quiet hours."""

from datetime import UTC, datetime

import pytest

from app.services.messages.availability import (
    DEFAULT_WEEK,
    after_quiet_hours,
    is_working,
    next_opening,
    working_minutes_between,
)
from app.web.linkify import linkify

pytestmark = pytest.mark.time_dependent


def test_only_http_links_become_links_and_nothing_is_rendered_as_html():
    html = str(
        linkify("Se https://ug.dk/uddannelser. <script>alert(1)</script> javascript:alert(1)")
    )
    assert '<a href="https://ug.dk/uddannelser" rel="noopener noreferrer nofollow"' in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert 'href="javascript' not in html
    assert str(linkify('"https://x.dk/?a=1&b=2"')).count("&amp;") == 2


def test_a_friday_evening_message_answered_monday_morning_waited_one_working_hour():
    friday_evening = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)  # 19:00 Copenhagen
    monday_nine = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # 09:00 Copenhagen
    assert working_minutes_between(friday_evening, monday_nine, DEFAULT_WEEK) == 60


def test_working_hours_and_the_next_opening_follow_copenhagen_time():
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert not is_working(saturday, DEFAULT_WEEK)
    assert next_opening(saturday, DEFAULT_WEEK) == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    assert is_working(datetime(2026, 7, 1, 6, 30, tzinfo=UTC), DEFAULT_WEEK)  # 08:30 summer


def test_notifications_for_young_people_wait_for_the_end_of_the_quiet_hours():
    evening = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 22:30 Copenhagen
    assert after_quiet_hours(evening) == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    night = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    assert after_quiet_hours(night) == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    day = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert after_quiet_hours(day) == day
