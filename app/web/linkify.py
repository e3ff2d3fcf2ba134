"""Message text as safe HTML: everything escaped, only http(s) addresses become links.

Nothing a person writes is ever rendered as HTML. Links open in a new tab without
handing over the page (`noopener noreferrer`) and without lending our reputation to
the address (`nofollow`).
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
# Punctuation that ends a sentence rather than the address.
TRAILING = ".,;:!?)]}'\""


def linkify(text: str | None) -> Markup:
    if not text:
        return Markup("")
    parts: list[str] = []
    position = 0
    for match in URL.finditer(text):
        url = match.group(0)
        trimmed = url.rstrip(TRAILING)
        # Keep a closing parenthesis that belongs to the address, as in Wikipedia links.
        if url.endswith(")") and trimmed.count("(") > trimmed.count(")"):
            trimmed += ")"
        end = match.start() + len(trimmed)
        parts.append(str(escape(text[position : match.start()])))
        parts.append(
            f'<a href="{escape(trimmed)}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{escape(trimmed)}</a>'
        )
        position = end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))  # noqa: S704  (every piece above is escaped)
