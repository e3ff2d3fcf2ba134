"""Draw Trinvis's app icons with the standard library only (no Pillow).

The mark is a rounded square in the theme colour with three ascending white
steps — "trin for trin". Run from anywhere:

    python static/icons/make_icons.py

It rewrites icon-192.png, icon-512.png, icon-maskable-512.png,
apple-touch-icon-180.png and favicon.svg beside this file, and prints the
contrast of white on the theme colour (it must stay >= 4.5:1, WCAG AA).
"""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent

THEME = "#0b5563"
WHITE = "#ffffff"

# A shape is a rectangle in unit coordinates with its own corner radii:
# (x0, y0, x1, y1, (top_left, top_right, bottom_right, bottom_left)).
Corners = tuple[float, float, float, float]
Rect = tuple[float, float, float, float, Corners]

# A staircase of three steps climbing to the right, drawn as one silhouette.
STEP_LEFT, STEP_RIGHT = 0.22, 0.78
STEP_TOP, STEP_BOTTOM = 0.25, 0.75
STEP_RADIUS = 0.035


def staircase_outline(scale: float = 1.0) -> list[tuple[float, float]]:
    """Corners of the staircase, clockwise from the bottom-left."""
    w = (STEP_RIGHT - STEP_LEFT) / 3
    h = (STEP_BOTTOM - STEP_TOP) / 3
    left, bottom = STEP_LEFT, STEP_BOTTOM
    points = [
        (left, bottom),
        (left, bottom - h),
        (left + w, bottom - h),
        (left + w, bottom - 2 * h),
        (left + 2 * w, bottom - 2 * h),
        (left + 2 * w, STEP_TOP),
        (STEP_RIGHT, STEP_TOP),
        (STEP_RIGHT, bottom),
    ]
    return [(0.5 + (x - 0.5) * scale, 0.5 + (y - 0.5) * scale) for x, y in points]


def staircase_bands(scale: float = 1.0) -> list[Rect]:
    """The staircase as three horizontal bands that do not overlap.

    Only the outer (convex) corners are rounded; the two inner corners stay
    sharp, which is what keeps the silhouette reading as steps.
    """
    pts = staircase_outline(scale)
    r = STEP_RADIUS * scale
    (left, bottom), (_, y1), (x1, _), (_, y2), (x2, _), (_, top), (right, _), _ = pts
    return [
        (x2, top, right, y2, (r, r, 0.0, 0.0)),
        (x1, y2, right, y1, (r, 0.0, 0.0, 0.0)),
        (left, y1, right, bottom, (r, 0.0, r, r)),
    ]


def rounded_square(radius: float) -> Rect:
    return (0.0, 0.0, 1.0, 1.0, (radius, radius, radius, radius))


def _inset(radius: float, dy: float) -> float:
    return radius - (max(radius * radius - dy * dy, 0.0)) ** 0.5


def _span(r: Rect, y: float) -> tuple[float, float] | None:
    """The x-interval of shape r on the horizontal line y, if any."""
    x0, y0, x1, y1, (tl, tr, br, bl) = r
    if y < y0 or y >= y1:
        return None
    left = right = 0.0
    if y < y0 + tl:
        left = _inset(tl, y0 + tl - y)
    if y > y1 - bl:
        left = _inset(bl, y - (y1 - bl))
    if y < y0 + tr:
        right = _inset(tr, y0 + tr - y)
    if y > y1 - br:
        right = _inset(br, y - (y1 - br))
    return (x0 + left, x1 - right)


def coverage(shapes: Iterable[Rect], size: int, subrows: int = 8) -> list[list[float]]:
    """Anti-aliased coverage (0..1) per pixel of the union of non-overlapping shapes.

    Exact horizontally, supersampled vertically: fast enough in pure Python.
    """
    shapes = list(shapes)
    grid = [[0.0] * size for _ in range(size)]
    weight = 1.0 / subrows
    for py in range(size):
        row = grid[py]
        for sub in range(subrows):
            y = (py + (sub + 0.5) / subrows) / size
            for shape in shapes:
                span = _span(shape, y)
                if span is None:
                    continue
                a, b = span[0] * size, span[1] * size
                first, last = int(a), min(int(b), size - 1)
                for px in range(max(first, 0), last + 1):
                    covered = min(b, px + 1) - max(a, px)
                    if covered > 0:
                        row[px] += covered * weight
    return [[min(v, 1.0) for v in row] for row in grid]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def render(size: int, background: Rect, mark: list[Rect]) -> bytes:
    """RGBA rows: the theme-coloured background with the white mark on top."""
    bg = coverage([background], size)
    fg = coverage(mark, size)
    (tr, tg, tb), (wr, wg, wb) = _rgb(THEME), _rgb(WHITE)
    raw = bytearray()
    for y in range(size):
        raw.append(0)  # PNG filter type "none" for this row
        for x in range(size):
            m = min(fg[y][x], bg[y][x])
            raw += bytes(
                (
                    round(tr + (wr - tr) * m),
                    round(tg + (wg - tg) * m),
                    round(tb + (wb - tb) * m),
                    round(255 * bg[y][x]),
                )
            )
    return bytes(raw)


def write_png(path: Path, size: int, rgba_rows: bytes) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rgba_rows, 9))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(png)


def favicon_svg() -> str:
    """The same staircase as an SVG path, convex corners rounded like the PNGs."""
    pts = [(x * 64, y * 64) for x, y in staircase_outline()]
    r = STEP_RADIUS * 64
    path = []
    for i, (vx, vy) in enumerate(pts):
        (px, py), (nx, ny) = pts[i - 1], pts[(i + 1) % len(pts)]
        # Clockwise on screen (y down): a right turn is an outer corner.
        convex = (vx - px) * (ny - vy) - (vy - py) * (nx - vx) > 0
        if not convex:
            path.append(f"L{vx:.2f} {vy:.2f}")
            continue
        ax, ay = _towards(vx, vy, px, py, r)
        bx, by = _towards(vx, vy, nx, ny, r)
        path.append(f"{'M' if i == 0 else 'L'}{ax:.2f} {ay:.2f}")
        path.append(f"Q{vx:.2f} {vy:.2f} {bx:.2f} {by:.2f}")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" rx="14" fill="{THEME}"/>'
        f'<path fill="{WHITE}" d="{"".join(path)}Z"/></svg>\n'
    )


def _towards(x: float, y: float, tx: float, ty: float, dist: float) -> tuple[float, float]:
    length = ((tx - x) ** 2 + (ty - y) ** 2) ** 0.5
    return x + (tx - x) * dist / length, y + (ty - y) * dist / length


def relative_luminance(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def main() -> int:
    ratio = contrast_ratio(WHITE, THEME)
    print(f"contrast {WHITE} on {THEME}: {ratio:.2f}:1 (WCAG AA needs 4.5:1)")
    if ratio < 4.5:
        print("theme colour too light for white text", file=sys.stderr)
        return 1

    rounded = rounded_square(0.22)  # "any" icons: own rounded corners
    full_bleed = rounded_square(0.0)  # platforms that crop do the rounding
    # Maskable: everything that matters must sit inside the central circle of
    # radius 0.4; at scale 0.8 the staircase corners are 0.30 from the centre.
    icons = [
        ("icon-192.png", 192, rounded, staircase_bands()),
        ("icon-512.png", 512, rounded, staircase_bands()),
        ("icon-maskable-512.png", 512, full_bleed, staircase_bands(0.8)),
        ("apple-touch-icon-180.png", 180, full_bleed, staircase_bands()),  # iOS: no alpha
    ]
    for name, size, background, mark in icons:
        write_png(HERE / name, size, render(size, background, mark))
        print(f"wrote {name} ({size}x{size})")
    (HERE / "favicon.svg").write_text(favicon_svg(), encoding="utf-8")
    print("wrote favicon.svg")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
