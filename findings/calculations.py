"""The maths of findings over plain values: identity keys, month buckets, durations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from opencraft_ops.process_checks import Finding as CheckFinding


def finding_key(finding: CheckFinding) -> str:
    """What makes two runs' findings "the same one": rule, subject, cell and addressee."""
    key = f"{finding.rule}|{finding.subject}|{finding.cell_id or ''}|{finding.member_id or ''}|{finding.role_slug or ''}"
    return key[:400]


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(as_of: date, count: int) -> list[date]:
    """The first days of the ``count`` months ending with ``as_of``'s, oldest first."""
    months = [month_start(as_of)]
    while len(months) < count:
        previous = months[-1] - timedelta(days=1)
        months.append(previous.replace(day=1))
    return list(reversed(months))


@dataclass(frozen=True)
class Episode:
    rule: str
    first_seen: datetime
    resolved_at: datetime | None


def episodes_per_month(episodes: Iterable[Episode], months: list[date]) -> dict[str, list[int]]:
    """Per rule, how many episodes were open at some time in each month (an episode
    spanning three months counts in each)."""
    if not months:
        return {}
    ends = [*months[1:], None]
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for episode in episodes:
        first = episode.first_seen.date()
        last = episode.resolved_at.date() if episode.resolved_at is not None else None
        for i, (start, end) in enumerate(zip(months, ends, strict=True)):
            if (end is None or first < end) and (last is None or last >= start):
                counts[episode.rule][i] += 1
    return dict(sorted(counts.items()))


def median_duration(durations: list[timedelta]) -> timedelta | None:
    if not durations:
        return None
    ordered = sorted(durations)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def humanize_age(seconds: float) -> str:
    """ "just now", "3 min ago", "2 h ago", "4 days ago"."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def humanize_duration(value: timedelta | None) -> str:
    if value is None:
        return "–"
    hours = value.total_seconds() / 3600
    if hours < 1:
        return f"{int(value.total_seconds() // 60)} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.1f} days"
