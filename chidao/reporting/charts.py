"""Server-rendered SVG charts for the reporting dashboards: no JavaScript, so they print and go into PDF.

Pure functions of plain data (no ORM). Numbers are written the Vietnamese way (1.234,5). Colours and
fonts are SVG presentation attributes, which the strict CSP allows (it forbids only style="").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from html import escape as _html_escape

from django.utils.translation import gettext as _

Number = float | Decimal | int

PALETTE = ("#8b1a1a", "#1f5fa8", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f")
AXIS = "#6c757d"
GRID = "#dee2e6"
FONT = 'font-family="system-ui, sans-serif" font-size="11"'
# Characters XML 1.0 forbids even when escaped: a stray control character must not break the chart.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    return _html_escape(_NOT_XML.sub("", text))


def format_number(value: Number | None, decimals: int = 2) -> str:
    """Vietnamese notation: dot between thousands, comma before decimals, trailing zeros dropped."""
    if value is None:
        return "—"
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    text = f"{number:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _scale(values: list[float]) -> tuple[float, float, list[float]]:
    """Axis bounds that include zero, and the tick values between them."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if high - low < 1e-9:  # flat or vanishingly small series: a unit axis, not a log of zero
        high = low + 1
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    count = round((high - low) / step)
    return low, high, [low + i * step for i in range(count + 1)]


def _open(width: int, height: int, title: str) -> str:
    label = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart mw-100 h-auto" role="img" aria-label="{label}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title>{label}</title>'
    )


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[str, Number | None]]]],
    width: int = 480,
    height: int = 220,
    *,
    title: str = "",
) -> str:
    """One line per series over shared x labels (taken from the first series); None leaves a gap."""
    labels = [label for label, _value in series[0][1]] if series else []
    values = [float(v) for _name, points in series for _label, v in points if v is not None]
    left, right, top, bottom = 56, 40, 12, 46 + 16 * ((len(series) + 2) // 3)
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [_open(width, height, title or ", ".join(name for name, _points in series))]
    if not values:
        parts.append(f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" fill="{AXIS}" {FONT}>')
        parts.append(escape(_("Chưa có số liệu")) + "</text></svg>")
        return "".join(parts)
    low, high, ticks = _scale(values)

    def y_of(v: float) -> float:
        return top + plot_h - (v - low) / (high - low) * plot_h

    def x_of(i: int) -> float:
        return left + (plot_w * i / (len(labels) - 1) if len(labels) > 1 else plot_w / 2)

    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS}" {FONT}>{format_number(tick)}</text>'
        )
    # Skip x labels that would overlap (about 6.5 px per character at this font size).
    spacing = plot_w / max(len(labels) - 1, 1)
    every = max(1, math.ceil(max((len(label) for label in labels), default=1) * 6.5 / spacing))
    for i, label in enumerate(labels):
        if (len(labels) - 1 - i) % every == 0:  # always label the latest period
            parts.append(
                f'<text x="{x_of(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="{AXIS}" {FONT}>'
                f"{escape(label)}</text>"
            )
    for n, (name, points) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        path: list[str] = []
        pen_down = False
        for i, (_label, value) in enumerate(points):
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{x_of(i):.1f},{y_of(float(value)):.1f}")
            pen_down = True
        if path:
            parts.append(f'<path class="series" d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, (label, value) in enumerate(points):
            if value is not None:
                parts.append(
                    f'<circle cx="{x_of(i):.1f}" cy="{y_of(float(value)):.1f}" r="3" fill="{colour}">'
                    f"<title>{escape(name)} — {escape(label)}: {format_number(value)}</title></circle>"
                )
        lx = left + (n % 3) * (plot_w / 3)
        ly = top + plot_h + 34 + 16 * (n // 3)
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="12" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 16:.1f}" y="{ly - 4}" fill="#212529" {FONT}>{escape(_short(name, 40))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    rows: Sequence[tuple[str, Number]],
    width: int = 640,
    bar_height: int = 22,
    *,
    title: str = "",
    colour: str = PALETTE[1],
) -> str:
    """Horizontal bars, one per (label, value) row, in the given order, each with its figure."""
    label_w, right, top, gap = 190, 70, 8, 6
    height = top + len(rows) * (bar_height + gap) + 24
    parts = [_open(width, height, title)]
    if not rows:
        parts.append(f'<text x="{width / 2:.0f}" y="{height / 2 + 4:.0f}" text-anchor="middle" fill="{AXIS}" {FONT}>')
        parts.append(escape(_("Chưa có số liệu")) + "</text></svg>")
        return "".join(parts)
    low, high, ticks = _scale([float(v) for _label, v in rows])
    plot_w = width - label_w - right

    def x_of(v: float) -> float:
        return label_w + (v - low) / (high - low) * plot_w

    bottom = top + len(rows) * (bar_height + gap)
    for tick in ticks:
        x = x_of(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" fill="{AXIS}" {FONT}>{format_number(tick)}</text>'
        )
    zero = x_of(0.0)
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_height + gap)
        v = float(value)
        x0, x1 = sorted((zero, x_of(v)))
        text = f"{escape(label)}: {format_number(value)}"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_height / 2 + 4:.1f}" text-anchor="end" fill="#212529" {FONT}>'
            f"{escape(_short(label, 30))}</text>"
        )
        parts.append(
            f'<rect class="bar" x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 0.5):.1f}" height="{bar_height}" '
            f'fill="{colour}"><title>{text}</title></rect>'
        )
        parts.append(
            f'<text x="{max(x1, zero) + 4:.1f}" y="{y + bar_height / 2 + 4:.1f}" fill="#212529" {FONT}>'
            f"{format_number(value)}</text>"
        )
    parts.append(f'<line x1="{zero:.1f}" y1="{top}" x2="{zero:.1f}" y2="{bottom}" stroke="{AXIS}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
