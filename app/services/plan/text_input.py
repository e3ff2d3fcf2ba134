"""Input types for the plan area's forms."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator


def _blank_as_empty(value: object) -> object:
    # `parse_form` turns an empty field into None; for a required text that must read
    # as "fill in this field" (too short), not as a wrong type.
    return "" if value is None else value


RequiredText = Annotated[str, BeforeValidator(_blank_as_empty)]
