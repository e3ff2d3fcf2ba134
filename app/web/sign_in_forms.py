"""Form fields shared by signing in with a code and changing one's phone or e-mail."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel

from app.i18n import N_
from app.services.identity import one_time_codes


def _address(value: str) -> str:
    if one_time_codes.parse_address(value) is None:
        raise ValueError(N_("Please write your phone number or e-mail address."))
    return value


def _code(value: str) -> str:
    digits = value.replace(" ", "")
    if not (len(digits) == 6 and digits.isdigit()):
        raise ValueError(N_("The code has 6 digits."))
    return digits


PhoneOrEmail = Annotated[str, AfterValidator(_address)]
SixDigitCode = Annotated[str, AfterValidator(_code)]


class AddressForm(BaseModel):
    address: PhoneOrEmail


class CodeForm(AddressForm):
    code: SixDigitCode


class ConfirmForm(BaseModel):
    code: SixDigitCode
