"""Demo of the members' written sprint updates (``sprint-member-update-missing``).

Every current member of the demo cells but one records their mid-sprint update of the current
sprint, with a link to a forum post; the one left out is the first by username who is not off
today (time off excuses a member). When an end-of-sprint update is being chased (the sprint's
last day and the next sprint's first two working days), the same members record that one too.

The rule fires only from its due day, whatever the data: the mid-sprint update from Tuesday of
W2 (sprint days 8 to 14), the end-of-sprint update on the sprint's last day and the next
sprint's first two working days. Before that it holds, and the demo shows the recorded updates
on the boards only. Running the demo again records nothing more.
"""

from __future__ import annotations

from datetime import date

from opencraft_ops import calendar
from roles.models import Member, TimeOff
from sprints import selectors, services
from sprints.calculations.updates import END, MID, open_windows

FORUM = "https://forum.opencraft.com/t/sprint-updates"


def record_member_updates(today: date) -> list[str]:
    """Records the updates described above (idempotent)."""
    members = list(
        Member.objects.active(today)
        .filter(cell__isnull=False)
        .select_related("user")
        .order_by("user__username")
    )
    if not members:
        return []
    off = set(
        TimeOff.objects.filter(start__lte=today, end__gte=today, hours_per_day__isnull=True).values_list(
            "member_id", flat=True
        )
    )
    left_out = next((m for m in members if m.pk not in off), None)
    wanted = [(MID, calendar.sprint_on(today).number)]
    wanted += [(w.kind, w.number) for w in open_windows(today, epoch=calendar.epoch()) if w.kind == END]
    have = selectors.updates_by_member(
        sprint_numbers={number for _, number in wanted}, member_ids=[m.pk for m in members]
    )
    recorded = 0
    for kind, number in wanted:
        for member in members:
            if member == left_out or (number, member.pk, kind) in have:
                continue
            services.member_sprint_update_record(
                member=member,
                kind=kind,
                sprint_number=number,
                as_of=today,
                link=f"{FORUM}/{number}#{kind}-{member.user.username}",
            )
            recorded += 1
    if not recorded:
        return []
    name = left_out.name if left_out else "nobody"
    return [f"{recorded} sprint update(s) recorded; {name} has not recorded theirs"]
