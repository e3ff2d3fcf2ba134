"""Show times in Europe/Copenhagen, in the reader's language."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_time as _format_time

from app.clock import in_copenhagen
from app.i18n import current_locale


def _in_reader_language(fmt: str, locale: str | None = None) -> str:
    """Patterns are written the Danish way ("d. MMMM y 'kl.' HH:mm"); English writes the
    day without a full stop and "at" for "kl." ("27 October 2026 at 08:00")."""
    if (locale or current_locale()) != "en":
        return fmt
    return fmt.replace("d. ", "d ").replace("'kl.'", "'at'")


def format_date(value: date | datetime | None, fmt: str = "d. MMMM y") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = in_copenhagen(value).date()
    return _date_in(value, fmt, current_locale())


def format_datetime(value: datetime | None, fmt: str = "d. MMM y 'kl.' HH:mm") -> str:
    if value is None:
        return ""
    return _datetime_in(in_copenhagen(value), fmt, current_locale())


# Babel looks up month and day names anew on every call (about 0.1 ms each, several on
# every page); the same day in the same pattern and language always reads the same.
@lru_cache(maxsize=4096)
def _date_in(value: date, fmt: str, locale: str) -> str:
    return _format_date(value, format=_in_reader_language(fmt, locale), locale=locale)


@lru_cache(maxsize=4096)
def _datetime_in(value: datetime, fmt: str, locale: str) -> str:
    return _format_datetime(value, format=_in_reader_language(fmt, locale), locale=locale)


def weekday_in_sentence(name: str) -> str:
    """A weekday inside a sentence: Danish writes it in lower case, English capitalised."""
    return name.lower() if current_locale() == "da" else name


def format_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return _format_time(in_copenhagen(value), format="HH:mm", locale=current_locale())


def last_whole_day(ends_at: datetime | None) -> date | None:
    """The last day a period covers when it ends at midnight (Danish time), else None.

    Covers and absences end at the midnight after their last day; people read "til og
    med 5. dec.", not "indtil 6. dec. kl. 00:00".
    """
    if ends_at is None:
        return None
    local = in_copenhagen(ends_at)
    if local.time() != time(0, 0):
        return None
    return local.date() - timedelta(days=1)
