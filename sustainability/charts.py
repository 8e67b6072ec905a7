"""Server-rendered inline SVG of the monthly ratio and hours (no JavaScript, no CDN).

Pure: takes the monthly points, returns markup. Bars stack billable and
non-billable cell hours per month (left axis); the line is the ratio and the
dashed line the target (right axis, percent).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from sustainability.calculations import MonthPoint, percent

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 48, 16, 40
BILLABLE_COLOUR = "#3b6fd8"
NON_BILLABLE_COLOUR = "#e08a2e"
RATIO_COLOUR = "#b3261e"
TARGET_COLOUR = "#555"


def _nice_max(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(10)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = magnitude * Decimal(str(step))
        if top >= value:
            return top
    return value


def monthly_chart_svg(points: Sequence[MonthPoint], *, title: str) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="ratio-chart" role="img" aria-labelledby="chart-title" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg" data-months="{len(points)}">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    if not points:
        parts.append(f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle">No months</text></svg>')
        return "".join(parts)
    hours_max = _nice_max(max(p.totals.billable_cell + p.totals.non_billable_cell for p in points))
    highest: Decimal = max(
        [Decimal(50)]
        + [p.ratio * 100 for p in points if p.ratio is not None]
        + [p.target * 100 for p in points if p.target is not None]
    )
    pct_max = min(Decimal(100), highest // 10 * 10 + 10)
    slot = Decimal(plot_w) / len(points)
    bar_w = max(Decimal(2), slot * Decimal("0.6"))

    def y_hours(value: Decimal) -> Decimal:
        return TOP + plot_h - value / hours_max * plot_h

    def y_pct(value: Decimal) -> Decimal:
        return TOP + plot_h - value / pct_max * plot_h

    # Axes and grid.
    for i in range(5):
        frac = Decimal(i) / 4
        y = TOP + plot_h - frac * plot_h
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e8f0"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{hours_max * frac:.0f} h</text>'
        )
        parts.append(
            f'<text x="{LEFT + plot_w + 6}" y="{y + 4:.1f}" font-size="11">{pct_max * frac:.0f}%</text>'
        )
    label_every = max(1, len(points) // 12)
    line: list[str] = []
    target_line: list[str] = []
    for i, p in enumerate(points):
        cx = LEFT + slot * i + slot / 2
        x = cx - bar_w / 2
        b, n = p.totals.billable_cell, p.totals.non_billable_cell
        yb = y_hours(b)
        yn = y_hours(b + n)
        ratio_text = f"{percent(p.ratio)}%" if p.ratio is not None else "undefined"
        tip = escape(f"{p.month:%b %Y}: {b} h billable, {n} h non-billable, ratio {ratio_text}")
        parts.append(
            f'<g class="month" data-month="{p.month:%Y-%m}"><title>{tip}</title>'
            f'<rect x="{x:.1f}" y="{yb:.1f}" width="{bar_w:.1f}" height="{TOP + plot_h - yb:.1f}" '
            f'fill="{BILLABLE_COLOUR}"/>'
            f'<rect x="{x:.1f}" y="{yn:.1f}" width="{bar_w:.1f}" height="{yb - yn:.1f}" '
            f'fill="{NON_BILLABLE_COLOUR}"/></g>'
        )
        if p.ratio is not None:
            line.append(f"{cx:.1f},{y_pct(p.ratio * 100):.1f}")
        if p.target is not None:
            # A step per month, so a single month still shows its target.
            ty = y_pct(p.target * 100)
            target_line.append(f"{cx - slot / 2:.1f},{ty:.1f} {cx + slot / 2:.1f},{ty:.1f}")
        if i % label_every == 0:
            parts.append(
                f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11">'
                f"{p.month:%b %y}</text>"
            )
    if target_line:
        parts.append(
            f'<polyline class="target" points="{" ".join(target_line)}" fill="none" '
            f'stroke="{TARGET_COLOUR}" stroke-dasharray="6 4" stroke-width="1.5"/>'
        )
    if line:
        parts.append(
            f'<polyline class="ratio" points="{" ".join(line)}" fill="none" stroke="{RATIO_COLOUR}" stroke-width="2"/>'
        )
        for point in line:
            px, py = point.split(",")
            parts.append(f'<circle cx="{px}" cy="{py}" r="3" fill="{RATIO_COLOUR}"/>')
    legend_y = HEIGHT - 8
    parts.append(
        f'<g font-size="11"><rect x="{LEFT}" y="{legend_y - 9}" width="10" height="10" fill="{BILLABLE_COLOUR}"/>'
        f'<text x="{LEFT + 14}" y="{legend_y}">billable cell h</text>'
        f'<rect x="{LEFT + 120}" y="{legend_y - 9}" width="10" height="10" fill="{NON_BILLABLE_COLOUR}"/>'
        f'<text x="{LEFT + 134}" y="{legend_y}">non-billable cell h</text>'
        f'<line x1="{LEFT + 270}" x2="{LEFT + 290}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{RATIO_COLOUR}" '
        f'stroke-width="2"/><text x="{LEFT + 294}" y="{legend_y}">ratio</text>'
        f'<line x1="{LEFT + 340}" x2="{LEFT + 360}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{TARGET_COLOUR}" '
        f'stroke-dasharray="6 4"/><text x="{LEFT + 364}" y="{legend_y}">target</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)
