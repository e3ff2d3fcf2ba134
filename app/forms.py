"""Parse submitted fields into a pydantic model, or refuse them field by field.

The messages are translated here, in the language of the request, and the values
the user typed go back with them (`ValidationFailed(errors, values)`) so nothing is lost.

It lives beside `app/errors.py`, outside `app/web/`, because it is pure (a mapping in, a
model or `ValidationFailed` out: no request, no response) and both layers use it: routers
for what was posted, services for fields they take apart themselves (a week of working
hours). What to answer over HTTP is `app/web/form_views.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.errors import ValidationFailed
from app.i18n import N_, gettext

FormModel = TypeVar("FormModel", bound=BaseModel)

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


def parse_form(model: type[FormModel], data: Mapping[str, Any]) -> FormModel:
    """`model` from the fields, trimmed, an empty one as not given; or ValidationFailed."""
    values = {key: value for key, value in data.items() if key != "csrf_token"}
    cleaned = {
        key: (value.strip() if isinstance(value, str) else value) for key, value in values.items()
    }
    # An empty optional field is "not given", not an empty string to validate.
    cleaned = {key: (None if value == "" else value) for key, value in cleaned.items()}
    try:
        return model.model_validate(cleaned)
    except ValidationError as exc:
        raise ValidationFailed(_field_errors(exc), values=values) from exc


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
