"""The JIRA statuses a run met: recorded with their category and latest issues (``JiraStatus``),
so the admin can map them and the ``jira-status-unmapped`` check can report the unknown ones."""

from __future__ import annotations

from datetime import datetime

from sync.models import JiraStatus
from sync.services.jira.context import StatusesSeen
from sync.services.runs import RunCounts


def jira_statuses_record(*, seen: StatusesSeen, counts: RunCounts, now: datetime) -> None:
    """Two queries and one bulk write per kind, whatever the number of statuses."""
    if not seen.category:
        return
    existing = {s.name: s for s in JiraStatus.objects.filter(name__in=list(seen.category))}
    new, changed = [], []
    for name, category in seen.category.items():
        keys = seen.keys.get(name, [])
        row = existing.get(name)
        if row is None:
            new.append(
                JiraStatus(name=name, category=category, first_seen=now, last_seen=now, issue_keys=keys)
            )
            continue
        row.category, row.last_seen, row.issue_keys = category, now, keys
        changed.append(row)
    JiraStatus.objects.bulk_create(new, ignore_conflicts=True)
    JiraStatus.objects.bulk_update(changed, ["category", "last_seen", "issue_keys"])
    if seen.unknown:
        listed = ", ".join(
            f"{name!r} ({seen.category.get(name) or 'no category'}, {n} issue(s))"
            for name, n in sorted(seen.unknown.items())
        )
        counts.note(
            f"JIRA statuses unknown to the portal, mapped by their category: {listed}. "
            "Map them in the admin (JIRA statuses) if the category is not right."
        )
