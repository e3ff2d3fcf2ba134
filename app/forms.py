"""Parse submitted fields into a pydantic model, or refuse them field by field.

The messages are translated here, in the language of the request, and the values
the user typed go back with them (`ValidationFailed(errors, values)`) so nothing is lost.

It lives beside `app/errors.py`, outside `app/web/`, because it is pure (a mapping in, a
model or `ValidationFailed` out: no request, no response) and both layers use it: routers
for what was posted, services for fields they take apart themselves (a week of working
hours). What to answer over HTTP is `app/web/form_views.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from app.errors import ValidationFailed
from app.i18n import N_, gettext

FormModel = TypeVar("FormModel", bound=BaseModel)

# Bounds every form, query and path value keeps, whatever its model says: the largest
# integer PostgreSQL's INTEGER holds (SQLite's is larger), and the years a date may name,
# so arithmetic on it (a year of follow-ups, an age) never leaves Python's date range.
MAX_INT = 2**31 - 1
# A number typed in a form or sent by a button stays well inside that, so a service may
# still count on from it (a step's version + 1) without leaving the column's range.
MAX_NUMBER = 999_999_999
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
# No text field takes control characters: PostgreSQL refuses NUL in text, and CR/LF
# would split a header. Tab and line breaks are how people write, so they stay.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_MESSAGES = {
    "missing": N_("Please fill in this field."),
    # An empty field is parsed as None, which a required text field reports as a type error.
    "string_type": N_("Please fill in this field."),
    "string_too_short": N_("Please fill in this field."),
    "string_too_long": N_("This is too long (at most %(max_length)s characters)."),
    "date_from_datetime_parsing": N_("Please write a date like 2026-03-31."),
    "date_parsing": N_("Please write a date like 2026-03-31."),
    "date_from_datetime_inexact": N_("Please write a date like 2026-03-31."),
    "time_parsing": N_("Please write a time like 14:30."),
    "int_parsing": N_("Please write a whole number."),
    "int_type": N_("Please write a whole number."),
    "greater_than_equal": N_("The number must be at least %(ge)s."),
    "less_than_equal": N_("The number must be at most %(le)s."),
    "enum": N_("Please choose one of the options."),
    "literal_error": N_("Please choose one of the options."),
    "string_pattern_mismatch": N_("Please check what you wrote here."),
}
CONTROL_MESSAGE = N_("This contains a character we cannot save. Please remove it.")
NUMBER_MESSAGE = N_("This number is too large.")
DATE_MESSAGE = N_("Please write a date between %(earliest)s and %(latest)s.")
TIME_MESSAGE = N_("Please write a time like 14:30.")


def parse_form(model: type[FormModel], data: Mapping[str, Any]) -> FormModel:
    """`model` from the fields, trimmed, an empty one as not given; or ValidationFailed."""
    values = {key: value for key, value in data.items() if key != "csrf_token"}
    cleaned = {
        key: (value.strip() if isinstance(value, str) else value) for key, value in values.items()
    }
    # An empty optional field is "not given", not an empty string to validate.
    cleaned = {key: (None if value == "" else value) for key, value in cleaned.items()}
    refuse_control_characters(values)
    # Checked before the model's own validators, which compare and add: a time with a
    # zone against one without, or a day after 9999-12-31, would fail there unrefused.
    errors = {
        name: message
        for name, value in cleaned.items()
        if isinstance(value, str) and (message := _raw_out_of_bounds(model, name, value))
    }
    if errors:
        raise ValidationFailed(errors, values=values)
    try:
        parsed = model.model_validate(cleaned)
    except ValidationError as exc:
        raise ValidationFailed(_field_errors(exc), values=values) from exc
    errors = {
        name: message
        for name in type(parsed).model_fields
        if (message := out_of_bounds(getattr(parsed, name)))
    }
    if errors:
        raise ValidationFailed(errors, values=values)
    return parsed


def plain_int(raw: str) -> int | None:
    """A number written with the digits 0-9 only and within MAX_NUMBER, else None.

    `str.isdigit()` is true for "²" and "١٢", which `int()` then refuses or reads.
    """
    text = raw.strip()
    if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_NUMBER)):
        number = int(text)
        return number if number <= MAX_NUMBER else None
    return None


def refuse_control_characters(data: Mapping[str, Any]) -> None:
    """ValidationFailed for each field whose text holds a control character (NUL, ...)."""
    errors = {
        str(key): gettext(CONTROL_MESSAGE)
        for key, value in _items(data)
        if isinstance(value, str) and CONTROL.search(value)
    }
    if errors:
        raise ValidationFailed(errors, values=dict(data.items()))


def out_of_bounds(value: Any) -> str | None:
    """The message for a parsed value outside what the app can store or compute with."""
    if isinstance(value, list | tuple | set | frozenset):
        return next(filter(None, (out_of_bounds(item) for item in value)), None)
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not -MAX_NUMBER <= value <= MAX_NUMBER:
        return gettext(NUMBER_MESSAGE)
    if isinstance(value, date) and not EARLIEST <= _day(value) <= LATEST:
        return gettext(DATE_MESSAGE) % {"earliest": EARLIEST.year, "latest": LATEST.year}
    if isinstance(value, time) and value.tzinfo is not None:
        # Times are lived in Copenhagen: a time with a zone of its own is not one we ask for.
        return gettext(TIME_MESSAGE)
    return None


def _raw_out_of_bounds(model: type[BaseModel], name: str, raw: str) -> str | None:
    field = model.model_fields.get(name)
    kind = plain_type(field.annotation) if field is not None else None
    readers: dict[Any, Any] = {date: date.fromisoformat, time: time.fromisoformat}
    reader = readers.get(kind)
    if kind is int:
        digits = raw.removeprefix("-")
        if digits.isascii() and digits.isdigit() and plain_int(digits) is None:
            return gettext(NUMBER_MESSAGE)
        return None
    if reader is None:
        return None
    try:
        return out_of_bounds(reader(raw))
    except ValueError:
        return None  # not a date or time at all: the model says so in its own words


def plain_type(annotation: Any) -> Any:
    """`int` for `Annotated[int | None, ...]` and the like; the first of a union."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        inner = [arg for arg in get_args(annotation) if arg is not type(None)]
        return plain_type(inner[0]) if len(inner) == 1 else annotation
    return annotation


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _items(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Every value, also each of a multi-valued field (a form's `getlist`)."""
    multi = getattr(data, "multi_items", None)
    return list(multi()) if callable(multi) else list(data.items())


def _field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__all__"
        if field in errors:
            continue
        kind = error["type"]
        ctx = dict(error.get("ctx") or {})
        template = _MESSAGES.get(kind, N_("Please check what you wrote here."))
        if kind == "value_error":
            # A validator's message is itself a message id.
            reason = str(ctx.get("error", "")) or N_("Please check what you wrote here.")
            errors[field] = gettext(reason)
            continue
        try:
            errors[field] = gettext(template) % ctx if ctx else gettext(template)
        except (KeyError, TypeError, ValueError):
            errors[field] = gettext(template)
    return errors
