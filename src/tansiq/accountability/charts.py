"""Charts drawn on the server as SVG: no script, readable in print and by screen readers.

Horizontal bars, one row per authority or checkpoint, so that long names (Arabic or English)
fit on a phone. In a right-to-left page the chart is mirrored: names on the right, bars
growing leftwards. Every chart carries a title and a description that says its numbers in
words (``role="img"``), every bar its value in text, and the series differ in lightness and
pattern as well as colour, so a black-and-white print still tells them apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 480
LABEL_WIDTH = 150
VALUE_ROOM = 52
ROW_HEIGHT = 34
BAR_HEIGHT = 22
LEGEND_LINE = 24


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    fill: str
    pattern: bool = False  # hatched, to tell it apart in grey


@dataclass(frozen=True)
class Bar:
    label: str
    values: dict[str, float]


def _x(position: float, rtl: bool) -> float:
    return WIDTH - position if rtl else position


def bar_chart(
    ident: str,
    title: str,
    bars: Sequence[Bar],
    series: Sequence[Series],
    *,
    rtl: bool,
    stacked: bool,
    shown: Callable[[float], str],
    summary: str,
) -> Markup:
    """One chart; ``shown`` writes a value as the reader reads numbers; ``summary`` is the
    chart's numbers in words, for screen readers."""
    row_height = ROW_HEIGHT if stacked else ROW_HEIGHT + (len(series) - 1) * (BAR_HEIGHT + 2)
    legend, head = _legend(ident, series, rtl)
    height = head + max(1, len(bars)) * row_height + 8
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    largest = max(
        (
            sum(bar.values.get(s.key, 0) for s in series)
            if stacked
            else max((bar.values.get(s.key, 0) for s in series), default=0)
            for bar in bars
        ),
        default=0,
    )
    scale = room / largest if largest > 0 else 0.0
    out = [
        f'<svg class="chart" id="{escape(ident)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(ident)}-title {escape(ident)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="16" '
        f'direction="{"rtl" if rtl else "ltr"}">',
        f'<title id="{escape(ident)}-title">{escape(title)}</title>',
        f'<desc id="{escape(ident)}-desc">{escape(summary)}</desc>',
        f'<defs><pattern id="{escape(ident)}-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#f4c27a"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#7a4a00" stroke-width="2"/></pattern>'
        "</defs>",
    ]
    out.extend(legend)
    for index, bar in enumerate(bars):
        y = head + index * row_height
        anchor = "start"  # from the right edge in a right-to-left chart
        out.append(
            f'<text x="{_x(4, rtl):.0f}" y="{y + BAR_HEIGHT - 5}" text-anchor="{anchor}">'
            f"{escape(_clip(bar.label))}</text>"
        )
        offset = float(LABEL_WIDTH)
        for position, item in enumerate(series):
            value = bar.values.get(item.key, 0)
            length = value * scale
            top = y if stacked else y + position * (BAR_HEIGHT + 2)
            left = _x(offset + length, rtl) if rtl else offset
            fill = f"url(#{escape(ident)}-hatch)" if item.pattern else item.fill
            if length > 0:
                out.append(
                    f'<rect x="{left:.1f}" y="{top}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                    f'fill="{fill}" stroke="#1b1b1b" stroke-width="0.6"/>'
                )
            if not stacked:
                out.append(_value(offset + length + 4, top, shown(value), rtl))
            else:
                offset += length
        if stacked:
            total = sum(bar.values.get(s.key, 0) for s in series)
            out.append(_value(offset + 4, y, shown(total), rtl))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above went through escape()


def _value(position: float, top: float, text: str, rtl: bool) -> str:
    anchor = "start"  # from the right edge in a right-to-left chart
    return (
        f'<text x="{_x(position, rtl):.1f}" y="{top + BAR_HEIGHT - 4}" text-anchor="{anchor}" '
        f'font-weight="bold">{escape(text)}</text>'
    )


def _legend(ident: str, series: Sequence[Series], rtl: bool) -> tuple[list[str], int]:
    """The legend's shapes, wrapped onto as many lines as it needs, and its height."""
    parts: list[str] = []
    position, line = 4.0, 0
    anchor = "start"  # from the right edge in a right-to-left chart
    for item in series:
        width = 30 + 8.5 * len(item.label)
        if position > 4 and position + width > WIDTH:
            position, line = 4.0, line + 1
        top = 8 + line * LEGEND_LINE
        fill = f"url(#{escape(ident)}-hatch)" if item.pattern else item.fill
        left = _x(position + 16, rtl) if rtl else position
        parts.append(
            f'<rect x="{left:.0f}" y="{top}" width="16" height="16" fill="{fill}" '
            'stroke="#1b1b1b" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{_x(position + 22, rtl):.0f}" y="{top + 14}" text-anchor="{anchor}">'
            f"{escape(item.label)}</text>"
        )
        position += width
    return parts, 8 + (line + 1) * LEGEND_LINE


def _clip(label: str, most: int = 15) -> str:
    """A name short enough for the label column (the full name is in the table below)."""
    return label if len(label) <= most else label[: most - 1] + "…"
