"""Check the colour pairs listed at the top of trinvis.css against WCAG 2.1 AA.

The comment block at the top of the stylesheet is the list: each line names a
kind (``text`` needs 4.5:1, ``ui`` needs 3:1), two custom properties and the
ratio we claim. This recomputes every ratio from the values in ``:root`` and
fails if one is too low or no longer matches the comment.

    python static/css/check_contrast.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CSS = Path(__file__).resolve().parent / "trinvis.css"
MINIMUM = {"text": 4.5, "ui": 3.0}

PAIR = re.compile(r"^\s*\*\s+(text|ui)\s+(--[\w-]+)\s+on\s+(--[\w-]+)\s+([\d.]+):1\s*$")
VARIABLE = re.compile(r"(--color-[\w-]+)\s*:\s*(#[0-9a-fA-F]{6})\s*;")


def relative_luminance(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    h = hex_colour.lstrip("#")
    r, g, b = (channel(int(h[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def main() -> int:
    text = CSS.read_text(encoding="utf-8")
    header, _, _ = text.partition("*/")
    colours = dict(VARIABLE.findall(text))
    failures = 0
    pairs = 0
    for line in header.splitlines():
        match = PAIR.match(line)
        if not match:
            continue
        pairs += 1
        kind, fg, bg, claimed = match.groups()
        ratio = contrast_ratio(colours[fg], colours[bg])
        ok = ratio >= MINIMUM[kind] and f"{ratio:.2f}" == claimed
        failures += not ok
        flag = "ok  " if ok else "FAIL"
        print(
            f"{flag} {kind:<4} {fg} {colours[fg]} on {bg} {colours[bg]}: "
            f"{ratio:.2f}:1 (comment says {claimed}:1)"
        )
    if pairs == 0:
        print("no colour pairs found in the header comment", file=sys.stderr)
        return 1
    print(f"{pairs - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
