"""Danish is the first language: every text in the code and templates has a Danish
translation, and every translation keeps the placeholders of its message id."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import CATALOG_DIR

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


def danish_catalog() -> dict[str, object]:
    merged: dict[str, object] = {}
    for po_file in sorted((CATALOG_DIR / "da").glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale="da"):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                for msgid in ids:
                    merged[msgid] = message.string
    return merged


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
