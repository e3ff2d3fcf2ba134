"""Every colour pair in our stylesheet meets WCAG 2.1 AA contrast (the list and the
check live with the CSS, in static/css/check_contrast.py)."""

import subprocess
import sys

from app.paths import STATIC_DIR


def test_every_colour_pair_in_the_stylesheet_meets_aa_contrast():
    result = subprocess.run(
        [sys.executable, str(STATIC_DIR / "css" / "check_contrast.py")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
