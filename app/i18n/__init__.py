"""Danish first, English second, through gettext catalogs.

Message ids in code and templates are English. Each area keeps its Danish catalog in
`app/i18n/da/<area>.po`; all files of a language are merged at start-up, so areas
never edit the same catalog. English needs no catalog: the message id is the text.
The current language lives in a context variable set once per request.
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("da", "en")
DEFAULT_LOCALE = "da"
LOCALE_NAMES = {"da": "Dansk", "en": "English"}
CATALOG_DIR = Path(__file__).parent

_current: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)


def normalise_locale(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()[:2]
    return value if value in LOCALES else None


def set_locale(locale: str) -> contextvars.Token[str]:
    return _current.set(normalise_locale(locale) or DEFAULT_LOCALE)


def current_locale() -> str:
    return _current.get()


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    folder = CATALOG_DIR / locale
    merged: _gettext.NullTranslations = _gettext.NullTranslations()
    files = sorted(folder.glob("*.po")) if folder.is_dir() else []
    catalogs = []
    for po_file in files:
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        buffer = BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        catalogs.append(_gettext.GNUTranslations(buffer))
    if catalogs:
        # One table rather than a chain of fallbacks: a page looks up a few hundred
        # texts, and each miss walked the chain of area catalogs. Every message id has
        # one translation across the files (a test checks), so the union is the same.
        merged = catalogs[0]
        table = merged._catalog  # type: ignore[attr-defined]
        for extra in catalogs[1:]:
            for key, text in extra._catalog.items():  # type: ignore[attr-defined]
                table.setdefault(key, text)
    return merged


def gettext(message: str, **params: object) -> str:
    text = translations(current_locale()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


def template_gettext(message: str) -> str:
    """For Jinja's newstyle gettext, which fills the placeholders itself."""
    return translations(current_locale()).gettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a message id for extraction where it is translated later, when shown."""
    return message
