"""The one family of domain errors. Services raise these, never HTTPException.

Messages are gettext message ids (English); they are translated when rendered, in the
language of the person who sees them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.i18n import N_


class AppError(Exception):
    status_code = 400
    message = N_("Something went wrong. Please try again.")

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.message = message or type(self).message
        self.params = params
        super().__init__(self.message)


class NotFound(AppError):
    status_code = 404
    message = N_("We could not find that page.")


class Forbidden(AppError):
    status_code = 403
    message = N_("You do not have access to this.")


class SignInRequired(AppError):
    status_code = 401
    message = N_("Please sign in first.")


class Conflict(AppError):
    """Someone else changed the thing first; the user must look again."""

    status_code = 409
    message = N_("This was changed by someone else meanwhile.")


class RateLimited(AppError):
    status_code = 429
    message = N_("Too many tries. Please wait a little and try again.")

    def __init__(self, retry_after_seconds: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = max(1, int(retry_after_seconds))


class ValidationFailed(AppError):
    """Input was refused: the errors are per field, the values are what the user typed."""

    status_code = 422
    message = N_("Please check the fields marked below.")

    def __init__(
        self,
        errors: Mapping[str, str],
        values: Mapping[str, Any] | None = None,
        message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.errors = dict(errors)
        self.values = dict(values or {})
