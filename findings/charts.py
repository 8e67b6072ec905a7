"""A cell's findings per rule per month as an inline SVG of stacked bars (pure: values in,
markup out; no JavaScript)."""

from __future__ import annotations

from datetime import date
from html import escape

WIDTH, HEIGHT = 760, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 36
PALETTE = ["#3b6fd8", "#e08a2e", "#b3261e", "#2e8b57", "#7b4fc9", "#c9a227", "#1f9bb3", "#a0522d", "#666"]


def history_svg(*, months: list[date], series: list[tuple[str, list[int]]], title: str) -> str:
    """Stacked bars: one per month, a segment per rule (``series``: rule, counts per month)."""
    parts = [
        f'<svg class="findings-chart" role="img" aria-labelledby="findings-chart-title" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg" data-months="{len(months)}">',
        f'<title id="findings-chart-title">{escape(title)}</title>',
    ]
    totals = [sum(counts[i] for _, counts in series) for i in range(len(months))]
    top = max([*totals, 1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(months))
    bar = slot * 0.7
    parts.append(f'<text x="4" y="{TOP + 10}" font-size="11">{top}</text>')
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#999" />'
    )
    for i, month in enumerate(months):
        x = LEFT + i * slot + (slot - bar) / 2
        y = float(TOP + plot_h)
        for j, (rule, counts) in enumerate(series):
            if not counts[i]:
                continue
            h = plot_h * counts[i] / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(rule)}: {counts[i]}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 18}" font-size="11" text-anchor="middle">'
            f"{month:%b}</text>"
        )
        if totals[i]:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 2:.1f}" font-size="10" text-anchor="middle">{totals[i]}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
