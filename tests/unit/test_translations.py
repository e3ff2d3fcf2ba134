"""Danish is the first language: every text in the code and templates has a Danish
translation, and every translation keeps the placeholders of its message id."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import CATALOG_DIR, translations

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
OPTIONS = {"app/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map=OPTIONS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def danish_entries() -> list[tuple[str, str, object]]:
    """(file, message id, translation) in the order the app loads them."""
    entries = []
    for po_file in sorted((CATALOG_DIR / "da").glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale="da"):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                entries += [(po_file.name, msgid, message.string) for msgid in dict.fromkeys(ids)]
    return entries


def danish_catalog() -> dict[str, object]:
    """The catalog as the app merges it: the first file that has an id wins."""
    merged: dict[str, object] = {}
    for _file, msgid, translation in danish_entries():
        merged.setdefault(msgid, translation)
    return merged


def test_each_text_is_translated_in_one_place_only():
    # Two areas translating one id would disagree sooner or later, and the app would
    # silently show whichever file loads first.
    places: dict[str, list[str]] = {}
    for po_file, msgid, _translation in danish_entries():
        places.setdefault(msgid, []).append(po_file)
    twice = {msgid: files for msgid, files in places.items() if len(files) > 1}
    assert not twice, "Translated in more than one catalog:\n" + "\n".join(
        f"  {msgid!r}: {', '.join(files)}" for msgid, files in sorted(twice.items())
    )


def test_the_app_shows_the_catalogs_translation():
    catalog = translations("da")
    assert catalog.gettext("Change") == "Ændring"  # a column heading: the noun
    assert catalog.gettext("Send a code") == "Send en kode"


def test_every_text_has_a_danish_translation():
    catalog = danish_catalog()
    missing = {
        msgid: where
        for msgid, where in extracted_messages().items()
        if not catalog.get(msgid) or catalog[msgid] in ("", ("", ""))
    }
    assert not missing, "Missing Danish translations:\n" + "\n".join(
        f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda i: i[1])
    )


def test_translations_keep_their_placeholders():
    for msgid, translation in danish_catalog().items():
        strings = translation if isinstance(translation, tuple) else (translation,)
        for text in strings:
            if text:
                assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(msgid)) | {
                    "num"
                }, msgid
