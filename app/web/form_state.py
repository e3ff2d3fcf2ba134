"""What a form shows: the values typed, the errors next to fields, and its client key.

One carrier for every form page: `FormState()` for a fresh form, `FormState.refused(...)`
when `app/web/form_views.handle_form` shows it again.

The client key is made when the form is rendered and sent back as a hidden field; the
database keeps it unique, so a double tap or a retried submit creates one record.
A form shown again after an error keeps its key, so fixing and resending is still once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.errors import ValidationFailed
from app.services.client_keys import new_client_key, valid_client_key


@dataclass
class FormState:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    client_key: str = field(default_factory=new_client_key)

    @staticmethod
    def fresh_key() -> str:
        """A key for one more form of the same kind on the page (e.g. a reply per note)."""
        return new_client_key()

    @classmethod
    def typed(cls, form: Mapping[str, Any]) -> FormState:
        """The form as the person sent it, with its key."""
        values = {k: v for k, v in form.items() if k != "csrf_token"}
        return cls(values=values, client_key=client_key_of(form))

    @classmethod
    def refused(cls, refusal: ValidationFailed, form: Mapping[str, Any]) -> FormState:
        """The form again with the refusal's messages, and the values the refusal carries
        (a service may put back what it made of the input), or else what was typed."""
        state = cls.typed(form)
        state.errors = refusal.errors
        state.values = refusal.values or state.values
        return state


def client_key_of(form: Mapping[str, Any]) -> str:
    """The form's key, or a fresh one for a client that sent none."""
    return valid_client_key(form.get("client_key")) or new_client_key()
