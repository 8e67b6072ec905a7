"""The inline SVG chart (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from sustainability.calculations import MonthPoint, Totals
from sustainability.charts import monthly_chart_svg


def test_chart_draws_bars_ratio_and_target() -> None:
    points = [
        MonthPoint(date(2026, 1, 1), Totals(D(30), D(10), D(0)), D("0.25"), D("0.3")),
        MonthPoint(date(2026, 2, 1), Totals(D(0), D(0), D(0)), None, D("0.3")),  # no hours: no ratio point
        MonthPoint(date(2026, 3, 1), Totals(D(10), D(10), D(5)), D("0.5"), D("0.35")),
    ]
    svg = monthly_chart_svg(points, title="Bebop <Q1>")
    assert svg.count('<g class="month"') == 3
    assert svg.count("<circle") == 2
    assert 'class="ratio"' in svg and 'class="target"' in svg
    assert "Bebop &lt;Q1&gt;" in svg  # escaped
    assert "Feb 2026: 0 h billable, 0 h non-billable, ratio undefined" in svg


def test_chart_without_months() -> None:
    assert "No months" in monthly_chart_svg([], title="Empty")
